"""The self-contained HTML report: one offline file, the map, the tables, escaped text, no GPS."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from markupsafe import escape

from hipstride.activity import Activity
from hipstride.analysis.run import RunAnalysis, analyze_activity
from hipstride.io import read_activity
from hipstride.report._svg import ChartFrame, MapFrame, date_labels, nice_step, path_d
from hipstride.report.run_map import LOAD_COLOURS, load_bins
from hipstride.report.run_page import Basemap, render_html_report, write_html_report
from hipstride.track.form import FORM_CHANNELS, FORM_LABELS
from tests.conftest import data_path

#: Anything that would make a browser fetch something from the network.
REMOTE = re.compile(r"""(src|href|action|poster|data)\s*=\s*["']?\s*(https?:)?//|url\(\s*["']?\s*(https?:)?//"""
                    r"""|@import|<script|<link|<iframe|<object|<embed""", re.IGNORECASE)


def synthetic_run(*, name: str | None = "Square loop", positions: bool = True,
                  elevation: bool = True, n: int = 1500) -> Activity:
    """A 1 Hz run at 3 m/s around a 250 m square (sharp corners), over a gentle hill."""
    t = np.arange(n, dtype=np.float64)
    s = 3.0 * t
    side = 250.0
    u = np.mod(s, 4 * side)
    leg = (u // side).astype(int)
    f = u - leg * side
    x = np.select([leg == 0, leg == 1, leg == 2], [f, np.full(n, side), side - f], np.zeros(n))
    y = np.select([leg == 0, leg == 1, leg == 2], [np.zeros(n), f, np.full(n, side)], side - f)
    lat = 60.17 + y / 111_195.0
    lon = 24.94 + x / (111_195.0 * np.cos(np.radians(60.17)))
    nan = np.full(n, np.nan)
    return Activity(
        source="square.gpx", start_time_utc=datetime(2024, 6, 1, 6, 0, tzinfo=UTC), time_s=t,
        lat_deg=lat if positions else nan, lon_deg=lon if positions else nan,
        elevation_m=20.0 + 8.0 * np.sin(s / 400.0) if elevation else nan,
        distance_m=s, speed_mps=np.full(n, 3.0), channels={"cadence_spm": np.full(n, 170.0)},
        sport="running", sub_sport=None if positions else "treadmill", name=name)


def report(tmp_path: Path, analysis: RunAnalysis, **kwargs: object) -> str:
    out = tmp_path / "report.html"
    write_html_report(analysis, out, **kwargs)  # type: ignore[arg-type]
    return out.read_text(encoding="utf-8")


def assert_offline(html: str) -> None:
    assert REMOTE.search(html) is None, REMOTE.search(html)
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in html


# --- synthetic runs -------------------------------------------------------------------------------

def test_one_offline_file_with_map_profile_and_tables(tmp_path: Path) -> None:
    a = analyze_activity(synthetic_run())
    html = report(tmp_path, a)
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]  # nothing half-written left
    assert html.startswith("<!DOCTYPE html>")
    assert html.rstrip().endswith("</html>")
    assert_offline(html)
    assert html.count('<svg class="map"') == 1  # one surface everywhere: no surface map
    assert '<svg class="profile"' in html
    assert '<svg class="factors"' in html
    assert html.count('<tr class="split">') == len(a.per_km) == 5
    assert a.turns
    assert html.count('class="turn sharp"') >= 2 * sum(t.sharp for t in a.turns)
    for item in a.advice:
        assert str(escape(item.text)) in html
        assert str(escape(item.evidence)) in html
    assert "does not diagnose" in html
    assert "lower back or knees" in html
    assert "OpenStreetMap" not in html  # no basemap, no attribution


def test_activity_name_and_source_are_escaped(tmp_path: Path) -> None:
    act = synthetic_run(name='<script>alert("x")</script><img src=x onerror=alert(1)>')
    act.source = "runs/<i>evil<i onclick=x>.gpx"  # the report shows the name, not the folder
    html = report(tmp_path, analyze_activity(act))
    assert "<script" not in html
    assert "<img" not in html
    assert "<i>evil" not in html
    assert "&lt;script&gt;alert(" in html
    assert "&lt;i&gt;evil&lt;i onclick=x&gt;.gpx" in html
    assert "runs/" not in html


def test_treadmill_run_without_positions_or_elevation(tmp_path: Path) -> None:
    a = analyze_activity(synthetic_run(positions=False, elevation=False, name="Belt"))
    html = report(tmp_path, a)
    assert_offline(html)
    assert '<svg class="map"' not in html
    assert "no GPS track" in html
    assert "no elevation" in html
    assert '<svg class="profile"' in html  # hip load along the run is still drawn
    assert html.count('<tr class="split">') == len(a.per_km) > 0


def test_no_elevation_keeps_the_map(tmp_path: Path) -> None:
    html = report(tmp_path, analyze_activity(synthetic_run(elevation=False)))
    assert '<svg class="map"' in html
    assert "no elevation" in html
    assert ">elevation<" not in html


def test_basemap_is_drawn_with_its_attribution(tmp_path: Path) -> None:
    act = synthetic_run()
    lat = np.array([60.1695, 60.1725])
    streets = [(lat, np.array([24.9405, 24.9405])), (np.array([60.171, 60.171]), np.array([24.939, 24.945])),
               (np.array([10.0, 10.1]), np.array([10.0, 10.1]))]  # far away: left out
    html = report(tmp_path, analyze_activity(act), basemap=Basemap(streets))
    assert "© OpenStreetMap contributors" in html
    assert "ODbL" in html
    assert html.count('stroke="#cfd3d8"') == 1
    basemap_d = re.search(r'<path d="([^"]*)" fill="none" stroke="#cfd3d8"', html)
    assert basemap_d is not None
    assert basemap_d.group(1).count("M") == 2


def test_overwrite_is_atomic_and_rendering_is_deterministic(tmp_path: Path) -> None:
    a = analyze_activity(synthetic_run())
    out = tmp_path / "sub" / "run.html"
    write_html_report(a, out)
    first = out.read_text(encoding="utf-8")
    write_html_report(a, out)
    assert out.read_text(encoding="utf-8") == first == render_html_report(a)
    assert [p.name for p in out.parent.iterdir()] == ["run.html"]


def test_failed_render_leaves_the_old_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a = analyze_activity(synthetic_run())
    out = tmp_path / "run.html"
    out.write_text("old", encoding="utf-8")

    def broken(*args: object, **kwargs: object) -> str:
        raise RuntimeError("boom")

    monkeypatch.setattr("hipstride.report.run_page.render_html_report", broken)
    with pytest.raises(RuntimeError):
        write_html_report(a, out)
    assert out.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["run.html"]


# --- drawing helpers ------------------------------------------------------------------------------

def test_path_data_is_relative_and_does_not_drift() -> None:
    x = np.linspace(0.0, 100.0, 301)
    y = np.sin(x / 10.0) * 20.0 + 50.0
    d = path_d(x, y)
    moves = re.findall(r"([Ml])(-?\d+(?:\.\d+)?) ?(-?\d+(?:\.\d+)?)", d)
    assert "".join(f"{c}{a}{' ' if not b.startswith('-') else ''}{b}" for c, a, b in moves) == d
    assert [c for c, _, _ in moves].count("M") == 1
    assert len(moves) == 301
    assert sum(float(a) for _, a, _ in moves) == pytest.approx(100.0, abs=0.051)
    assert sum(float(b) for _, _, b in moves) == pytest.approx(y[-1], abs=0.051)


def test_load_bins_and_nice_steps() -> None:
    assert load_bins(np.array([0.9, 1.0, 1.2, 5.0, np.nan])).tolist() == [0, 0, 4, len(LOAD_COLOURS) - 1, 0]
    assert [nice_step(v) for v in (5.4, 37.0, 0.8, 250.0)] == [2.0, 10.0, 0.2, 50.0]


def test_map_frames_keep_the_aspect_ratio() -> None:
    lat = np.array([60.16, 60.18])  # about 2.2 km north-south
    lon = np.array([24.94, 24.95])  # about 0.55 km east-west
    tall = MapFrame.fit_longest(lat, lon, longest_px=900.0, pad_px=20.0)
    assert tall.height_px == pytest.approx(900.0)
    assert 200.0 < tall.width_px < 300.0
    _, y = tall.project(lat, lon)
    assert np.ptp(y) == pytest.approx(860.0, rel=1e-3)  # the longer side fills the frame
    wide = MapFrame.fit(lat, lon)  # fixed width, height within its limits
    assert wide.width_px == 760.0
    assert wide.height_px == 760.0


def test_date_labels_never_run_together() -> None:
    frame = ChartFrame()
    days = [date(2024, 1, 1) + timedelta(days=7 * k) for k in range(12)]
    xs = [frame.x(k, 0, 11) for k in range(12)]
    labels = re.findall(r'<text x="(\d+)"', date_labels(frame, days, xs))
    gaps = np.diff([int(x) for x in labels])
    assert len(labels) >= 4
    assert gaps.min() >= 80  # room for "2024-03-18"


def test_every_form_metric_has_a_label() -> None:
    assert set(FORM_LABELS) == set(FORM_CHANNELS)
    assert FORM_LABELS["cadence_spm"].format(171.6) == "172 steps/min"
    assert FORM_LABELS["step_length_m"].format(-0.034, signed=True) == "-0.03 m"


# --- real recordings ------------------------------------------------------------------------------

@pytest.mark.parametrize(("relative", "has_map"), [
    ("fit/runpandas__run.fit", True),                  # hilly trail run, barometric altitude
    ("fit/elevate__portland.fit", True),               # 16 km with running dynamics
    ("fit/gpsbabel__garmin-forerunner-10.fit", True),  # no altitude at all
    ("fit/elevate__treadmill.fit", False),             # treadmill: no positions
    ("tcx/runpandas__run.tcx", True),
    ("gpx/runpandas__strava_export.gpx", True),
])
def test_real_recordings(tmp_path: Path, relative: str, has_map: bool) -> None:
    a = analyze_activity(read_activity(data_path(relative)))
    out = tmp_path / "report.html"
    write_html_report(a, out)
    html = out.read_text(encoding="utf-8")
    assert_offline(html)
    assert ('<svg class="map"' in html) is has_map
    assert html.count('<tr class="split">') == len(a.per_km)
    assert out.stat().st_size < 400_000
    for item in a.advice:
        assert str(escape(item.text)) in html


def test_long_run_is_thinned(tmp_path: Path) -> None:
    a = analyze_activity(read_activity(data_path("fit/elevate__loup-blanc.fit")))  # 37 km
    assert len(a.course) > 6000
    html = report(tmp_path, a)
    load_map = html[html.index('<svg class="map"'):]
    load_map = load_map[:load_map.index("</svg>")]
    steps = len(re.findall(r"l-?\d", load_map))  # relative steps of the track: casing and colours
    assert 2000 < steps <= 2 * 3000
    assert len(html.encode()) < 400_000
