"""The self-contained HTML report of one analysed run (``hipstride analyze --html``, ``hipstride demo``).

One file that works offline: inline CSS and inline SVG, no scripts, fonts, tiles or any other
network resource. Text from the recording (activity names, file names) is escaped by the template
(``report.html.j2`` in the shared environment of :mod:`hipstride.report._templates`, autoescape
on); the drawings come from :mod:`hipstride.report.run_map` and :mod:`hipstride.report.run_profile`.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from hipstride.__version__ import __version__
from hipstride._files import write_atomic
from hipstride._privacy import printable, shown_source
from hipstride.model.hipload import FACTORS
from hipstride.report._templates import render
from hipstride.report.run_map import (
    LOAD_COLOURS,
    LOAD_RANGE,
    SURFACE_COLOURS,
    Basemap,
    load_bins,
    load_colour,
    map_svg,
    network_basemap,
)
from hipstride.report.run_profile import factor_bar_svg, profile_svg
from hipstride.report.terminal import format_duration, format_pace
from hipstride.track.form import FORM_LABELS
from hipstride.track.surface import SURFACE_CLASSES

if TYPE_CHECKING:
    from hipstride.analysis.run import KmSplit, RunAnalysis

__all__ = ["Basemap", "map_basemap", "render_html_report", "report_file_names", "write_html_report"]

FACTOR_LABELS = {"downhill": "Downhill", "uphill": "Uphill", "turns": "Turns", "surface": "Surface",
                 "cadence": "Cadence"}
FACTOR_COLOURS = {"downhill": "#c92a2a", "uphill": "#e8590c", "turns": "#7b2cbf", "surface": "#3b4a6b",
                  "cadence": "#1c7ed6"}
FACTOR_MEANING = {
    "downhill": "descents steeper than the profile's threshold (braking and impact)",
    "uphill": "climbs steeper than the threshold (hip extensor work)",
    "turns": "sideways acceleration v²/r while turning",
    "surface": "hard surface, weighted by how sure the surface is",
    "cadence": "step rate below your own speed-matched baseline",
}
SURFACE_SOURCES = {"sub_sport": "the recording's sub-sport", "option": "the --surface option",
                   "map": "the map", "none": "nowhere: not known"}


def _signed(value: float, digits: int = 3) -> str:
    return f"+{value:.{digits}f}" if value >= 0.5 * 10**-digits else ("·" if value > -0.5 * 10**-digits
                                                                      else f"−{-value:.{digits}f}")


def _split_row(split: KmSplit, has_elevation: bool) -> dict[str, Any]:
    partial = split.distance_m < 990.0
    return {
        "km": f"{split.km}" + (f" ({split.distance_m / 1000:.2f} km)" if partial else ""),
        "time": format_duration(split.duration_s),
        "pace": format_pace(split.duration_s, split.distance_m).replace(" /km", ""),
        "index": f"{split.index:.3f}",
        "colour": load_colour(split.index),
        "factors": [_signed(split.factors[f]) for f in FACTORS],
        "sharp_turns": split.sharp_turns,
        "climb": f"+{abs(split.climb_m):.0f} / −{abs(split.descent_m):.0f}" if has_elevation else "–",
    }


def _headline(a: RunAnalysis, d: dict[str, Any]) -> list[tuple[str, str]]:
    act, turns = d["activity"], d["turns"]
    dist = act["distance_m"] or 0.0
    items = [("Distance", f"{dist / 1000:.2f} km"),
             ("Moving time", format_duration(act["moving_time_s"])),
             ("Pace", format_pace(act["moving_time_s"], dist))]
    if act["elevation_gain_m"] is not None:
        items.append(("Climb / descent", f"+{abs(act['elevation_gain_m']):.0f} / −{abs(act['elevation_loss_m']):.0f} m"))
    turn_text = f"{turns['count']}, {turns['sharp_count']} sharp"
    if turns["sharp_count"]:
        turn_text += f" ({turns['sharp_left']} L / {turns['sharp_right']} R)"
    items.append(("Turns", turn_text if a.course.has_positions else "no GPS"))
    items.append(("Elapsed", format_duration(act["duration_s"])))
    return items


def _context(a: RunAnalysis, basemap: Basemap | None) -> dict[str, Any]:
    d = a.to_dict()
    act = a.activity
    hl = a.hip_load
    course = a.course
    title = printable(act.name or "") or shown_source(act.source) or "Run"
    when = (act.start_time_utc.strftime("%Y-%m-%d %H:%M UTC") if act.start_time_utc and not act.time_is_relative
            else "date unknown")
    sport = act.sport + (f" / {act.sub_sport}" if act.sub_sport else "")
    turn_index = [min(int(np.searchsorted(course.distance_m, t.distance_m)), len(course) - 1)
                  for t in a.turns]
    load_map = surface_map = None
    if course.has_positions and len(course) >= 2:
        load_map = map_svg(course.lat_deg, course.lon_deg, load_bins(hl.multiplier), LOAD_COLOURS,
                           turns=a.turns, turn_index=turn_index, basemap=basemap,
                           label="track coloured by hip load")
        classes = a.surface.classes.astype(np.int64)
        if a.surface.source == "map" or np.unique(classes).size > 1:  # a uniform surface needs no map
            surface_map = map_svg(course.lat_deg, course.lon_deg, classes, SURFACE_COLOURS,
                                  basemap=basemap, label="track coloured by surface")
    profile = None
    if len(course) >= 2 and hl.index is not None:
        profile = profile_svg(course.distance_m, course.elevation_m, course.grade_pct, hl.multiplier,
                              a.turns, steep_pct=a.profile.downhill.threshold_pct,
                              step_m=course.step_m)
    lo, hi = LOAD_RANGE
    step = (hi - lo) / len(LOAD_COLOURS)
    legend = [(c, f"{lo + i * step:.2f}") for i, c in enumerate(LOAD_COLOURS)]
    extra = sum(max(v, 0.0) for v in hl.factors.values())
    factors = [{"name": f, "label": FACTOR_LABELS[f], "value": _signed(hl.factors[f]),
                "share": f"{max(hl.factors[f], 0.0) / extra:.0%}" if extra > 0 else "–",
                "colour": FACTOR_COLOURS[f], "meaning": FACTOR_MEANING[f]}
               for f in sorted(FACTORS, key=lambda f: -hl.factors[f])]
    shares = d["surface"]["shares"]
    surface = [{"name": name, "colour": SURFACE_COLOURS[code], "share": f"{shares[name]:.0%}"}
               for code, name in sorted(enumerate(SURFACE_CLASSES), key=lambda cn: (cn[0] == 0, cn[0]))]
    raw = list(d["surface"]["raw_shares"].items())[:8]
    drift = d["form"]["drift"]
    form = [{"label": FORM_LABELS[k].label, "value": FORM_LABELS[k].format(v),
             "drift": "–" if drift.get(k) is None else FORM_LABELS[k].format(drift[k], signed=True)}
            for k, v in a.form.averages.items() if v is not None and k in FORM_LABELS]
    return {
        "title": title,
        "source": shown_source(act.source),  # the name only: a report is shared
        "when": when,
        "sport": sport,
        "device": printable(act.device) if act.device else act.device,
        "index": None if hl.index is None else f"{hl.index:.3f}",
        "index_colour": load_colour(hl.index),
        "index_withheld": d["hip_load"].get("not_computed"),
        "total": None if hl.total is None else f"{hl.total:.2f}",
        "headline": _headline(a, d),
        "load_map": load_map,
        "surface_map": surface_map,
        "has_positions": course.has_positions,
        "has_elevation": act.has_elevation,
        "basemap": basemap,
        "legend": legend,
        "legend_max": f"{hi:.2f}+",
        "profile": profile,
        "factors": factors,
        "factor_bar": factor_bar_svg(hl.factors, FACTOR_COLOURS),
        "factor_names": [FACTOR_LABELS[f] for f in FACTORS],
        "per_km": [_split_row(s, act.has_elevation) for s in a.per_km],
        "advice": a.advice,
        "surface": surface,
        "surface_source": a.surface.source,
        "surface_from": SURFACE_SOURCES.get(a.surface.source, a.surface.source),
        "surface_raw": [(label, f"{share:.0%}") for label, share in raw],
        "form": form,
        "notes": a.notes,
        "version": __version__,
    }


#: Suffixes of a recording's file name that a report's name leaves out (``run.fit.gz`` -> ``run``).
_FORMAT_SUFFIXES = (".fit", ".gpx", ".tcx")


def _stem(name: str) -> str:
    """``name`` without ``.gz`` and then one format suffix (``run.fit.gpx`` -> ``run.fit``)."""
    for suffixes in ((".gz",), _FORMAT_SUFFIXES):
        suffix = next((s for s in suffixes if name.lower().endswith(s) and len(name) > len(s)), "")
        name = name[: len(name) - len(suffix)]
    return name


def report_file_names(sources: Sequence[str | os.PathLike[str]]) -> list[str]:
    """One HTML file name per recording, all different, in the order given.

    A report is named after its recording without the format's suffix (``run.fit`` ->
    ``run.html``). Where two recordings share that stem (``run.fit`` and ``run.gpx``) both keep
    their full file name (``run.fit.html``, ``run.gpx.html``); where even that is shared (the same
    name in two folders, or one file given twice) a number follows (``run.fit-2.html``). Names are
    compared without case, so no two reports collide on a file system that ignores it.
    """
    names = [Path(os.fspath(s)).name or "run" for s in sources]
    stems = [_stem(n) for n in names]
    counts = Counter(s.casefold() for s in stems)
    taken: set[str] = set()
    out = []
    for name, stem in zip(names, stems, strict=True):
        base = name if counts[stem.casefold()] > 1 else stem
        candidate, n = base, 1
        while candidate.casefold() in taken:
            n += 1
            candidate = f"{base}-{n}"
        taken.add(candidate.casefold())
        out.append(candidate + ".html")
    return out


def map_basemap(analysis: RunAnalysis, home: str | Path | None = None
                ) -> Basemap | None:
    """The ways of the stored map the run's surface came from, coloured by surface, to draw
    under the track (``None`` when no map was used)."""
    name = analysis.surface.map_name
    if name is None:
        return None
    from hipstride.map.surfaces import MapChoice, load_chosen_map

    net = load_chosen_map(MapChoice(name, None), home)
    return network_basemap(net, analysis.course.lat_deg, analysis.course.lon_deg)


def render_html_report(analysis: RunAnalysis, *, basemap: Basemap | None = None) -> str:
    """The report as one HTML document (a string); see :func:`write_html_report`."""
    return render("report.html.j2", **_context(analysis, basemap))


def write_html_report(analysis: RunAnalysis, out: str | os.PathLike[str], *,
                      basemap: Basemap | None = None) -> Path:
    """Write the self-contained HTML report of one run to ``out`` (atomically) and return its path.

    A reader never sees half a report (see :func:`hipstride._files.write_atomic`). ``basemap``
    (e.g. OpenStreetMap streets) is drawn under the track with its attribution.
    """
    return write_atomic(out, render_html_report(analysis, basemap=basemap))
