"""The GPX fast path decodes a column of ``<time>`` stamps with NumPy; every stamp must come out
exactly as :func:`hipstride.io._xml.to_epoch` (``datetime.fromisoformat``) gives it, and a stamp
``to_epoch`` refuses must still be refused (the file then goes to the slow path)."""

from __future__ import annotations

import numpy as np
import pytest

from hipstride.io._columns_fast import decimals as _floats
from hipstride.io._columns_fast import epochs as _epochs
from hipstride.io._xml import to_epoch

STAMPS = [
    "2024-06-01T04:00:00Z", "1980-01-06T00:00:00Z", "2000-02-29T23:59:59Z", "2100-02-28T12:00:00Z",
    "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "1969-12-31T23:59:59Z", "2024-12-31T23:59:59Z",
]


@pytest.mark.parametrize("fraction", ["", ".5", ".123", ".999999", ".1234567", ".000000001"])
def test_one_layout_matches_to_epoch_exactly(fraction: str) -> None:
    column = tuple((s[:-1] + fraction + "Z").encode() for s in STAMPS)
    expected = [to_epoch(s.decode()) for s in column]
    assert _epochs(column).tolist() == expected


def test_mixed_layouts_and_missing_stamps() -> None:
    column = (b"2024-06-01T04:00:00Z", b"", b"2024-06-01T06:00:00+02:00", b"2024-06-01T04:00:01.25Z",
              b" 2024-06-01T04:00:02Z", b"2024-06-01T04:00:03")
    got = _epochs(column)
    assert np.isnan(got[1])
    expected = [to_epoch(s.decode()) for i, s in enumerate(column) if i != 1]
    assert np.delete(got, 1).tolist() == expected


@pytest.mark.parametrize("bad", [b"2023-02-29T00:00:00Z", b"2024-13-01T00:00:00Z",
                                 b"2024-06-31T00:00:00Z", b"2024-06-01T24:00:00Z",
                                 b"2024-06-01T23:60:00Z", b"0000-06-01T00:00:00Z",
                                 b"2024-06-01T23:59:60Z", b"2024-0a-01T00:00:00Z"])
def test_a_stamp_to_epoch_refuses_is_refused(bad: bytes) -> None:
    with pytest.raises(ValueError, match=r"\S"):  # the message varies with the defect
        to_epoch(bad.decode())
    with pytest.raises(ValueError, match=r"\S"):  # the message varies with the defect
        _epochs((b"2024-06-01T04:00:00Z", bad))


NUMBERS = (b"45.2000270", b"-122.4194155", b"1e3", b"0", b"5.", b".5", b"-0.0", b"007.50",
           b"0.1", b"0.3", b"123456789012345", b"1234567890123456", b"9.999999999999999",
           b"0.000000000000001234", b" 12.5", b"1_0", b"-7", b"179.9999999", b"-89.123456789")


def test_number_columns_match_float() -> None:
    rng = np.random.default_rng(3)
    randoms = tuple(f"{x:.{d}f}".encode() for x, d in zip(rng.uniform(-200, 200, 2000).tolist(),
                                                        rng.integers(0, 12, 2000).tolist(), strict=True))
    column = NUMBERS + randoms
    got = _floats(column)
    assert [np.copysign(1, v) for v in got.tolist()] == [np.copysign(1, float(x)) for x in column]
    assert got.tolist() == [float(x) for x in column]


def test_missing_and_bad_numbers() -> None:
    got = _floats((b"1.5", b"", b"nan", b"inf"))
    assert got[0] == 1.5
    assert np.isnan(got[1])
    assert np.isnan(got[2])
    assert got[3] == np.inf
    for bad in (b"twelve", b"-", b".", b"1-2", b"--1", b"1.2.3"):
        with pytest.raises(ValueError, match=r"\S"):  # the message varies with the defect
            _floats((b"12", bad))
