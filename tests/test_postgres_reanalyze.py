"""Batch re-analysis on a PostgreSQL library: the same documents as the library's own in-process
analysis, serially and on an in-process Dask client, each run logged exactly once, and a second
run of the job analyses nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from hipstride.library._dask import dask_client
from hipstride.library.api import open_store
from hipstride.library.copy import copy_athlete
from hipstride.library.postgres import PostgresStore
from hipstride.library.reanalyze import reanalyze
from hipstride.model.profile import load_profile
from tests.conftest import data_path
from tests.reanalysis_support import (
    REAL_RUNS,
    import_real_runs,
    reference_analyses,
    steeper_profile,
    stored_analyses,
)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("template")
    import_real_runs(home, [data_path(p) for p in REAL_RUNS])
    return home


def test_reanalysis_on_postgresql_matches_the_reference_once(template: Path, postgres_dsn: str,
                                                             tmp_path: Path) -> None:
    athletes = ["ana", "ben"]
    with open_store(home=template) as source:
        for name in athletes:
            with open_store(postgres_dsn, home=tmp_path, athlete=name) as into:
                assert copy_athlete(source, into).runs_added > 0
    profile = load_profile(steeper_profile(tmp_path))
    serial = reanalyze(postgres_dsn, home=tmp_path, athletes=athletes[:1], profile=profile,
                       batch_size=3)
    with dask_client(in_process=True, workers=2) as client:
        on_dask = reanalyze(postgres_dsn, home=tmp_path, athletes=None, profile=profile,
                            client=client, batch_size=3)
    assert not serial.failed
    assert not on_dask.failed
    assert serial.analysed > 0
    assert (on_dask.analysed, on_dask.skipped) == (serial.analysed, serial.analysed)
    for name in athletes:
        with open_store(postgres_dsn, home=tmp_path, athlete=name) as store:
            reference = reference_analyses(store, profile)
            assert stored_analyses(store) == reference
            assert isinstance(store, PostgresStore)
            counts = store.execute("SELECT run_id, count(*) FROM reanalysis_log l "
                                   "JOIN athletes a ON a.id = l.athlete_id WHERE a.name = %s "
                                   "GROUP BY run_id", (name,))
            assert sorted(run_id for run_id, _ in counts) == sorted(reference)
            assert {n for _, n in counts} == {1}
    again = reanalyze(postgres_dsn, home=tmp_path, profile=profile)
    assert (again.analysed, again.skipped) == (0, 2 * serial.analysed)
