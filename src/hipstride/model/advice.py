"""Advice from a run's hip-load result: each item names the guidance it serves, the measurement
behind it, and the strength of the evidence. Educational wording; never a diagnosis."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from hipstride.model.profile import Profile
from hipstride.track.course import GRADE_BASELINE_M

__all__ = ["Advice", "RunFacts", "advise"]


@dataclass(frozen=True)
class Advice:
    """One piece of advice.

    ``factor`` is the model factor (or form metric) it comes from; ``guidance`` the point of the
    guidance it serves; ``measurement`` what was measured in this run; ``evidence`` the grade and
    sources (docs/hip-load-model.md).
    """

    factor: str
    guidance: str
    text: str
    measurement: str
    evidence: str

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


@dataclass(frozen=True)
class RunFacts:
    """The measurements advice is drawn from."""

    distance_km: float
    contributions: dict[str, float]
    steep_descent_km: float
    min_grade_pct: float | None
    steep_climb_km: float
    max_grade_pct: float | None
    sharp_turns: int
    sharp_turns_per_km: float
    sharp_left: int
    sharp_right: int
    hard_share: float
    unknown_share: float
    surface_source: str
    cadence_deficit_pct: float | None
    balance_left_pct: float | None
    running: bool


def advise(facts: RunFacts, profile: Profile) -> list[Advice]:
    """Advice items, most important first (largest contribution to the hip-load index)."""
    floor = profile.advice.min_contribution
    items: list[tuple[float, Advice]] = []
    c = facts.contributions

    if c["downhill"] >= floor and facts.min_grade_pct is not None:
        items.append((c["downhill"], Advice(
            "downhill", "Prefer flat routes; if hilly, gentle descents.",
            "Steep descents added the most braking load in this run. Choose routes whose descents "
            "stay gentler, shorten your step and keep cadence up on the way down, or walk the steepest parts.",
            f"{facts.steep_descent_km:.2f} km steeper than -{profile.downhill.threshold_pct:g} % "
            f"(steepest {facts.min_grade_pct:.0f} % over {GRADE_BASELINE_M:g} m); "
            f"+{c['downhill']:.3f} to the index",
            "strong mechanism: impact and braking peaks rise on descents (Gottschall & Kram 2005; Telhan 2010)")))
    if c["uphill"] >= floor and facts.max_grade_pct is not None:
        items.append((c["uphill"], Advice(
            "uphill", "Prefer flat routes; if hilly, gradual inclines.",
            "Steep climbs asked a lot of the hip extensors. Gradual inclines build tolerance more gently.",
            f"{facts.steep_climb_km:.2f} km steeper than +{profile.uphill.threshold_pct:g} % "
            f"(steepest +{facts.max_grade_pct:.0f} % over {GRADE_BASELINE_M:g} m); "
            f"+{c['uphill']:.3f} to the index",
            "moderate: propulsive forces and hip extensor work rise uphill (Gottschall & Kram 2005)")))
    many = facts.sharp_turns_per_km >= profile.advice.sharp_turns_per_km
    if many or c["turns"] >= floor:
        what = ("This course had many sharp turns, each a sideways load the hip muscles must absorb. "
                "A route with fewer corners, or with wide bends instead of tight ones, removes most of them"
                if many else
                "Changes of direction added sideways load that the hip muscles must absorb. Wide bends load "
                "the hip less than tight corners at the same speed")
        items.append((max(c["turns"], floor), Advice(
            "turns", "Avoid frequent, sharp changes of direction; prefer straight, smooth paths.",
            f"{what}; slow down into the tight turns you keep.",
            f"{facts.sharp_turns} sharp turns ({facts.sharp_turns_per_km:.1f} per km; "
            f"{facts.sharp_left} left, {facts.sharp_right} right); +{c['turns']:.3f} to the index",
            "weak: turning cost rises with speed and tighter radius; direct hip evidence is thin")))
    if facts.hard_share >= profile.advice.hard_share:
        items.append((max(c["surface"], floor / 2), Advice(
            "surface", "Prefer soft surfaces (dirt trails, running tracks, a treadmill) over pavement.",
            "Most of this run was on hard ground. Moving part of it to grass or dirt paths softens each "
            "landing; a track or a treadmill gives even, predictable ground. Mind uneven ground on "
            "trails, and change surfaces gradually.",
            f"{facts.hard_share * 100:.0f} % hard surface (from {facts.surface_source}); "
            f"+{c['surface']:.3f} to the index",
            "weak: grass lowered plantar pressure 9-17 % against asphalt, while a rubber track "
            "behaved like asphalt (Tessutti 2012, J Sports Sci); tracks and treadmills are the "
            "physician's guidance, not that study's finding")))
    elif facts.unknown_share >= 0.5 and facts.running:
        items.append((0.0, Advice(
            "surface", "Prefer soft surfaces where you can.",
            "hipstride does not know the surface of most of this run, so surface counts as neutral. "
            "Tell it the surface you ran on, or match the run to a map once one is imported.",
            f"{facts.unknown_share * 100:.0f} % unknown surface",
            "weak: surface effects on the hip are small and uncertain (Tessutti 2012, J Sports Sci: "
            "foot pressure, not hip load)")))
    if facts.cadence_deficit_pct is not None and c["cadence"] >= floor:
        items.append((c["cadence"], Advice(
            "cadence", "Avoid over-striding: longer strides shift load to the hip and lower back.",
            "Your step rate was below your own usual rate at these speeds. Aim for about 5 % more steps "
            "per minute than your baseline (never a fixed 180), building up over weeks.",
            f"step rate {facts.cadence_deficit_pct:.1f} % below your baseline; +{c['cadence']:.3f} to the index",
            "moderate: +10 % step rate lowers hip loading (Heiderscheit 2011; Lenhart 2014, "
            "J Orthop Sports Phys Ther)")))
    if facts.balance_left_pct is not None and abs(facts.balance_left_pct - 50.0) >= profile.advice.balance_points:
        side = "left" if facts.balance_left_pct > 50 else "right"
        items.append((0.0, Advice(
            "balance", "Watch for compensations: limping or favouring one side moves load elsewhere.",
            f"You spent longer on the {side} foot than the other. A small imbalance is common; if it grows "
            "or comes with pain, mention it to a physiotherapist.",
            f"stance-time balance {facts.balance_left_pct:.1f} % left",
            "measurement: ground contact time balance from the running-dynamics sensor")))
    items.sort(key=lambda pair: -pair[0])
    return [a for _, a in items]
