"""One check of the activity model's invariants, shared by the reader tests."""

from __future__ import annotations

from hipstride.activity import Activity, validate_activity


def assert_valid(activity: Activity, file_format: str, *, strictly_increasing: bool = False) -> None:
    """The activity keeps the model's contract (:func:`hipstride.activity.validate_activity`, which
    names every problem at once) and says it was read from ``file_format``."""
    validate_activity(activity, strictly_increasing=strictly_increasing)
    assert len(activity) >= 1
    assert activity.file_format == file_format
