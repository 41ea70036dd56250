"""Test settings: fast hashing, same database selection as base (SQLite or DATABASE_URL)."""

import os

from .base import *  # noqa: F401,F403
from .base import BASE_DIR, DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
DEBUG = False

# Tasks run inline, whatever CELERY_BROKER_URL the environment or a .env file sets; the one test
# with a real worker (tests/orgs/test_tasks.py) points Celery at Redis itself.
CELERY_BROKER_URL = ""
CELERY_TASK_ALWAYS_EAGER = True

# Webhooks go to receivers on this machine (tests/webhooks); the SSRF tests turn these off.
WEBHOOKS_ALLOW_PRIVATE = True
WEBHOOKS_ALLOW_HTTP = True

# Nothing runs collectstatic before the tests: WhiteNoise looks for a file when it is asked for
# one, instead of listing STATIC_ROOT (perhaps not there) when the middleware starts.
WHITENOISE_AUTOREFRESH = True

# A test's changes never commit, so they never move the demands' public version on: a kept
# anonymous answer would outlive its test. tests/api/test_demand_cache.py turns it on.
API_ANON_CACHE_SECONDS = 0

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not :memory:, so that tests with threads share one database; one per test run,
    # so that two runs side by side do not share it.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / f"test-{os.getpid()}.sqlite3")}
else:
    # One test database per run, so that two runs side by side do not drop each other's.
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}"}
