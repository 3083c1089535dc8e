"""The hip-load model: one documented model used by run analysis and route planning alike."""

from hipstride.model.hipload import FACTORS, HipLoad, evaluate_course
from hipstride.model.profile import Profile, default_profile, load_profile

__all__ = ["FACTORS", "HipLoad", "Profile", "default_profile", "evaluate_course", "load_profile"]
