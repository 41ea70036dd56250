"""Playwright in Debian's Chromium for the browser tests (each module skips where it is missing)."""

import os
import shutil

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def live_server_sessions_ended(django_db_setup, django_db_blocker):
    """At the end of the run, after the live server stopped and before the test database is
    dropped: a request the browser dropped on closing can leave a server thread's PostgreSQL
    session open, which would keep the database from being dropped. (Ended after each test
    instead, it also ended the connection the next test's fixtures used.)"""
    yield
    with django_db_blocker.unblock():
        _end_other_sessions()


@pytest.fixture
def browser(live_server_sessions_ended):
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the test
    # itself are ordinary synchronous ones.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield chromium
        chromium.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def _end_other_sessions():
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
