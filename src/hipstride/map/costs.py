"""Arc costs for route search, built from the hip-load model's own terms.

Cost of running an arc (an edge in one direction), in *metres-equivalent* of flat, straight,
neutral ground, the unit of the model's index:

``length × max(1 + downhill(g) + uphill(g) + surface(class, confidence), MIN_MULTIPLIER)
× steps + bends``

* ``downhill``, ``uphill`` and ``surface`` are :func:`hipstride.model.hipload.downhill_load`,
  :func:`~hipstride.model.hipload.uphill_load` and :func:`~hipstride.model.hipload.surface_load`
  themselves, on the edge's grade in the direction of travel (an arc against the way flips it)
  and the edge's surface class and confidence: the terms a run on that edge is scored with.
* Bends use the model's turn term integrated over a bend
  (:func:`~hipstride.model.hipload.turn_load_per_rad_m`, at the profile's
  ``reference_speed_mps``): each bend of at least ``[planner] bend_min_deg``, at a junction
  (between the arcs' bearings measured :data:`BEARING_SPAN_M` along each way, like OSRM, to
  ignore mapping noise) or inside a way (between shape segments), costs that much per radian.
  A U-turn (from :data:`UTURN_DEG`) also costs ``[planner] uturn_penalty_m``.
* ``steps`` is ``[planner] steps_factor`` on flights of steps (1 in the shipped profile: the
  model does not score steps beyond their grade), else 1.
* The multiplier is kept at least :data:`MIN_MULTIPLIER`: a profile may give soft ground a
  negative weight, and a search needs positive costs.

The ``[planner]`` knobs steer the search only; docs/hip-load-model.md says why each exists. A
route's reported hip-load index is always the model's score of its course, and loops are
ranked by that index alone (:mod:`hipstride.map.planner`).

``kind="length"`` is the plain shortest path (the baseline a runner compares with).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

from hipstride.activity import FloatArray
from hipstride.map.network import FLAG_STEPS, FootNetwork
from hipstride.model.hipload import downhill_load, surface_load, turn_load_per_rad_m, uphill_load
from hipstride.model.profile import Profile

__all__ = ["BEARING_SPAN_M", "KINDS", "MIN_MULTIPLIER", "UTURN_DEG", "CostModel", "cost_model",
           "hip_multiplier"]

#: Cost kinds: hip load (the planner's) and plain length (the baseline's).
KINDS = ("hip", "length")
#: Bends from this angle on count as U-turns (degrees).
UTURN_DEG = 150.0
#: Bearings at junctions are measured over this much of each way (metres).
BEARING_SPAN_M = 10.0
#: Smallest cost multiplier of a metre (search needs positive costs).
MIN_MULTIPLIER = 0.1
#: Added to every arc's cost, so that no arc is free (metres-equivalent).
EPS_COST_M = 1e-3


def hip_multiplier(grade_pct: FloatArray, classes: NDArray[np.integer[Any]], confidence: FloatArray,
                   profile: Profile) -> FloatArray:
    """``1 + downhill + uphill + surface`` per metre, from the model's term functions."""
    return np.asarray(1.0 + downhill_load(grade_pct, profile.downhill)
                      + uphill_load(grade_pct, profile.uphill)
                      + surface_load(classes, confidence, profile.surface), dtype=np.float64)


def _wrap_deg(a: FloatArray) -> FloatArray:
    return np.abs((a + 180.0) % 360.0 - 180.0)


class CostModel:
    """Arc costs, bearings and turn costs of one network under one profile and cost kind.

    Parameters
    ----------
    net
        The network.
    profile
        Hip-load profile whose terms and ``[planner]`` knobs set the costs.
    kind
        ``"hip"`` (hip load, the planner's cost) or ``"length"`` (plain distance).
    """

    def __init__(self, net: FootNetwork, profile: Profile, kind: str = "hip") -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown cost kind {kind!r}")
        self.net, self.profile, self.kind = net, profile, kind
        hip = kind == "hip"
        #: Metres-equivalent per radian of a bend (0 for plain length).
        self.turn_m_per_rad = turn_load_per_rad_m(profile.turns, profile.reference_speed_mps) \
            if hip else 0.0
        #: Extra cost of a U-turn (metres-equivalent).
        self.uturn_m = profile.planner.uturn_penalty_m if hip else 0.0
        #: Bends gentler than this cost nothing (degrees).
        self.bend_min_deg = profile.planner.bend_min_deg
        length = net.edge_length_m
        if hip:
            grade = net.edge_grade_pct
            cls, conf = net.edge_surface_class, net.edge_surface_confidence
            steps = np.where(net.edge_flags & FLAG_STEPS, profile.planner.steps_factor, 1.0)
            bends = self.bend_costs()
            fwd = length * np.maximum(hip_multiplier(grade, cls, conf, profile), MIN_MULTIPLIER)
            bwd = length * np.maximum(hip_multiplier(-grade, cls, conf, profile), MIN_MULTIPLIER)
            fwd, bwd = fwd * steps + bends, bwd * steps + bends
        else:
            fwd = bwd = length
        cost = np.empty(2 * net.n_edges)
        cost[0::2] = fwd + EPS_COST_M
        cost[1::2] = bwd + EPS_COST_M
        #: Cost of each arc (metres-equivalent), ``2·edge`` along the way, ``2·edge + 1`` against.
        self.arc_cost = cost
        #: Bearing (deg) each arc leaves its tail with, and arrives at its head with.
        self.arc_bearing_out, self.arc_bearing_in = self._bearings()

    def bend_costs(self) -> FloatArray:
        """Cost of the bends inside each edge (between its shape segments), metres-equivalent."""
        net = self.net
        sx, sy = net.shape_xy_m
        start = net.segment_starts
        heading = np.degrees(np.arctan2(sx[start + 1] - sx[start], sy[start + 1] - sy[start]))
        edge = net.shape_edge[start]
        inner = edge[1:] == edge[:-1]
        angle = _wrap_deg(heading[1:] - heading[:-1])
        cost = np.where(inner & (angle >= self.bend_min_deg),
                        self.turn_m_per_rad * np.radians(angle), 0.0)
        return np.asarray(np.bincount(edge[1:], weights=cost, minlength=net.n_edges),
                          dtype=np.float64)

    def _bearings(self) -> tuple[FloatArray, FloatArray]:
        net = self.net
        sx, sy = net.shape_xy_m
        off = net.shape_offset_m
        ptr = net.shape_ptr
        big = float(net.edge_length_m.max(initial=0.0)) + 10.0
        key = off + net.shape_edge * big
        span = np.minimum(BEARING_SPAN_M, net.edge_length_m)
        e = np.arange(net.n_edges)
        first, last = ptr[:-1], ptr[1:] - 1
        near_start = np.clip(np.searchsorted(key, e * big + span), first + 1, last)
        near_end = np.clip(np.searchsorted(key, e * big + net.edge_length_m - span, side="right") - 1,
                           first, last - 1)
        out_fwd = np.degrees(np.arctan2(sx[near_start] - sx[first], sy[near_start] - sy[first]))
        in_fwd = np.degrees(np.arctan2(sx[last] - sx[near_end], sy[last] - sy[near_end]))
        b_out = np.empty(2 * net.n_edges)
        b_in = np.empty(2 * net.n_edges)
        b_out[0::2], b_in[0::2] = out_fwd, in_fwd
        b_out[1::2], b_in[1::2] = in_fwd + 180.0, out_fwd + 180.0
        return b_out, b_in

    def turn_costs_between(self, bearing_in: FloatArray, bearing_out: FloatArray) -> FloatArray:
        """Cost of turns from arriving at ``bearing_in`` to leaving at ``bearing_out`` (degrees)."""
        theta = np.abs((bearing_out - bearing_in + 180.0) % 360.0 - 180.0)
        cost = self.turn_m_per_rad * math.pi / 180.0 * theta \
            + np.where(theta >= UTURN_DEG, self.uturn_m, 0.0)
        return np.asarray(np.where(theta >= self.bend_min_deg, cost, 0.0), dtype=np.float64)

    def turn_cost(self, arc_in: int, arc_out: int) -> float:
        """Cost of turning from one arc into the next at their common node (metres-equivalent)."""
        return float(self.turn_costs_between(self.arc_bearing_in[[arc_in]],
                                             self.arc_bearing_out[[arc_out]])[0])


def cost_model(net: FootNetwork, profile: Profile, kind: str = "hip") -> CostModel:
    """The :class:`CostModel` of a network, profile and kind, kept on the network object.

    Profiles compare by value, so the same weights loaded twice share one model.
    """
    key = ("cost_model", profile, kind)
    hit = net.derived.get(key)
    if not isinstance(hit, CostModel):
        hit = net.derived[key] = CostModel(net, profile, kind)
    return hit
