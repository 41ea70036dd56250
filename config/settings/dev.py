"""Local development: the embedded SQLite default with debug on."""

from .base import *  # noqa: F401,F403
