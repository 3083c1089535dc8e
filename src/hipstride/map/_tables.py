"""Search tables stored with a map, so that a fresh process does not rebuild them.

Building a :class:`~hipstride.map._search.SearchIndex` is mostly its ALT landmark bounds (16
single-source Dijkstras and one with 16 sources over the whole network: about 0.3–0.6 s for
Heidelberg, per cost kind), which ``hipstride route`` paid on every call. ``map import`` stores
those bounds, for the shipped profile and both cost kinds, as extra arrays of the map's own file
(``tables__<kind>_…``, in the network's node numbering), so they are written and replaced with
the map in one piece. They are used only when the arc costs they were built on are the costs now
asked for (a hash of the arc-cost array): another profile, or a map imported by another version,
builds its own tables as before. Float64 throughout, so the bounds stay exact lower bounds.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

import numpy as np

from hipstride.activity import FloatArray
from hipstride.map.costs import KINDS

if TYPE_CHECKING:
    from hipstride.map._search import SearchIndex
    from hipstride.map.costs import CostModel
    from hipstride.map.network import FootNetwork, IntArray
    from hipstride.model.profile import Profile

__all__ = ["PREFIX", "attach_tables", "cost_signature", "stored_landmarks", "table_arrays"]

#: Name prefix of the stored tables' arrays in a map file.
PREFIX = "tables__"
_KEY = "stored_search_tables"


def cost_signature(costs: CostModel) -> str:
    """A hash of a cost model's arc costs: the tables built on them fit only them."""
    return hashlib.sha256(np.ascontiguousarray(costs.arc_cost).tobytes()).hexdigest()[:32]


def table_arrays(net: FootNetwork, profile: Profile) -> dict[str, np.ndarray[Any, Any]]:
    """The arrays to store with a map: landmarks and bounds of both cost kinds."""
    from hipstride.map._search import search_index

    out: dict[str, np.ndarray[Any, Any]] = {}
    for kind in KINDS:
        ix = search_index(net, profile, kind)
        out[f"{PREFIX}{kind}_signature"] = np.array(cost_signature(ix.costs))
        out[f"{PREFIX}{kind}_landmarks"] = ix.landmarks
        out[f"{PREFIX}{kind}_bounds"] = ix.node_bounds[ix.node_rank].T
    return out


def attach_tables(net: FootNetwork, arrays: dict[str, np.ndarray[Any, Any]]) -> None:
    """Keep stored tables (the ``tables__`` arrays of a map file) on a loaded network."""
    found = {}
    for kind in KINDS:
        names = [f"{PREFIX}{kind}_{part}" for part in ("signature", "landmarks", "bounds")]
        if all(n in arrays for n in names):
            found[kind] = (str(arrays[names[0]]), arrays[names[1]].astype(np.int64),
                           arrays[names[2]].astype(np.float64))
    net.derived[_KEY] = found


def stored_landmarks(ix: SearchIndex) -> tuple[IntArray, FloatArray] | None:
    """Landmarks and bounds (the index's numbering) stored for this index's costs, if any."""
    stored = ix.net.derived.get(_KEY, {}).get(ix.costs.kind)
    if stored is None:
        return None
    signature, landmarks, bounds = stored
    if signature != cost_signature(ix.costs) or bounds.shape[1] != ix.net.n_nodes:
        return None
    return landmarks, bounds[:, ix.node_net]
