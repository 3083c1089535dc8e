"""Package faces whose names load on first use (PEP 562).

A package's ``__init__`` that imported every module it offers would make each command pay for
all of them at start-up (``import hipstride.map.store`` runs ``hipstride/map/__init__.py``
first). :func:`lazy_names` gives such a face its ``__getattr__`` and ``__dir__``: a name is
imported from its home module the first time it is asked for, then kept in the package.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping

__all__ = ["lazy_names"]


def lazy_names(package: str, homes: Mapping[str, str], namespace: dict[str, object],
               ) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package``.

    ``homes`` maps each offered name to the module that defines it: absolute
    (``"hipstride.io"``) or relative to the package (``".store"``). ``namespace`` is the
    package's ``globals()``, where a loaded name is kept so that the next access is plain.
    """

    def getattr_(name: str) -> object:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(home, package), name)
        namespace[name] = value
        return value

    def dir_() -> list[str]:
        return sorted({*namespace, *homes})

    return getattr_, dir_
