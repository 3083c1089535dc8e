"""Search tables stored with a map at import: used when they fit the costs, exact, in one file."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from hipstride.map._search import search_index
from hipstride.map._tables import stored_landmarks
from hipstride.map.planner import plan_route
from hipstride.map.store import import_map, load_map, maps_dir
from hipstride.model.profile import default_profile, load_profile
from tests.conftest import data_path
from tests.test_map_import import EXTRACTS


def test_tables_stored_at_import_are_the_ones_a_fresh_build_gives(tmp_path: Path) -> None:
    import_map(data_path(EXTRACTS["monaco"]), name="monaco", home=tmp_path)
    assert sorted(p.name for p in maps_dir(tmp_path).iterdir()) == ["monaco.npz"]  # one file
    stored = load_map("monaco", tmp_path)
    fresh = load_map("monaco", tmp_path)
    fresh.derived.clear()                                     # forget the stored tables
    profile = default_profile()
    for kind in ("hip", "length"):
        ix_stored, ix_fresh = search_index(stored, profile, kind), search_index(fresh, profile, kind)
        assert stored_landmarks(ix_stored) is not None
        assert stored_landmarks(ix_fresh) is None
        assert np.array_equal(ix_stored.landmarks, ix_fresh.landmarks)
        assert np.array_equal(ix_stored.node_bounds, ix_fresh.node_bounds)
    a = plan_route(stored, start_lat_deg=43.7384, start_lon_deg=7.4246, end_lat_deg=43.7311,
                   end_lon_deg=7.4197).to_dict()
    b = plan_route(fresh, start_lat_deg=43.7384, start_lon_deg=7.4246, end_lat_deg=43.7311,
                   end_lon_deg=7.4197).to_dict()
    assert a == b


def test_tables_of_another_profile_are_not_used(tmp_path: Path) -> None:
    import_map(data_path(EXTRACTS["monaco"]), name="monaco", home=tmp_path)
    net = load_map("monaco", tmp_path)
    other = load_profile("flat-soft")
    assert stored_landmarks(search_index(net, other, "hip")) is None      # other costs
    assert stored_landmarks(search_index(net, other, "length")) is not None  # same lengths
