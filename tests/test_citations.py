"""The sources are cited as they are: the right paper, the right journal, what it found."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _texts() -> dict[str, str]:
    files = [*ROOT.glob("src/hipstride/**/*.py"), *ROOT.glob("src/hipstride/**/*.toml"),
             *ROOT.glob("src/hipstride/**/*.j2"), *ROOT.glob("docs/*.md"), ROOT / "README.md"]
    return {str(p.relative_to(ROOT)): p.read_text(encoding="utf-8") for p in files}


def test_lenhart_2014_is_the_jospt_paper() -> None:
    doc = (ROOT / "docs" / "hip-load-model.md").read_text(encoding="utf-8")
    assert "Hip muscle loads during running at various step rates. J Orthop Sports Phys Ther 2014" in doc
    for name, text in _texts().items():
        for line in text.splitlines():
            assert not ("Lenhart" in line and "Med Sci Sports" in line), name


def test_tessutti_2012_is_j_sports_sci_and_never_backs_a_soft_track() -> None:
    doc = (ROOT / "docs" / "hip-load-model.md").read_text(encoding="utf-8")
    assert "J Sports Sci 2012;30(14)" in doc
    assert "rubber track behaved like asphalt" in doc.replace("\n", " ")
    for name, text in _texts().items():
        flat = " ".join(text.split())
        for at in range(len(flat)):
            at = flat.find("Tessutti", at)
            if at < 0:
                break
            around = flat[max(0, at - 300):at + 300]
            assert "J Sci Med Sport" not in around, name
            if "track" in around:  # a track is mentioned only to say the study does not back it
                assert "like asphalt" in around or "matched asphalt" in around, (name, around)


def test_nielsen_2014_gives_its_uncertainty_wherever_it_backs_advice() -> None:
    for name, text in _texts().items():
        if "Nielsen 2014" in text and name.endswith((".py", ".toml", ".j2")):
            assert "0.96" in text or "signal" in text, name


def test_bleakley_2006_is_labelled_an_ankle_sprain_extrapolation() -> None:
    for name, text in _texts().items():
        for line in text.splitlines():
            if "Bleakley" in line and name.endswith(".toml"):
                assert "ankle" in line, (name, line)
                assert "extrapolated" in line, (name, line)
