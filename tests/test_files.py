"""The one atomic writer: whole files or none, and one-line errors when the file system says no."""

from __future__ import annotations

import errno
from pathlib import Path
from typing import IO

import pytest

from hipstride._files import write_atomic
from hipstride.errors import InputError


def test_text_bytes_and_a_writer_land_whole(tmp_path: Path) -> None:
    assert write_atomic(tmp_path / "a" / "b.txt", "héllo\n").read_text(encoding="utf-8") == "héllo\n"
    assert write_atomic(tmp_path / "c.bin", b"\x00\x01").read_bytes() == b"\x00\x01"
    out = write_atomic(tmp_path / "d.bin", lambda fh: fh.write(b"xyz"))
    assert out.read_bytes() == b"xyz"
    assert out.stat().st_mode & 0o777 == 0o644
    assert sorted(p.name for p in tmp_path.rglob(".*.tmp")) == []


def test_a_full_disk_keeps_the_old_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    out.write_text("the good report", encoding="utf-8")

    def full(fh: IO[bytes]) -> None:
        fh.write(b"half a rep")
        raise OSError(errno.ENOSPC, "No space left on device")

    with pytest.raises(InputError, match=r"report\.html: cannot write: No space left on device"):
        write_atomic(out, full)
    assert out.read_text(encoding="utf-8") == "the good report"
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_a_folder_that_cannot_exist_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match=r"not-a-folder/out\.gpx: cannot write: .*not-a-folder "
                                         r"is a file, not a folder"):
        write_atomic(blocker / "out.gpx", "<gpx/>")
    with pytest.raises(InputError, match=r"not-a-folder is a file, not a folder"):
        write_atomic(blocker / "deeper" / "out.gpx", "<gpx/>")


def test_other_failures_propagate_unchanged(tmp_path: Path) -> None:
    def broken(fh: IO[bytes]) -> None:
        raise ValueError("a bug, not the disk")

    with pytest.raises(ValueError, match="a bug"):
        write_atomic(tmp_path / "x", broken)
    assert list(tmp_path.iterdir()) == []
