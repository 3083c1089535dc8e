"""FIT reader: Garmin's ``garmin-fit-sdk`` first, ``fitdecode`` for what the SDK cannot decode.

:func:`parse_fit` turns the bytes of a FIT file (already gunzipped) into an
:class:`~hipstride.activity.Activity`, converting units once:

* positions: semicircles → degrees (``× 180 / 2**31``), NaN where missing or off the globe;
* time: FIT epoch (1989-12-31 UTC) seconds → ``start_time_utc`` (UTC-aware, the first record)
  and ``time_s`` (seconds from it). Old devices (FR70) write device-relative timestamps
  (< ``0x10000000``): then ``time_is_relative=True`` and ``start_time_utc=None``;
* ``enhanced_altitude``/``enhanced_speed`` win over ``altitude``/``speed`` sample by sample;
* cadence: FIT stores strides/min for on-foot sports, so ``cadence_spm = 2 × (cadence +
  fractional_cadence)`` for running, walking and hiking; other sports keep revolutions as
  ``cadence_rpm``. Running dynamics keep their FIT units (ms, %, mm); ``stance_time_balance`` is the
  left-foot share (``stance_time_balance_left_pct``). Developer fields become ``"dev:<name>"``
  channels (see :mod:`hipstride.io.fit._dev`).

Missing values are NaN. Zero is a real value: only FIT's invalid sentinels (dropped by the
decoders) mean "missing".

Timestamps. Records that share a timestamp are merged into one sample (later values win, gaps are
filled): Strava writes position and distance as two records of the same second, a Forerunner 110
sometimes two fixes within one second. Records without a timestamp, after tomorrow or more than a
day outside the session are dropped with a warning; records out of time order and records beyond
one plausible recording (:mod:`hipstride.io._bounds`: a glitch costs one record, a reversed file is
sorted, gaps over 2 days and spans over 7 days are cut) likewise, so ``time_s`` strictly increases.
Decoding stops past the bounds on record count and on records sharing one timestamp.

Chained files and sessions. Every FIT part of a chained file is read. When the file holds several
sessions (a triathlon), the records inside the chosen session's window ``start_time ..
start_time + total_elapsed_time`` (a few seconds of slack, never into the next session) are kept:
the longest running session, else the longest session. Record distance runs on across the legs
of a multisport file, so it is counted from the last distance before the window.

Session averages. ``session`` repeats what the device computed. To compare records with it, note
how devices average (checked on the Garmin fenix 5 / FR935 / FR945 / FR920XT and COROS APEX Pro
files in the test data): Garmin's average cadence *includes* the zero-cadence records (standing
still); running dynamics are only recorded while running, and COROS's few zero records match best
left out. With smart recording (a record every 1–9 s, fenix 5) the device averages its internal
1 Hz values, so a plain mean of the records is off by up to 11 %; weighting each record by the time
since the previous one, capped at 10 s (longer gaps are pauses), brings every average within 3 %
and the stance-time balance within 0.3 points (``tests/test_read_fit.py::device_average``).

Broken files. Decoding is strict (CRC checked). What is kept from a damaged part depends on what is
known about the damage:

* bad checksum on a part that decodes to its declared end (``corrupt/…activity-filecrc.fit``):
  some byte somewhere is wrong and nothing says which, so the part is refused: ``ReadError`` when it
  is the only part, a warning when another part of a chained file is intact
  (``…activity-activity-filecrc.fit``);
* a corrupt header after an intact part (``…corruptheader.fit``), or a part cut short
  (``…nodata.fit``): the intact parts are read, the rest is ignored with a warning;
* decoding that stops early: the file is truncated (``…unexpected-eof.fit``; ``nick.fit``, whose
  last record runs into its checksum), a record uses an undefined local message (Strava Android,
  after 473 records), or bytes cannot be decoded (Lezyne, after its whole activity: its 804 records
  end at the distance its own session reports, though its checksum fails). The damage has a place
  and what precedes it decoded consistently, so those records are kept with a warning; they still
  pass the timestamp checks above (Strava's last ones run off to 2085 and are dropped). When nothing
  was readable before it, ``ReadError`` names the problem.

The SDK cannot read compressed-timestamp records (FR70): that SDK error, or an SDK error of no
known kind, sends the part to ``fitdecode`` in strict mode; if that fails too, whichever decoder got
further gives the partial result, and :mod:`._walk` says in plain words which rule of the FIT
layout the part breaks (the decoders' own texts never reach the runner). No exception other than
:class:`~hipstride.errors.ReadError` escapes. Each problem knows its place: ``ReadError.offset`` is
the byte of the damage (the first broken record, the SDK's position, the end of a truncated file) and
``ReadError.record`` the first record not read. With ``on_error=OnError.RAISE`` the first
problem that would be a warning is raised instead (see :mod:`hipstride.io._policy`).

The package: :mod:`._frames` splits a chained file into parts, checks headers and checksums and
classifies decoder errors; :mod:`._fitdecode` is the fallback decoder; :mod:`._assemble` turns
records into the activity, with :mod:`._summary` for sessions, laps, events and the device;
:mod:`._dev` names developer fields; :mod:`._walk` explains a part both decoders refused.
"""

from __future__ import annotations

from hipstride.activity import Activity
from hipstride.errors import ReadError
from hipstride.io._policy import OnError, on_error_of, report
from hipstride.io.fit._assemble import build
from hipstride.io.fit._frames import decode_parts

__all__ = ["parse_fit"]


def parse_fit(data: bytes, label: str, *, on_error: OnError = OnError.WARN) -> Activity:
    """Parse a FIT file (see the module docstring for units and choices).

    Parameters
    ----------
    data
        The whole file, already gunzipped.
    label
        The name to use in errors and warnings (usually the file name).
    on_error
        What to do with a partly readable file (see :class:`hipstride.io.OnError`): keep the
        readable part and warn (the default), keep it silently, or raise :class:`ReadError`.

    Returns
    -------
    Activity
        ``time_s`` in s from ``start_time_utc``, positions in degrees, elevation in m, distance in m,
        speed in m/s, channels in the units of ``STANDARD_CHANNELS`` (``dev:`` channels in the units
        their description gives), ``file_format="fit"``.

    Raises
    ------
    ReadError
        When nothing usable can be read, or (``OnError.RAISE``) anything was wrong; ``problem``
        says why (``"bad CRC: …"``, ``"truncated: …"``, ``"no records"``, …) and ``offset`` (byte)
        and ``record`` (the first record not read) say where, when known.

    Warns
    -----
    ReadWarning
        When only part of the file was used (``OnError.WARN``); the same notes are in
        ``Activity.warnings``.
    """
    policy = on_error_of(on_error)
    if not data:
        raise ReadError(label, "empty file (0 bytes)")
    try:
        parts, notes = decode_parts(bytes(data), label)
        activity, issues = build(parts, notes, label)
    except ReadError:
        raise
    except Exception as exc:  # a bug or a decoder surprise: still only ReadError leaves here
        problem = f"cannot be decoded (internal error: {type(exc).__name__}: {exc})"
        raise ReadError(label, problem) from exc
    report(label, issues, policy, stacklevel=2)
    return activity
