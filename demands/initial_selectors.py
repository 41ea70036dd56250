"""Reads of initial demands: what each party may see, and the progress of an adopted one."""

import logging

from django.db.models import Prefetch, Q
from django.utils.translation import gettext_lazy as _

from .models import Demand, DemandStatus, InitialDemand, InitialDemandStatus, StudentRecordAccess

logger = logging.getLogger(__name__)


def _party_filter(viewer) -> Q | None:
    """Rows the viewer is a party to: submitted by them, or addressed to an org they review."""
    if not viewer.is_authenticated:
        return None
    return Q(submitter_id=viewer.pk) | Q(league_org_id__in=viewer.reviewer_league_org_ids())


def linked_demands_prefetch() -> Prefetch:
    """The linked demands' states, which the progress reads: one query for a whole page."""
    return Prefetch("demands", queryset=Demand.objects.only("pk", "status").order_by("pk"))


def initial_demand_list(*, viewer):
    """An individual's own requests and, for a league reviewer, those addressed to their orgs."""
    parties = _party_filter(viewer)
    if parties is None:
        return InitialDemand.objects.none()
    return (
        InitialDemand.objects.filter(parties)
        .select_related("league_org", "submitter")
        .order_by("-created_at", "-pk")
    )


def initial_demand_get(*, pk, viewer) -> InitialDemand:
    """One initial demand with its student and linked demands, for a party; else DoesNotExist.

    Nobody else learns it exists: the answer for another org's request is the same as for
    a missing one.
    """
    parties = _party_filter(viewer)
    if parties is None:
        raise InitialDemand.DoesNotExist
    return (
        InitialDemand.objects.filter(parties)
        .select_related("league_org", "submitter", "student__city")
        .prefetch_related(linked_demands_prefetch())
        .get(pk=pk)
    )


def is_initial_demand_party(initial: InitialDemand, viewer) -> bool:
    return viewer.is_authenticated and (
        initial.submitter_id == viewer.pk
        or initial.league_org_id in viewer.reviewer_league_org_ids()
    )


# How far a linked demand's state carries the request: 待认领 (3), 已认领 (4), 已发布 (5).
_DEMAND_REACH = {
    DemandStatus.DRAFT: 2,
    DemandStatus.OPEN: 3,
    DemandStatus.CLOSED: 3,
    DemandStatus.EXPIRED: 3,
    DemandStatus.CLAIMED: 4,
    DemandStatus.IN_SERVICE: 5,
    DemandStatus.COMPLETED: 5,
}

PROGRESS_STEPS = (
    ("pending", _("待采用")),
    ("adopted", _("已采用")),
    ("open", _("待认领")),
    ("claimed", _("已认领")),
    ("published", _("已发布")),
)


def initial_demand_progress(initial: InitialDemand) -> list[dict]:
    """The steps of the seed's detail page: 待采用 → 已采用 → 待认领 → 已认领 → 已发布.

    An adopted request goes as far as the furthest of the demands it was linked to (a demand
    published from it is 待认领, claimed 已认领, with its activity published 已发布). A declined
    one ends at 不采用. Reads `initial.demands` (prefetched by initial_demand_get).
    """
    if initial.status == InitialDemandStatus.DECLINED:
        return [
            {"step": "pending", "label": str(PROGRESS_STEPS[0][1]), "done": True},
            {"step": "declined", "label": str(InitialDemandStatus.DECLINED.label), "done": True},
        ]
    reached = 1
    if initial.status == InitialDemandStatus.ADOPTED:
        reached = max([2, *(_DEMAND_REACH[d.status] for d in initial.demands.all())])
    return [
        {"step": step, "label": str(label), "done": i < reached}
        for i, (step, label) in enumerate(PROGRESS_STEPS)
    ]


def student_record_read(initial: InitialDemand, *, viewer, via: str) -> None:
    """Record that someone other than the family that entered it is reading a minor's record.

    A row per reading (who, when, which record, through what), kept in the database so that an
    administrator can answer "who has seen this child's data"; also logged.
    """
    if initial.submitter_id != viewer.pk and hasattr(initial, "student"):
        StudentRecordAccess.objects.create(record=initial.student, user=viewer, via=via)
        logger.info("student record of initial demand %s read by user %s", initial.pk, viewer.pk)
