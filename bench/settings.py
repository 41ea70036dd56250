"""Settings of the benchmark's server: production behaviour on plain HTTP, plus the baseline URL.

The same middleware, authentication, templates and database settings as production; what
differs is what a loopback benchmark cannot have (TLS: no HTTPS redirect, no secure-only
cookies) and the extra URL of the plain DRF update that the workflow is compared with.
"""

import os

from config.settings.base import *  # noqa: F401,F403

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bench.urls"

# The benchmark serves no static files; an empty folder keeps WhiteNoise from warning.
os.makedirs(STATIC_ROOT, exist_ok=True)  # noqa: F405
