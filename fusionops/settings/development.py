"""Local development: `make run`. DEBUG on by default, readable console logs."""

from .base import *  # noqa: F403
from .base import env, finalize

DEBUG = env.bool("DEBUG", default=True)
LOG_FORMAT = env.str("LOG_FORMAT", default="console")
FUSIONOPS_LOCAL_LOGIN = env.bool("FUSIONOPS_LOCAL_LOGIN", default=True)

finalize(globals())
