"""Domain events: what happened, told to whoever listens (notifications, webhooks).

A service emits an event inside its own transaction, right after the change it reports
(`emit(CLAIM_APPROVED, claim=claim, actor=actor)`). Every listener runs then and there, in
that transaction: what it writes (a notification, a webhook delivery) commits or rolls back
with the change, and what leaves the database (an SMS, an HTTP request) it schedules with
`transaction.on_commit`, so a rolled-back change tells nobody.

Listeners are registered by their app's `AppConfig.ready()` (`subscribe(handler)`); the
services never import them, so the domain apps do not depend on notifications or webhooks.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection

# claim.* — a claim (workflows.Claim) changed; `claim` is given.
CLAIM_RECEIVED = "claim.received"  # a volunteer org claimed a demand (认领申请)
CLAIM_APPROVED = "claim.approved"  # 同意
CLAIM_REJECTED = "claim.rejected"  # 退回, or closed by the system (another claim won, the
# demand closed or expired)
CLAIM_WITHDRAWN = "claim.withdrawn"  # 撤销认领 by the claimer
CLAIM_CANCELLED = "claim.cancelled"  # 取消流程 by a provincial administrator
CLAIM_LAPSE_WARNING = "claim.lapse_warning"  # the activity is due within two days
CLAIM_LAPSED = "claim.lapsed"  # 认领失效: no activity in time; the demand is open again
# review.* — the claim's review task; `claim` and `league_org` (the org it now reaches).
REVIEW_ESCALATED = "review.escalated"
# rating.received — `rating` (scoring.Rating) was given to the other side of its claim.
RATING_RECEIVED = "rating.received"
# points.paid — `entry` (scoring.PointsEntry) was credited to its org.
POINTS_PAID = "points.paid"
# initial_demand.* — `initial_demand` (demands.InitialDemand) was decided by its league org.
INITIAL_DEMAND_ADOPTED = "initial_demand.adopted"
INITIAL_DEMAND_DECLINED = "initial_demand.declined"

KINDS = (
    CLAIM_RECEIVED,
    CLAIM_APPROVED,
    CLAIM_REJECTED,
    CLAIM_WITHDRAWN,
    CLAIM_CANCELLED,
    CLAIM_LAPSE_WARNING,
    CLAIM_LAPSED,
    REVIEW_ESCALATED,
    RATING_RECEIVED,
    POINTS_PAID,
    INITIAL_DEMAND_ADOPTED,
    INITIAL_DEMAND_DECLINED,
)


@dataclass(frozen=True)
class Event:
    """One event: its kind, who caused it (None: the system) and the objects it concerns."""

    kind: str
    actor: Any = None
    objects: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name):
        try:
            return self.objects[name]
        except KeyError:
            raise AttributeError(name) from None


Listener = Callable[[Event], None]
_listeners: list[Listener] = []


def subscribe(listener: Listener) -> None:
    """Register `listener` for every event (from an AppConfig.ready); once per function."""
    if listener not in _listeners:
        _listeners.append(listener)


def emit(kind: str, *, actor=None, **objects) -> Event:
    """Tell every listener, inside the caller's transaction, that `kind` happened."""
    assert kind in KINDS, kind
    assert connection.in_atomic_block, "events are emitted inside the service's transaction"
    event = Event(kind=kind, actor=actor, objects=objects)
    for listener in list(_listeners):
        listener(event)
    return event
