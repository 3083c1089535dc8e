"""The fitdecode fallback: decode one FIT part with fitdecode (strict) into garmin-fit-sdk's layout.

garmin-fit-sdk cannot read compressed-timestamp records (FR70) and fails on some data of no known
kind; then the part is decoded again with fitdecode, whose messages are rearranged here into the
SDK's layout (``{"record_mesgs": [...], ...}``, raw timestamps, developer fields keyed by the
position of their ``field_description``) so that the assembly does not know which decoder ran.
fitdecode is imported only when a file needs it.
"""

from __future__ import annotations

import warnings
from typing import Any

from hipstride.io.fit._dev import DevField, app_identity, describe

__all__ = ["Message", "Messages", "decode_with_fitdecode"]

Message = dict[str, Any]
Messages = dict[str, list[Message]]


def decode_with_fitdecode(chunk: bytes) -> tuple[Messages, dict[int, DevField], Exception | None]:
    """Decode one FIT part with fitdecode (strict) into the SDK's layout, raw timestamps and all.

    Returns the messages decoded, their developer fields and the error that stopped decoding
    (``None`` when the whole part decoded and its CRC matched). fitdecode's warnings count as errors.
    """
    import fitdecode

    messages: Messages = {}
    fields: dict[int, DevField] = {}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            _fitdecode_messages(fitdecode, chunk, messages, fields)
    except Exception as exc:
        return messages, fields, exc
    return messages, fields, None


def _fitdecode_messages(fitdecode: Any, chunk: bytes, messages: Messages,
                        fields: dict[int, DevField]) -> None:
    owner: dict[int, str | None] = {}
    key_of: dict[tuple[int, int], int] = {}
    descriptions = messages.setdefault("field_description_mesgs", [])
    with fitdecode.FitReader(chunk, processor=fitdecode.DataProcessorBase(),
                             check_crc=fitdecode.CrcCheck.RAISE,
                             error_handling=fitdecode.ErrorHandling.RAISE) as reader:
        for frame in reader:
            if not isinstance(frame, fitdecode.FitDataMessage):
                continue
            if frame.name in ("developer_data_id", "field_description"):
                raw = {f.name: f.raw_value for f in frame.fields}
                index = raw.get("developer_data_index")
                if not isinstance(index, int):
                    continue
                if frame.name == "developer_data_id":
                    owner[index] = app_identity(raw)
                    continue
                key = len(descriptions)
                descriptions.append({**raw, "key": key})
                described = describe(raw, owner.get(index))
                if described is not None:
                    fields[key] = described
                    key_of[(index, described.key[1])] = key
                continue
            message: Message = {}
            developer: dict[int, Any] = {}
            for field_data in frame.fields:
                definition = field_data.field_def
                if definition is not None and definition.is_dev:
                    dev_key = key_of.get((definition.dev_data_index, definition.def_num))
                    if dev_key is not None:
                        developer[dev_key] = field_data.value
                elif message.get(field_data.name) is None:
                    message[field_data.name] = field_data.value
            if developer:
                message["developer_fields"] = developer
            messages.setdefault(f"{frame.name}_mesgs", []).append(message)
