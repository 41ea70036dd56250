"""Reads of demands for pages and feeds."""

from django.db.models import BooleanField, Count, Exists, OuterRef, Prefetch, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from .models import PUBLIC_STATES, Demand, DemandStatus, Favorite, InitialDemand, Like


def _count(model, **filters):
    return Subquery(
        model.objects.filter(demand=OuterRef("pk"), **filters)
        .order_by()
        .values("demand")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )


def _marked_by(model, viewer):
    """Whether the viewer liked / favorited the row: an EXISTS in the same query; False for
    anonymous viewers."""
    if viewer is None or not viewer.is_authenticated:
        return Value(False, output_field=BooleanField())
    return Exists(model.objects.filter(demand=OuterRef("pk"), user_id=viewer.pk))


def demand_queryset(viewer=None):
    """Demands with what every list and detail shows, in one query; with the viewer's marks."""
    from workflows.models import HOLDING_CLAIM_STATES, Claim

    holder = Claim.objects.filter(demand=OuterRef("pk"), status__in=HOLDING_CLAIM_STATES)
    return (
        Demand.objects.select_related("league_org", "city")
        .prefetch_related(Prefetch("initial_demands", queryset=InitialDemand.objects.only("pk")))
        .annotate(
            holder_org_id=Subquery(holder.values("org_id")[:1]),
            like_count=Coalesce(_count(Like), 0),
            favorite_count=Coalesce(_count(Favorite), 0),
            liked=_marked_by(Like, viewer),
            favorited=_marked_by(Favorite, viewer),
        )
    )


# The columns an API list row shows (`.only(*LIST_COLUMNS)`): not the league org's and city's
# other twenty (issue 12).
LIST_COLUMNS = [
    f.name
    for f in Demand._meta.concrete_fields
    if f.name not in ("created_by", "updated_at", "league_org", "city")
] + ["league_org__id", "league_org__name", "city__id", "city__name"]


def demand_list(*, viewer, mine: bool = False):
    """Published demands for everyone; with `mine`, the viewer's league orgs' own, drafts too."""
    qs = demand_queryset(viewer)
    if mine:
        org_ids = viewer.reviewer_league_org_ids() if viewer.is_authenticated else set()
        return qs.filter(league_org_id__in=org_ids)
    return qs.filter(status__in=PUBLIC_STATES)


def demand_get(*, pk: int, viewer) -> Demand:
    """One demand the viewer may see (a draft only by its own league org), or DoesNotExist."""
    demand = demand_queryset(viewer).get(pk=pk)
    if demand.status == DemandStatus.DRAFT and not is_demand_owner(demand, viewer):
        raise Demand.DoesNotExist
    return demand


def demand_ref(*, pk: int, viewer) -> Demand:
    """The ids and state of a demand the viewer may see (for a service, which locks and
    re-reads it); else Demand.DoesNotExist. One small query instead of demand_get's two."""
    demand = Demand.objects.only("pk", "status", "league_org_id").get(pk=pk)
    if demand.status == DemandStatus.DRAFT and not is_demand_owner(demand, viewer):
        raise Demand.DoesNotExist
    return demand


def is_demand_owner(demand: Demand, viewer) -> bool:
    return viewer.is_authenticated and demand.league_org_id in viewer.reviewer_league_org_ids()


def can_see_contact_mobile(demand: Demand, viewer) -> bool:
    """The owner always; the approved claimer once its claim is approved; nobody else."""
    if is_demand_owner(demand, viewer):
        return True
    holder = getattr(demand, "holder_org_id", None)
    return bool(
        viewer.is_authenticated and holder and holder in viewer.operated_volunteer_org_ids()
    )


def demand_progress(demand: Demand) -> list[dict]:
    """The three steps of a demand's detail page: 发布需求 → 认领需求 → 发布活动."""
    reached = {
        DemandStatus.OPEN: 1,
        DemandStatus.CLOSED: 1,
        DemandStatus.EXPIRED: 1,
        DemandStatus.CLAIMED: 2,
        DemandStatus.IN_SERVICE: 3,
        DemandStatus.COMPLETED: 3,
    }.get(demand.status, 0)
    steps = [("publish", _("发布需求")), ("claim", _("认领需求")), ("activity", _("发布活动"))]
    return [
        {"step": step, "label": str(label), "done": i < reached}
        for i, (step, label) in enumerate(steps)
    ]


def demand_recommend(queryset, *, viewer):
    """推荐: open demands whose type is one of the viewer's org's service areas, in its city."""
    org = viewer.volunteer_org if viewer.is_authenticated else None
    if org is None:
        return queryset.filter(status=DemandStatus.OPEN)
    matched = queryset.filter(status=DemandStatus.OPEN, type__in=org.service_areas or [])
    return matched.filter(city_id=org.city_id) if org.city_id else matched


def demand_ratings(demand: Demand) -> list:
    """评分信息: the ratings of the demand's completed claims, both sides' (blind before)."""
    from scoring.models import Rating
    from workflows.models import ClaimStatus

    return list(
        Rating.objects.filter(claim__demand=demand, claim__status=ClaimStatus.COMPLETED)
        .select_related("claim__org")
        .order_by("claim_id", "side")
    )


def demand_events(demands) -> dict[int, dict[str, object]]:
    """The audit trail of demands as {demand id: {action: its latest record}} (publish, claim,
    start_service, complete, close, expire …): when each step happened, and a close's reason."""
    from django.contrib.contenttypes.models import ContentType

    from orgs.models import AuditRecord

    ids = [d.pk for d in demands]
    records = AuditRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(Demand), object_id__in=ids
    ).order_by("at", "pk")
    events: dict[int, dict[str, object]] = {pk: {} for pk in ids}
    for record in records:
        events[record.object_id][record.action] = record  # the latest (a claim after a reopen)
    return events
