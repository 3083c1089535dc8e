"""Where hipstride keeps a runner's data: the home folder.

Resolution order: an explicit ``--home DIR``, then the ``HIPSTRIDE_HOME`` environment variable,
then the platform's user data folder (``~/.local/share/hipstride`` on Linux).
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["home_dir"]


def home_dir(explicit: str | os.PathLike[str] | None = None, *, create: bool = True) -> Path:
    """Return the hipstride home folder, creating it (mode 0700) unless ``create`` is False.

    Raises :class:`~hipstride.errors.StorageError` naming the folder when it cannot be created.
    """
    if explicit is not None:
        path = Path(explicit)
    elif os.environ.get("HIPSTRIDE_HOME"):
        path = Path(os.environ["HIPSTRIDE_HOME"])
    else:
        from platformdirs import user_data_dir

        path = Path(user_data_dir("hipstride", appauthor=False))
    path = path.expanduser()
    if create:
        try:
            path.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:  # a read-only or missing parent, a file in the way, no permission
            from hipstride.errors import StorageError

            raise StorageError(f"{path}: cannot create the hipstride home folder "
                               f"({exc.strerror or exc})") from None
    return path
