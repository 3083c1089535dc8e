"""Saying in plain words what is wrong with a FIT part that neither decoder could read.

garmin-fit-sdk and fitdecode stop with their own internal texts ("Invalid field definition base
type", a bare ``KeyError: 23``, "can only concatenate str …"), which tell a runner nothing. When
both fail, :func:`explain` walks the part's records once more, checking only the layout the FIT
protocol (Garmin's *FIT Protocol* document, "Record header" and "Definition message") fixes:

* every data record names a local message type that a definition record declared before it;
* every field definition gives one of the 17 base types, and a size that is a whole number of
  values of that type;
* every developer field names a developer data index that a ``developer_data_id`` message
  declared, and each ``field_description`` gives a base type FIT knows;
* no record runs into the checksum.

It returns the first rule broken, with the byte where it is broken and what was expected there.
The walk is pure Python, one step per record, and runs only for a part already known to be broken.
"""

from __future__ import annotations

__all__ = ["explain"]

#: FIT base types (number after masking with 0x1F) -> (name, size in bytes).
BASE_TYPES: dict[int, tuple[str, int]] = {
    0: ("enum", 1), 1: ("sint8", 1), 2: ("uint8", 1), 3: ("sint16", 2), 4: ("uint16", 2),
    5: ("sint32", 4), 6: ("uint32", 4), 7: ("string", 1), 8: ("float32", 4), 9: ("float64", 8),
    10: ("uint8z", 1), 11: ("uint16z", 2), 12: ("uint32z", 4), 13: ("byte", 1), 14: ("sint64", 8),
    15: ("uint64", 8), 16: ("uint64z", 8)}
_FIELD_DESCRIPTION, _DEVELOPER_DATA_ID = 206, 207


class _Definition:
    __slots__ = ("fields", "global_num", "size")

    def __init__(self, global_num: int, fields: list[tuple[int, int]], size: int) -> None:
        self.global_num = global_num
        self.fields = fields      # (field number, size) in order
        self.size = size          # bytes of one data record after its header byte


def _field_byte(record: bytes, definition: _Definition, number: int) -> int | None:
    """The first byte of field ``number`` in one data record, or ``None`` when it is absent."""
    at = 0
    for field, size in definition.fields:
        if field == number and size >= 1:
            return record[at]
        at += size
    return None


def explain(chunk: bytes, offset: int) -> tuple[str, int] | None:
    """The first rule of the FIT layout that the part ``chunk`` (at byte ``offset`` of the file)
    breaks, as ``(problem, byte in the file)``; ``None`` when its layout is sound (then a value
    inside a record is what the decoders could not take)."""
    end = len(chunk) - 2                     # the checksum
    pos = chunk[0] if chunk else 0           # the first record, after the header
    local: dict[int, _Definition] = {}
    developers: set[int] = set()
    while pos < end:
        at = offset + pos
        header = chunk[pos]
        if header & 0x40 and not header & 0x80:  # a definition record
            found = _definition(chunk, pos, end, header, developers, at)
            if isinstance(found, str):
                return found, at
            local[header & 0x0F], pos = found
            continue
        kind = (header >> 5) & 0x03 if header & 0x80 else header & 0x0F
        definition = local.get(kind)
        if definition is None:
            return (f"corrupt data at byte {at}: a record of local message type {kind}, but no "
                    f"definition of that type came before it (expected a definition record "
                    f"first)"), at
        if pos + 1 + definition.size > end:
            return (f"corrupt data at byte {at}: a record of {definition.size + 1} bytes runs "
                    f"{pos + 1 + definition.size - end} bytes into the file checksum at byte "
                    f"{offset + end}"), at
        record = chunk[pos + 1:pos + 1 + definition.size]
        if definition.global_num == _DEVELOPER_DATA_ID:
            index = _field_byte(record, definition, 3)
            if index is not None:
                developers.add(index)
        elif definition.global_num == _FIELD_DESCRIPTION:
            base = _field_byte(record, definition, 2)
            if base is not None and base & 0x1F not in BASE_TYPES:
                return (f"corrupt developer field description at byte {at}: base type "
                        f"{base & 0x1F}, which FIT does not define (expected 0 to 16)"), at
        pos += 1 + definition.size
    return None


def _definition(chunk: bytes, pos: int, end: int, header: int, developers: set[int],
                at: int) -> tuple[_Definition, int] | str:
    """The definition record at ``pos`` and where the next record starts, or what is wrong."""
    if pos + 6 > end:
        return f"corrupt data at byte {at}: a definition record cut off by the file checksum"
    big_endian = chunk[pos + 2] == 1
    if chunk[pos + 2] not in (0, 1):
        return (f"corrupt definition record at byte {at}: architecture byte {chunk[pos + 2]} "
                f"(expected 0 for little-endian or 1 for big-endian)")
    global_num = int.from_bytes(chunk[pos + 3:pos + 5], "big" if big_endian else "little")
    count = chunk[pos + 5]
    fields_end = pos + 6 + 3 * count
    if fields_end > end:
        return (f"corrupt definition record at byte {at}: it declares {count} fields, more than "
                f"fit before the file checksum")
    fields = []
    for i in range(pos + 6, fields_end, 3):
        number, size, base = chunk[i], chunk[i + 1], chunk[i + 2] & 0x1F
        if base not in BASE_TYPES:
            return (f"corrupt definition record at byte {at}: field {number} of message {global_num} "
                    f"has base type {base}, which FIT does not define (expected 0 to 16)")
        name, unit = BASE_TYPES[base]
        if size == 0 or size % unit:
            return (f"corrupt definition record at byte {at}: field {number} of message "
                    f"{global_num} is {size} bytes, not a whole number of {name} values "
                    f"({unit} bytes each)")
        fields.append((number, size))
    size = sum(s for _, s in fields)
    next_pos = fields_end
    if header & 0x20:  # developer fields follow
        if fields_end + 1 > end:
            return f"corrupt definition record at byte {at}: cut off by the file checksum"
        dev_count = chunk[fields_end]
        if fields_end + 1 + 3 * dev_count > end:
            return (f"corrupt definition record at byte {at}: it declares {dev_count} developer "
                    f"fields, more than fit before the file checksum")
        for i in range(fields_end + 1, fields_end + 1 + 3 * dev_count, 3):
            if chunk[i + 2] not in developers:
                return (f"corrupt definition record at byte {at}: a developer field of "
                        f"developer data index {chunk[i + 2]}, which no developer_data_id "
                        f"message declared before it")
            size += chunk[i + 1]
        next_pos = fields_end + 1 + 3 * dev_count
    return _Definition(global_num, fields, size), next_pos
