"""The storage interface of the run library, and the records that cross it.

:class:`RunStore` is what the importer, the baselines, the trends and the CLI use. Two stores
implement it: SQLite (:mod:`hipstride.library.sqlite`, one runner's embedded default) and
PostgreSQL (:mod:`hipstride.library.postgres`, a club's or clinic's server).

A store is opened for one **athlete**, and every method reads and writes only that athlete's rows:
a run id of another athlete is "no such run". A single runner never names one and is the athlete
:data:`DEFAULT_ATHLETE`. The athlete's row is made by the first write transaction, so opening a
store for a new name and reading gives an empty library. :meth:`RunStore.athletes` (the coach's
list) is the one read across athletes.

Writes happen inside :meth:`RunStore.transaction`; every method that changes data must be called
inside one, so that a run is stored whole or not at all.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Protocol

from hipstride.activity import is_cross_training
from hipstride.analysis.baselines import FormMinutes

__all__ = [
    "DEFAULT_ATHLETE",
    "AnalysisRecord",
    "AnalysisState",
    "AthleteRecord",
    "FormCheckRow",
    "JournalRecord",
    "RunMeta",
    "RunRecord",
    "RunStore",
    "RunSummary",
    "SourceRecord",
    "StoredRun",
    "format_utc",
    "now_utc",
    "parse_utc",
    "sensor_channel_count",
]

#: The athlete of a single runner's library (and of every command that names none).
DEFAULT_ATHLETE = "default"

#: Series every activity has or may have besides its sensor channels.
CORE_SERIES: tuple[str, ...] = ("lat_deg", "lon_deg", "elevation_m", "distance_m", "speed_mps")


def sensor_channel_count(names: list[str] | tuple[str, ...]) -> int:
    """Number of sensor channels among the series names of a recording."""
    return sum(1 for n in names if n not in CORE_SERIES)


def format_utc(moment: datetime | None) -> str | None:
    """Fixed-width UTC text (``YYYY-MM-DDTHH:MM:SS.ffffffZ``) that sorts like the time it names."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def now_utc() -> str:
    """The current time as :func:`format_utc` text."""
    text = format_utc(datetime.now(UTC))
    assert text is not None
    return text


def parse_utc(text: str | None) -> datetime | None:
    """Inverse of :func:`format_utc` (an aware UTC datetime)."""
    if text is None:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@dataclass(frozen=True)
class SourceRecord:
    """One file that recorded a run."""

    file_path: str
    content_sha256: str
    file_format: str
    device: str | None
    samples: int
    channel_count: int
    is_primary: bool = True
    imported_at_utc: str | None = None


@dataclass(frozen=True)
class AnalysisRecord:
    """The stored analysis of a run and the headline figures derived from it."""

    analysis_json: str
    schema_version: int
    baseline_signature: str
    headline: dict[str, float | None]
    #: The library's state the baseline came from (:func:`format_utc`; ``""`` when unknown).
    baseline_as_of_utc: str = ""


@dataclass(frozen=True)
class AnalysisState:
    """What decides whether a stored analysis may be out of date (times as :func:`format_utc`)."""

    baseline_signature: str
    imported_at_utc: str
    baseline_as_of_utc: str


@dataclass(frozen=True)
class RunMeta:
    """What a run is: when (UTC), which sport, its name, and from which device and file format.

    The metadata :class:`RunRecord` stores and :class:`RunSummary` lists, written once; each field
    is the ``runs`` column of the same name.
    """

    start_time_utc: datetime | None
    end_time_utc: datetime | None
    #: True when the device's clock was relative (no real start time).
    time_is_relative: bool
    sport: str
    sub_sport: str | None
    name: str | None
    device: str | None
    file_format: str


@dataclass(frozen=True)
class RunRecord(RunMeta):
    """Everything stored for one run: metadata, analysis, packed samples, form per minute."""

    #: Names of the series with data: any of :data:`CORE_SERIES` and the sensor channels.
    channels: tuple[str, ...]
    samples: int
    source: SourceRecord
    analysis: AnalysisRecord
    samples_blob: bytes
    samples_encoding: str
    #: Rows ``(minute, speed_mps, *FORM_METRICS)``; ``None`` where a metric is missing.
    form_minutes: list[tuple[float | None, ...]] = field(default_factory=list)

    @property
    def richness(self) -> tuple[int, int, int, int]:
        """Sort key for "the richer recording": sensor channels, then positions, then a known
        sport, then samples."""
        return (sensor_channel_count(self.channels), int("lat_deg" in self.channels),
                int(self.sport != "unknown"), self.samples)


@dataclass(frozen=True)
class RunSummary(RunMeta):
    """One row of the run listing (SI units; times UTC): the run's metadata and headline figures."""

    id: int
    source_file: str
    distance_m: float | None
    duration_s: float | None
    moving_time_s: float | None
    elevation_gain_m: float | None
    elevation_loss_m: float | None
    hip_load_index: float | None
    hip_load_total: float | None
    samples: int
    #: Series with data (see :attr:`RunRecord.channels`).
    channels: tuple[str, ...]
    sources: int

    @property
    def channel_count(self) -> int:
        """Number of sensor channels."""
        return sensor_channel_count(self.channels)

    @property
    def cross_training(self) -> bool:
        """A ride, walk, hike or swim (by the file's sport or the runner's relabel): activity,
        not running, and never given a running hip-load index."""
        return is_cross_training(self.sport)

    def to_dict(self) -> dict[str, Any]:
        """Plain-JSON view (times as ISO 8601 strings)."""
        return {
            "id": self.id,
            "start_time_utc": self.start_time_utc.isoformat() if self.start_time_utc else None,
            "sport": self.sport,
            "sub_sport": self.sub_sport,
            "name": self.name,
            "device": self.device,
            "distance_m": self.distance_m,
            "duration_s": self.duration_s,
            "moving_time_s": self.moving_time_s,
            "elevation_gain_m": self.elevation_gain_m,
            "elevation_loss_m": self.elevation_loss_m,
            "hip_load_index": None if self.cross_training else self.hip_load_index,
            "hip_load_total": None if self.cross_training else self.hip_load_total,
            "cross_training": self.cross_training,
            "source_file": self.source_file,
            "sources": self.sources,
            "time_is_relative": self.time_is_relative,
        }


@dataclass(frozen=True)
class JournalRecord:
    """One pain-journal entry as stored (one per date; see ``migrations/0004_journal.sql``).

    Pain scores are 0–10 or ``None``; ``morning_stiffness_min`` is minutes; ``sites`` and ``flags``
    are the names :mod:`hipstride.journal.decision` defines (validated by :mod:`hipstride.journal`,
    not here). ``created_at_utc`` is :func:`format_utc` text, set by the store when writing.
    """

    entry_date: date
    pain_during: float | None = None
    pain_after: float | None = None
    pain_morning: float | None = None
    morning_stiffness_min: float | None = None
    sites: tuple[str, ...] = ()
    side: str | None = None
    better: str | None = None
    worse: str | None = None
    flags: tuple[str, ...] = ()
    run_id: int | None = None
    created_at_utc: str | None = None


@dataclass(frozen=True)
class AthleteRecord:
    """One athlete of a library."""

    id: int
    name: str
    created_at_utc: str


@dataclass(frozen=True)
class FormCheckRow:
    """One stored form check (see :mod:`hipstride.library.form_checks`)."""

    #: ``None`` for a check not stored yet.
    id: int | None
    checked_at_utc: str
    run_id: int | None
    source: str
    #: ``"side"`` or ``"rear"``.
    view: str
    #: Whether the clip passed the quality gate.
    passed: bool
    #: The medians kept in columns, by :data:`hipstride.library.form_checks.TREND_METRICS` name.
    medians: dict[str, float | None]
    #: The check's whole JSON document.
    document_json: str


@dataclass(frozen=True)
class StoredRun:
    """One run whole, as a store holds it, for moving a library to another store
    (:mod:`hipstride.library.copy`)."""

    #: Metadata (``sport`` is the recording's), primary source, analysis, samples, form minutes.
    record: RunRecord
    #: Every file of the run, primary first, with the time each was imported.
    sources: tuple[SourceRecord, ...]
    #: The runner's own sport for the run (``None``: none given).
    sport_label: str | None
    imported_at_utc: str
    analysed_at_utc: str


class RunStore(Protocol):
    """Storage of runs (see the module docstring)."""

    #: The athlete every method is scoped to.
    athlete: str
    #: Where this store's maps live (the hipstride home), or ``None``.
    maps_home: str | None

    @property
    def url(self) -> str:
        """How to open the same database again, in another process
        (see :func:`hipstride.library.api.open_store`)."""

    def athletes(self) -> list[AthleteRecord]:
        """Every athlete in the database, by name (the one read across athletes)."""

    def with_athlete(self, name: str) -> RunStore:
        """A store on the same database for athlete ``name`` (close it when done). It may share
        this store's connection, so use the two from one thread, one after the other."""

    def close(self) -> None:
        """Release the connection."""

    def __enter__(self) -> RunStore:
        """The store itself; closed when the ``with`` block ends."""

    def __exit__(self, *exc: object) -> None:
        """Close the store."""

    def transaction(self) -> AbstractContextManager[None]:
        """A write transaction: committed on normal exit, rolled back on an exception."""

    def known_hashes(self) -> set[str]:
        """Content hashes (sha256 hex) of every source file already stored."""

    def run_for_hash(self, content_sha256: str) -> int | None:
        """Id of the run a file with this content belongs to, or ``None``."""

    def overlapping_runs(self, start_utc: datetime, end_utc: datetime,
                         start_window_s: float) -> list[tuple[int, datetime, datetime, tuple[int, int, int, int]]]:
        """Runs starting within ``start_window_s`` seconds of ``start_utc``.

        Each as ``(id, start, end, richness)`` (see :attr:`RunRecord.richness`).
        """

    def add_run(self, record: RunRecord) -> int:
        """Store a new run with its primary source; return its id."""

    def add_source(self, run_id: int, source: SourceRecord) -> None:
        """Record another file of the same run (not primary)."""

    def replace_primary(self, run_id: int, record: RunRecord) -> None:
        """Make ``record`` the run's primary recording (metadata, samples, analysis, form); its
        source is added, or marked primary when the run already lists it."""

    def update_analysis(self, run_id: int, analysis: AnalysisRecord) -> None:
        """Replace the stored analysis (after a baseline changed)."""

    def mark_baseline_current(self, run_ids: list[int], as_of_utc: str) -> None:
        """Record that these runs' baselines were checked against the library as of ``as_of_utc``
        and are still the ones their analyses used."""

    def list_runs(self, *, sport: str | None = None) -> list[RunSummary]:
        """Runs in start-time order (runs without a start time last)."""

    def get_run(self, run_id: int) -> RunSummary | None:
        """One run's listing row, or ``None``."""

    def get_analysis(self, run_id: int) -> tuple[dict[str, Any], str] | None:
        """The stored analysis document and the baseline signature it used."""

    def get_samples(self, run_id: int) -> bytes | None:
        """The packed sample blob of the run's primary recording."""

    def get_sources(self, run_id: int) -> list[SourceRecord]:
        """Every file of the run, primary first."""

    def stored_run(self, run_id: int) -> StoredRun | None:
        """The run whole (all its files, samples, analysis, form minutes, sport label, times),
        to copy it to another store; ``None`` when there is no such run."""

    def form_minutes(self) -> FormMinutes:
        """Form minutes of every running run with a real (not device-relative) start time."""

    def analysis_states(self) -> dict[int, AnalysisState]:
        """When each run was stored and analysed, and the baseline its analysis used, by run id."""

    def iter_run_ids(self) -> Iterator[int]:
        """Every run id, in id order."""

    def delete_run(self, run_id: int) -> bool:
        """Remove a run and all that is stored for it; a journal entry that pointed at it keeps
        its other fields (call inside :meth:`transaction`). False when there was no such run."""

    def set_sport_label(self, run_id: int, sport: str | None) -> bool:
        """Record the runner's own sport for a run (``None``: the recording's sport again); the
        listing then shows it as the run's sport (call inside :meth:`transaction`). False when
        there was no such run."""

    def put_journal_entry(self, record: JournalRecord) -> bool:
        """Store the entry for its date, replacing any entry already there (call inside
        :meth:`transaction`); True when one was replaced."""

    def delete_journal_entry(self, day: date) -> bool:
        """Remove the entry of ``day`` (call inside :meth:`transaction`); False when there was
        none."""

    def journal_entries(self, *, since: date | None = None,
                        until: date | None = None) -> list[JournalRecord]:
        """Journal entries dated ``since`` to ``until`` (both included, either open), oldest first."""

    def add_form_check(self, row: FormCheckRow) -> int:
        """Store a form check (call inside :meth:`transaction`); return its id."""

    def form_check_rows(self, *, run_id: int | None = None) -> list[FormCheckRow]:
        """The stored form checks, oldest first (only those of ``run_id`` when given)."""

    def record_reanalysis(self, job: str, run_ids: list[int]) -> None:
        """Log that these runs' analyses were written for batch job ``job`` (call inside the
        transaction that wrote them)."""

    def reanalysed_ids(self, job: str, *, among: Sequence[int] | None = None) -> set[int]:
        """Ids of the runs logged for batch job ``job`` (only those of ``among`` when given)."""
