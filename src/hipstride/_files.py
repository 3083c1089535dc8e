"""The one way hipstride writes a file: to a temporary file beside it, flushed to disk, then renamed.

A reader (or a crash, or a full disk) therefore sees either the old file or the whole new one,
never a truncated one. Every writer in the package goes through :func:`write_atomic`.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import IO

from hipstride.errors import InputError

__all__ = ["write_atomic"]


def write_atomic(path: str | os.PathLike[str], content: str | bytes | Callable[[IO[bytes]], object],
                 *, mode: int = 0o644, encoding: str = "utf-8") -> Path:
    """Write ``content`` to ``path`` atomically and return the path.

    ``content`` is text (encoded with ``encoding``, newlines kept as given), bytes, or a function
    that writes bytes to the open file it is handed. Missing parent folders are created. The
    finished file gets permission bits ``mode`` (``0o644``: an ordinary document; ``mkstemp``
    alone would leave it private). On any failure the temporary file is removed, the previous
    file at ``path`` (if any) is untouched, and the exception propagates; a failure of the
    file system itself (a full disk, a read-only or missing folder, no permission) becomes an
    :class:`~hipstride.errors.InputError` naming the file, so every command that writes ends in
    one line instead of a traceback.
    """
    import tempfile  # here, not at the top: most commands never write, and start-up counts

    out = Path(path)
    folder = out.parent  # Path("name").parent is Path("."), never empty
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{out.name}.", suffix=".tmp")
    except OSError as exc:
        blocker = next((p for p in (folder, *folder.parents) if p.exists()), None)
        if isinstance(exc, FileExistsError | NotADirectoryError) and blocker is not None \
                and not blocker.is_dir():
            raise InputError(f"{out}: cannot write: {blocker} is a file, not a folder") from exc
        raise InputError(f"{out}: cannot write: {exc.strerror or exc}") from exc
    try:
        with os.fdopen(fd, "wb") as fh:
            if isinstance(content, str):
                fh.write(content.encode(encoding))
            elif isinstance(content, bytes | bytearray | memoryview):
                fh.write(content)
            else:
                content(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, out)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise InputError(f"{out}: cannot write: {exc.strerror or exc}") from exc
        raise
    return out
