"""Developer fields in FIT files (Stryd power, Leg Spring Stiffness, Form Power, ...).

A FIT file declares each developer (Connect IQ) field in two steps: a ``developer_data_id`` message
gives an application (a 16-byte UUID) a *developer data index*, then ``field_description`` messages
give each of that application's field numbers a name, a base type and units. Records then carry
values by (developer data index, field number).

garmin-fit-sdk exposes the values of a message as ``message["developer_fields"] = {key: value}``
where ``key`` is the position of the matching ``field_description`` message in
``messages["field_description_mesgs"]`` (it neither scales the values nor drops invalid ones).
This module turns those keys into stable, named channels:

* a field is identified by ``(application, field number, field name)``; the application is its
  UUID when the file gives one (else its developer data index), so the same Stryd field in every
  part of a chained file, or redeclared later in one file, lands in one channel;
* the channel is named ``"dev:<field name>"``; when two different fields share a name (two apps
  both writing "Power"), the one declared later gets ``" (2)"``, ``" (3)"``, ... appended, in order
  of first declaration in the file, so names are deterministic;
* values equal to the base type's invalid sentinel, NaN, strings and arrays become missing; the
  description's scale and offset are applied (``value / scale - offset``, as for native fields).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from garmin_fit_sdk import BASE_TYPE_DEFINITIONS

__all__ = ["DevField", "DevNamer", "app_identity", "describe", "dev_value"]

#: (application, field definition number, field name)
DevKey = tuple[str, int, str]

_BASE_TYPE_MASK = 0x1F
_FLOAT_BASE_TYPES = frozenset({0x08, 0x09})
_NON_NUMERIC_BASE_TYPES = frozenset({0x07})  # string


@dataclass(frozen=True)
class DevField:
    """One developer field as its ``field_description`` message declares it."""

    key: DevKey
    units: str
    base_type: int | None
    scale: float | None
    offset: float | None


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value


def _as_number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def app_identity(message: dict[str, Any]) -> str | None:
    """Identify the application of a ``developer_data_id`` message: its UUID, else its index."""
    index = _as_int(message.get("developer_data_index"))
    uuid = message.get("application_id")
    if isinstance(uuid, bytes | bytearray):
        uuid = list(uuid)
    if isinstance(uuid, list | tuple) and any(isinstance(b, int) and b for b in uuid):
        return "".join(f"{b & 0xFF:02x}" if isinstance(b, int) else "??" for b in uuid)
    return None if index is None else f"index {index}"


def describe(message: dict[str, Any], app: str | None) -> DevField | None:
    """Build a :class:`DevField` from a ``field_description`` message (``None`` if unusable).

    Parameters
    ----------
    message
        The decoded ``field_description`` message (raw values).
    app
        The identity of the application that owned its developer data index when it was declared
        (see :func:`app_identity`), or ``None`` when no ``developer_data_id`` declared it.
    """
    number = _as_int(message.get("field_definition_number"))
    if number is None:
        return None
    index = _as_int(message.get("developer_data_index"))
    raw_name = message.get("field_name")
    name = raw_name.strip().strip("\0").strip() if isinstance(raw_name, str) else ""
    if not name:
        name = f"field {number}"
    units = message.get("units")
    base = _as_int(message.get("fit_base_type_id"))
    scale = _as_number(message.get("scale"))
    offset = _as_number(message.get("offset"))
    return DevField(
        key=(app if app is not None else f"index {index}", number, name),
        units=units.strip().strip("\0") if isinstance(units, str) else "",
        base_type=None if base is None else base & _BASE_TYPE_MASK,
        scale=scale if scale not in (None, 0.0) else None,
        offset=offset if offset not in (None, 0.0) else None,
    )


def dev_value(field: DevField, value: Any) -> float | None:
    """Return a developer field's value as a float in its declared units, or ``None``."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None  # strings, arrays, bytes: not a channel value
    base = field.base_type
    if base in _NON_NUMERIC_BASE_TYPES:
        return None
    if isinstance(value, int) and base is not None and base not in _FLOAT_BASE_TYPES:
        definition = BASE_TYPE_DEFINITIONS.get(base)
        if definition is not None and value == definition["invalid"]:
            return None
    number = float(value)
    if not math.isfinite(number):
        return None
    if field.scale is not None:
        number /= field.scale
    if field.offset is not None:
        number -= field.offset
    return number


class DevNamer:
    """Give each developer field a unique ``"dev:<name>"`` channel name, in order of appearance."""

    def __init__(self) -> None:
        self._names: dict[DevKey, str] = {}
        self._taken: set[str] = set()

    def name(self, key: DevKey) -> str:
        """Return the channel name of ``key``, assigning one on first use."""
        known = self._names.get(key)
        if known is not None:
            return known
        base = f"dev:{key[2]}"
        candidate, n = base, 2
        while candidate in self._taken:
            candidate = f"{base} ({n})"
            n += 1
        self._names[key] = candidate
        self._taken.add(candidate)
        return candidate
