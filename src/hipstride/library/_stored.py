"""The SQL both stores share (column lists, the sport a run counts as) and what both read the
same way: one run whole (:class:`~hipstride.library.store.StoredRun`) for ``hipstride db copy``,
in SQL that both run (only the placeholder differs: ``?`` for SQLite, ``%s`` for psycopg), the
form-minute rows as arrays (:func:`form_minutes_table`) and the runs that may be twins of a new
one (:func:`overlap_candidates`).

The listing row is not enough to move a run: it shows the runner's sport label in place of the
recording's sport and leaves out half of the headline figures, the samples' encoding, the form
minutes of a run that is not running and the times the run was imported and analysed. Copying those
as they are keeps the copy's answers equal to the original's, down to whether a stored analysis is
stale.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

import numpy as np

from hipstride.analysis.baselines import FormMinutes
from hipstride.analysis.trends import UNTYPED_SPORTS
from hipstride.library.store import (
    AnalysisRecord,
    RunMeta,
    RunRecord,
    SourceRecord,
    StoredRun,
    format_utc,
    parse_utc,
    sensor_channel_count,
)
from hipstride.track.form import FORM_METRICS

__all__ = ["HEADLINE", "META_COLUMNS", "RUNNING", "SPORT", "SUMMARY_COLUMNS", "form_minutes_table",
           "meta_fields", "meta_values", "overlap_candidates", "read_stored_run"]

#: The fields of :class:`RunMeta`, in order (each is the ``runs`` column of that name).
META_COLUMNS = tuple(RunMeta.__dataclass_fields__)
#: The headline figures the ``runs`` table keeps as columns.
HEADLINE = ("distance_m", "duration_s", "moving_time_s", "elevation_gain_m", "elevation_loss_m",
            "hip_load_index", "hip_load_total", "avg_cadence_spm", "avg_step_length_m",
            "avg_stance_time_ms", "avg_stance_time_balance_left_pct", "avg_vertical_oscillation_mm")
#: The sport a run counts as: the runner's own label (migration 0005) over the recording's.
SPORT = "COALESCE(r.sport_label, r.sport)"
#: Sports whose form minutes make the cadence baseline: running and untyped, as weekly load counts.
RUNNING = "(" + ", ".join(f"'{s}'" for s in ("running", *UNTYPED_SPORTS)) + ")"
#: The columns of a listing row (:class:`RunSummary`), the runs aliased ``r``.
SUMMARY_COLUMNS = ("r.id, " + ", ".join(SPORT if c == "sport" else f"r.{c}" for c in META_COLUMNS)
                   + ", r.source_file, "
                   "r.distance_m, r.duration_s, r.moving_time_s, r.elevation_gain_m, "
                   "r.elevation_loss_m, r.hip_load_index, r.hip_load_total, r.samples, r.channels, "
                   "(SELECT COUNT(*) FROM sources s WHERE s.run_id = r.id)")


def meta_values(meta: RunMeta) -> dict[str, Any]:
    """``runs`` column -> value for a run's metadata (times as :func:`format_utc` text)."""
    values = {name: getattr(meta, name) for name in META_COLUMNS}
    values["start_time_utc"] = format_utc(meta.start_time_utc)
    values["end_time_utc"] = format_utc(meta.end_time_utc)
    values["time_is_relative"] = int(meta.time_is_relative)
    return values


def meta_fields(row: Sequence[Any]) -> dict[str, Any]:
    """The :class:`RunMeta` fields from the values of :data:`META_COLUMNS`, in order."""
    fields = dict(zip(META_COLUMNS, row, strict=True))
    fields["start_time_utc"] = parse_utc(fields["start_time_utc"])
    fields["end_time_utc"] = parse_utc(fields["end_time_utc"])
    fields["time_is_relative"] = bool(fields["time_is_relative"])
    return fields

Rows = Callable[[str, Sequence[Any]], list[tuple[Any, ...]]]


def read_stored_run(rows: Rows, run_id: int, mark: str) -> StoredRun | None:
    """Run ``run_id`` whole through the query function ``rows`` (placeholder ``mark``); the
    caller has checked that the run is one of its athlete's."""
    found = rows(f"SELECT {', '.join(META_COLUMNS)}, {', '.join(HEADLINE)}, channels, samples, "
                 f"sport_label, imported_at_utc FROM runs WHERE id = {mark}", (run_id,))
    blob = rows(f"SELECT encoding, data FROM run_samples WHERE run_id = {mark}", (run_id,))
    analysis = rows("SELECT analysis_json, schema_version, baseline_signature, baseline_as_of_utc, "
                    f"analysed_at_utc FROM run_analyses WHERE run_id = {mark}", (run_id,))
    if not found or not blob or not analysis:
        return None
    meta = dict(zip(META_COLUMNS, found[0][:len(META_COLUMNS)], strict=True))
    rest = found[0][len(META_COLUMNS):]
    headline = dict(zip(HEADLINE, rest[:len(HEADLINE)], strict=True))
    channels_json, samples, sport_label, imported_at = rest[len(HEADLINE):]
    sources = tuple(SourceRecord(r[0], r[1], r[2], r[3], int(r[4]), int(r[5]), bool(r[6]), r[7])
                    for r in rows("SELECT file_path, content_sha256, file_format, device, samples, "
                                  "channel_count, is_primary, imported_at_utc FROM sources "
                                  f"WHERE run_id = {mark} ORDER BY is_primary DESC, id", (run_id,)))
    minutes = [tuple(r) for r in rows(
        f"SELECT minute, speed_mps, {', '.join(FORM_METRICS)} FROM form_minutes "
        f"WHERE run_id = {mark} ORDER BY minute", (run_id,))]
    doc, version, signature, as_of, analysed_at = analysis[0]
    record = RunRecord(
        start_time_utc=parse_utc(meta["start_time_utc"]), end_time_utc=parse_utc(meta["end_time_utc"]),
        time_is_relative=bool(meta["time_is_relative"]), sport=meta["sport"],
        sub_sport=meta["sub_sport"], name=meta["name"], device=meta["device"],
        file_format=meta["file_format"], channels=tuple(json.loads(channels_json)),
        samples=int(samples), source=sources[0],
        analysis=AnalysisRecord(analysis_json=doc, schema_version=int(version),
                                baseline_signature=str(signature), headline=headline,
                                baseline_as_of_utc=str(as_of)),
        samples_blob=bytes(blob[0][1]), samples_encoding=str(blob[0][0]),
        form_minutes=minutes)
    return StoredRun(record=record, sources=sources, sport_label=sport_label,
                     imported_at_utc=str(imported_at), analysed_at_utc=str(analysed_at))


def form_minutes_table(rows: Sequence[Sequence[Any]], devices: dict[int, str | None]) -> FormMinutes:
    """Form minutes from rows ``(run_id, start_time_utc text, speed_mps, *FORM_METRICS)`` in
    start-time order (``None`` where a metric is missing), with each run's device."""
    starts: dict[str, float] = {}
    for row in rows:
        if row[1] not in starts:
            moment = parse_utc(row[1])
            assert moment is not None
            starts[row[1]] = moment.timestamp()
    table = np.array([[np.nan if v is None else v for v in (r[0], starts[r[1]], *r[2:])]
                      for r in rows], dtype=np.float64).reshape(len(rows), 3 + len(FORM_METRICS))
    return FormMinutes(
        run_id=table[:, 0].astype(np.int64), start_s=table[:, 1], speed_mps=table[:, 2],
        values={m: table[:, 3 + i] for i, m in enumerate(FORM_METRICS)}, devices=devices)


def overlap_candidates(rows: Sequence[Sequence[Any]]
                       ) -> list[tuple[int, datetime, datetime, tuple[int, int, int, int]]]:
    """:meth:`~hipstride.library.store.RunStore.overlapping_runs` from rows ``(id, start, end,
    channels JSON, samples, sport)``: runs with both times, each with its richness."""
    out = []
    for run_id, start, end, channels, samples, sport in rows:
        s, e = parse_utc(start), parse_utc(end)
        if s is None or e is None:
            continue
        names = json.loads(channels)
        richness = (sensor_channel_count(names), int("lat_deg" in names),
                    int(sport != "unknown"), int(samples))
        out.append((int(run_id), s, e, richness))
    return out
