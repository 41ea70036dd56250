"""The deadline sweep (docs/deadlines.md): escalate open reviews, warn and lapse idle approved
claims. Each claim is its own transaction through a service that locks it in the project's
order and re-checks it under the lock, so runs that overlap do each thing once."""

import datetime
import logging
from dataclasses import dataclass, field

from django.utils import timezone

from . import deadlines, services
from .models import Claim, ClaimStatus

logger = logging.getLogger(__name__)


@dataclass
class SweepResult:
    """The ids of the claims each part of one run acted on."""

    escalated: list[int] = field(default_factory=list)
    warned: list[int] = field(default_factory=list)
    lapsed: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, list[int]]:
        return {"escalated": self.escalated, "warned": self.warned, "lapsed": self.lapsed}


def _each(claims, service, now) -> list[int]:
    """Run `service` on each claim (its own transaction); the ids it acted on. A claim that
    fails is logged and left for the next run: one bad row never stops the sweep."""
    done = []
    for claim in claims.order_by("pk"):
        try:
            if service(claim=claim, now=now):
                done.append(claim.pk)
        except Exception:
            logger.exception("deadline sweep: %s failed on claim %s", service.__name__, claim.pk)
    return done


def review_escalate_due(now: datetime.datetime | None = None) -> list[int]:
    """Escalate every open review whose next level is due; the ids of the claims escalated."""
    now = now or timezone.now()
    first = deadlines.platform_days("REVIEW_ESCALATE_DAYS")
    # Only those with a level due (China keeps no daylight saving: days are 24 hours), and not
    # already at the top of their tree (the province has no parent).
    candidates = Claim.objects.filter(
        status=ClaimStatus.PENDING, created_at__lte=now - datetime.timedelta(days=first)
    ).only("pk", "demand_id", "created_at", "escalation_level")
    top: dict[int, int] = {}  # league org id → how many orgs above it
    due = []
    for claim in candidates.select_related("demand").only(
        "pk", "demand_id", "created_at", "escalation_level", "demand__league_org_id"
    ):
        org_id = claim.demand.league_org_id
        if org_id not in top:
            top[org_id] = len(services.league_ancestors(org_id))
        level = min(services.escalation_due_level(claim.created_at, now), top[org_id])
        if level > claim.escalation_level:
            due.append(claim.pk)
    return _each(Claim.objects.filter(pk__in=due), services.claim_escalate, now)


def claim_lapse_warn_due(now: datetime.datetime | None = None) -> list[int]:
    """Warn the approved claimers whose activity is due within LAPSE_WARNING_DAYS."""
    now = now or timezone.now()
    warning = datetime.timedelta(days=deadlines.platform_days("LAPSE_WARNING_DAYS"))
    claims = Claim.objects.filter(
        status=ClaimStatus.APPROVED,
        lapse_warned_at__isnull=True,
        activity_due_at__gt=now,
        activity_due_at__lte=now + warning,
    )
    return _each(claims, services.claim_lapse_warn, now)


def claim_lapse_due(now: datetime.datetime | None = None) -> list[int]:
    """Lapse the approved claims whose activity is past due."""
    now = now or timezone.now()
    claims = Claim.objects.filter(status=ClaimStatus.APPROVED, activity_due_at__lte=now)
    return _each(claims, services.claim_lapse, now)


def deadlines_run(now: datetime.datetime | None = None) -> SweepResult:
    """One sweep: escalate, warn, lapse. Idempotent; safe to run concurrently."""
    now = now or timezone.now()
    result = SweepResult(
        escalated=review_escalate_due(now),
        warned=claim_lapse_warn_due(now),
        lapsed=claim_lapse_due(now),
    )
    if result.escalated or result.warned or result.lapsed:
        logger.info("deadline sweep: %s", result.as_dict())
    return result
