"""Properties of the daily decision over many random journal histories (seeded, so repeatable).

Raising a recent pain value or adding a red flag never makes the decision less cautious; logging
again what is already known (the same entry twice, or one day split into two entries) never
changes it.
"""

from __future__ import annotations

import dataclasses
import random
from datetime import date, timedelta

import pytest

from hipstride.journal.decision import Decision, decide
from hipstride.journal.entry import FLAGS, JournalEntry
from hipstride.journal.rules import DECISION_RANK

TODAY = date(2026, 6, 17)
PAINS = ("pain_morning", "pain_during", "pain_after")


def history(rng: random.Random) -> list[JournalEntry]:
    """Up to four weeks of journal as runners keep one: gaps, some days morning only."""
    out = []
    logged = rng.uniform(0.3, 0.9)
    for k in range(27, -1, -1):
        if rng.random() > logged:
            continue
        values = {name: rng.choice((None, 0, 1, 2, 3, 4, 5, 6, 7, 8)) for name in PAINS}
        out.append(JournalEntry(
            TODAY - timedelta(days=k), **values,  # type: ignore[arg-type]
            morning_stiffness_min=rng.choice((None, 5, 20, 40, 60)),
            where=rng.choice(([], ["hip"], ["groin"], ["hip", "knee"])),
            flags=[rng.choice(FLAGS)] if rng.random() < 0.02 else []))
    return out


def decision(entries: list[JournalEntry]) -> Decision:
    return decide(TODAY, entries, [], [], cadence_baseline_spm=None)


def rank(entries: list[JournalEntry]) -> int:
    return DECISION_RANK[decision(entries).decision]


SEEDS = range(200)


@pytest.mark.parametrize("seed", SEEDS)
def test_raising_a_recent_pain_or_adding_a_red_flag_is_never_less_cautious(seed: int) -> None:
    rng = random.Random(seed)
    entries = history(rng)
    if not entries:
        return
    base = rank(entries)
    recent = [i for i, e in enumerate(entries) if e.date > TODAY - timedelta(days=7)]
    if recent:
        i = rng.choice(recent)
        name = rng.choice(PAINS)
        raised = min(10, (getattr(entries[i], name) or 0) + rng.randint(1, 3))
        changed = [*entries]
        changed[i] = dataclasses.replace(entries[i])
        setattr(changed[i], name, raised)
        assert rank(changed) >= base, (seed, entries[i], name, raised)
    j = rng.randrange(len(entries))
    flagged = [*entries]
    flagged[j] = dataclasses.replace(entries[j], flags=[*entries[j].flags, rng.choice(FLAGS)])
    assert rank(flagged) >= base


@pytest.mark.parametrize("seed", SEEDS)
def test_logging_what_is_known_again_never_changes_the_decision(seed: int) -> None:
    rng = random.Random(1000 + seed)
    entries = history(rng)
    if not entries:
        return
    base = decision(entries)
    twice = decision([*entries, rng.choice(entries)])
    assert (twice.decision, twice.rules) == (base.decision, base.rules)
    i = rng.randrange(len(entries))
    e = entries[i]
    split = [*entries[:i], dataclasses.replace(e, pain_during=None, pain_after=None),
             dataclasses.replace(e, pain_morning=None, morning_stiffness_min=None),
             *entries[i + 1:]]
    again = decision(split)
    assert (again.decision, again.rules) == (base.decision, base.rules), seed
