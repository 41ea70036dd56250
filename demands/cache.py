"""The version of what anonymous callers see of demands, for the API's shared cache.

The API keeps its anonymous answers of the demand list and detail in the `default` cache under
this version (api/cache.py). Any change to what they show moves it on: a demand saved or
deleted (every transition saves its demand, which bumps `updated_at`), a like or favourite
added or removed (the counts), the demand's initial demands, a league org or city renamed.
The move happens after the change commits, so no request can cache the old rows under the new
version; the answers also expire after API_ANON_CACHE_SECONDS, which bounds what a change
outside these signals (a QuerySet.update(), a raw write) can leave stale.
"""

import time

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

VERSION_KEY = "demands:public:version"


def public_version() -> str:
    """The current version; the first reader in a fresh cache sets one."""
    version = cache.get(VERSION_KEY)
    if version is None:
        version = str(time.time_ns())
        cache.add(VERSION_KEY, version, timeout=None)
        version = cache.get(VERSION_KEY, version)
    return version


def public_version_bump() -> None:
    cache.set(VERSION_KEY, str(time.time_ns()), timeout=None)


def _changed(**kwargs) -> None:
    # robust: a cache that is down must not turn a committed change into an error answer;
    # the answers then expire on their own.
    transaction.on_commit(public_version_bump, robust=True)


def connect() -> None:
    """Called by DemandsConfig.ready()."""
    from orgs.models import City, LeagueOrg, VolunteerOrg

    from .models import Demand, Favorite, Like

    for model in (Demand, Like, Favorite, LeagueOrg, VolunteerOrg, City):
        name = model.__name__
        post_save.connect(_changed, sender=model, dispatch_uid=f"public-version-save-{name}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"public-version-del-{name}")
    m2m_changed.connect(
        _changed, sender=Demand.initial_demands.through, dispatch_uid="public-version-initial"
    )
