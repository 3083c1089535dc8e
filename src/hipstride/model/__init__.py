"""The hip-load model: one documented model used by run analysis and route planning alike.

:mod:`.profile` holds the weights (a typed, frozen :class:`Profile`), :mod:`.hipload` each
factor's term as a pure array function and :func:`evaluate_course`, :mod:`.score` the one call
that scores a course (:func:`score_course`), and :mod:`.advice` the advice drawn from a score.
"""

from hipstride.model.hipload import FACTORS, HipLoad, evaluate_course
from hipstride.model.profile import Profile, default_profile, load_profile
from hipstride.model.score import CourseScore, score_course

__all__ = ["FACTORS", "CourseScore", "HipLoad", "Profile", "default_profile", "evaluate_course",
           "load_profile", "score_course"]
