"""Shared fixtures: two league orgs with reviewers, two volunteer orgs with operators."""

import json

import pytest
from django.core.cache import cache

from orgs.choices import LeagueLevel

from . import factories as f


@pytest.fixture(autouse=True)
def fresh_cache():
    """Each test starts with an empty cache: no list total or day's figures from another."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def outbox(settings, tmp_path):
    """Reads the development SMS backend's outbox (codes and reminders are sent on commit)."""
    settings.SMS_OUTBOX_PATH = tmp_path / "sms" / "outbox.jsonl"

    def read():
        path = settings.SMS_OUTBOX_PATH
        return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []

    return read


@pytest.fixture
def province(db):
    return f.LeagueOrgFactory(
        code="GD", name="共青团广东省委员会", level=LeagueLevel.PROVINCE, city=None
    )


@pytest.fixture
def league(province):
    return f.LeagueOrgFactory(name="共青团深圳市委员会", parent=province, city=f.city("深圳市"))


@pytest.fixture
def other_league(province):
    return f.LeagueOrgFactory(name="共青团广州市委员会", parent=province, city=f.city("广州市"))


@pytest.fixture
def reviewer(league):
    return f.reviewer_of(league, username="reviewer")


@pytest.fixture
def other_reviewer(other_league):
    return f.reviewer_of(other_league, username="other_reviewer")


@pytest.fixture
def vorg(db):
    return f.VolunteerOrgFactory(name="深圳青年志愿服务队")


@pytest.fixture
def vorg2(db):
    return f.VolunteerOrgFactory(name="鹏城义工联")


@pytest.fixture
def operator(vorg):
    return f.operator_of(vorg, username="operator")


@pytest.fixture
def operator2(vorg2):
    return f.operator_of(vorg2, username="operator2")


@pytest.fixture
def demand(reviewer):
    return f.open_demand(reviewer)
