"""Demand and initial-demand use cases: create, edit, publish, close, expire, adopt, decline."""

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from orgs import events
from orgs.audit import apply_transition, audit
from orgs.errors import InvalidInput, NotAllowed, StateConflict
from orgs.models import LeagueOrg, SmsPurpose, User
from orgs.sms import sms_code_consume, sms_verify_for
from orgs.validation import clean_reason, model_field_errors
from workflows import services as claim_services

from .choices import InitialDemandKind
from .models import (
    Demand,
    DemandStatus,
    Favorite,
    InitialDemand,
    InitialDemandStatus,
    Like,
    Report,
    StudentRecord,
    period_errors,
)

logger = logging.getLogger(__name__)

# Fields a league org writes on a demand, by the two steps of the seed form:
# 填写需求内容 (content) and 确认组织信息 (contact).
DEMAND_CONTENT_FIELDS = (
    "zone",
    "title",
    "type",
    "type_other",
    "volunteers_needed",
    "content",
    "start_date",
    "end_date",
    "guarantees",
)
DEMAND_CONTACT_FIELDS = (
    "city",
    "district",
    "contact_name",
    "contact_landline",
    "contact_mobile",
    "service_content",
)
DEMAND_FIELDS = DEMAND_CONTENT_FIELDS + DEMAND_CONTACT_FIELDS


def _require_reviewer(actor: User, league_org_id: int) -> None:
    if league_org_id not in actor.reviewer_league_org_ids():
        raise NotAllowed(_("只有该团组织的账号可以进行此操作"))


def _lock_demand(demand: Demand) -> Demand:
    return Demand.objects.select_for_update().get(pk=demand.pk)


# -- demands -------------------------------------------------------------------------------


def _apply_demand_data(demand: Demand, data: dict) -> list[InitialDemand] | None:
    unknown = set(data) - set(DEMAND_FIELDS) - {"initial_demands"}
    if unknown:
        raise InvalidInput(_("有未知字段"), fields={k: _("未知字段") for k in sorted(unknown)})
    for field, value in data.items():
        if field != "initial_demands":
            setattr(demand, field, value)
    errors = model_field_errors(
        demand, exclude=("league_org", "created_by", "initial_demands", "status")
    )
    for field, message in demand.validation_errors().items():
        errors.setdefault(field, message)
    if {"start_date", "end_date"} & set(data):
        # A period written now is judged by today, as publish will judge it.
        for field, message in period_errors(demand.start_date, demand.end_date).items():
            errors.setdefault(field, message)
    initial = data.get("initial_demands")
    if initial is not None:
        ids = [getattr(i, "pk", i) for i in initial]
        linkable = list(
            InitialDemand.objects.filter(
                pk__in=ids, league_org_id=demand.league_org_id, status=InitialDemandStatus.ADOPTED
            )
        )
        if len(linkable) != len(set(ids)):
            errors["initial_demands"] = _("只能关联本组织已采用的初始需求")
        initial = linkable
    if errors:
        raise InvalidInput(_("需求信息有误"), fields=errors)
    return initial


def demand_create(
    *,
    actor: User,
    league_org: LeagueOrg,
    data: dict,
    sms_code: str | None = None,
    verify_mobile: bool = True,
) -> Demand:
    """Save a new demand as a draft (保存草稿); publishing is a separate step.

    A contact mobile is verified with `sms_code` (purpose demand_contact). Only trusted
    internal callers (demo data, tests) pass `verify_mobile=False`.
    """
    _require_reviewer(actor, league_org.pk)
    demand = Demand(league_org=league_org, created_by=actor)
    initial = _apply_demand_data(demand, data)
    sms = sms_verify_for(
        new=demand.contact_mobile,
        old="",
        purpose=SmsPurpose.DEMAND_CONTACT,
        code=sms_code,
        required=verify_mobile,
    )
    with transaction.atomic():
        if sms:
            sms_code_consume(sms)
        demand.save()
        if initial:
            demand.initial_demands.set(initial)
        audit(demand, action="create", actor=actor, from_state="", to_state=demand.status)
    return demand


def _require_draft(demand: Demand) -> None:
    if demand.status != DemandStatus.DRAFT:
        raise StateConflict(_("只有草稿可以修改"), code="transition_not_allowed")


def demand_update(
    *,
    demand: Demand,
    actor: User,
    data: dict,
    sms_code: str | None = None,
    verify_mobile: bool = True,
) -> Demand:
    """Edit a draft; a published demand's content is what volunteer orgs claimed, so it stays."""
    if "zone" in data and data["zone"] != demand.zone:
        raise InvalidInput(_("需求信息有误"), fields={"zone": _("草稿创建后不能更换专区")})
    current = Demand.objects.get(pk=demand.pk)
    _require_reviewer(actor, current.league_org_id)
    _require_draft(current)
    stored_mobile = current.contact_mobile
    _apply_demand_data(current, data)  # report bad fields before a code try is spent
    sms = sms_verify_for(
        new=current.contact_mobile,
        old=stored_mobile,
        purpose=SmsPurpose.DEMAND_CONTACT,
        code=sms_code,
        required=verify_mobile,
    )
    with transaction.atomic():
        demand = _lock_demand(demand)
        _require_draft(demand)
        initial = _apply_demand_data(demand, data)
        if sms:
            sms_code_consume(sms)
        demand.save()
        if initial is not None:
            demand.initial_demands.set(initial)
    return demand


@transaction.atomic
def demand_publish(*, demand: Demand, actor: User) -> Demand:
    """Publish a complete draft: it opens for claims (待认领)."""
    demand = _lock_demand(demand)
    _require_reviewer(actor, demand.league_org_id)
    if demand.status == DemandStatus.DRAFT:
        errors = demand.validation_errors(for_publish=True)  # what publish's condition checks
        if errors:
            raise InvalidInput(_("发布前请补全需求信息"), fields=errors)
    apply_transition(demand, "publish", actor=actor)
    return demand


@transaction.atomic
def demand_close(*, demand: Demand, actor: User, reason: str = "") -> Demand:
    """Close a draft or an open demand; its pending claims are returned by the system."""
    reason = clean_reason(reason, required=False)
    demand = _lock_demand(demand)
    _require_reviewer(actor, demand.league_org_id)
    apply_transition(demand, "close", actor=actor, reason=reason)
    claim_services.claims_close_for_demand(demand=demand, reason=_("需求已关闭"))
    return demand


def demand_expire_due() -> list[int]:
    """Expire every open demand whose period ended before today (Asia/Shanghai); return ids.

    Each demand is its own transaction, so one failure does not undo the others.
    """
    today = timezone.localdate()
    expired = []
    due = Demand.objects.filter(status=DemandStatus.OPEN, end_date__lt=today)
    for demand_id in due.values_list("pk", flat=True).order_by("pk"):
        with transaction.atomic():
            demand = Demand.objects.select_for_update().get(pk=demand_id)
            if demand.status != DemandStatus.OPEN:
                continue  # claimed or closed meanwhile
            claim_services.claims_close_for_demand(demand=demand, reason=_("需求已过期"))
            apply_transition(demand, "expire", actor=None, reason=_("需求周期结束仍未被认领"))
            expired.append(demand.pk)
    if expired:
        logger.info("expired %d demands: %s", len(expired), expired)
    return expired


# -- initial demands -----------------------------------------------------------------------

INITIAL_DEMAND_FIELDS = ("title", "description", "contact_name", "contact_mobile")
STUDENT_FIELDS = (
    "name",
    "gender",
    "grade",
    "school",
    "city",
    "address",
    "courses",
    "interests",
    "remarks",
)


def _fields_only(data: dict, allowed, prefix: str = "") -> dict[str, str]:
    return {f"{prefix}{k}": _("未知字段") for k in sorted(set(data) - set(allowed))}


def initial_demand_submit(
    *,
    actor: User,
    league_org: LeagueOrg,
    kind: str,
    data: dict,
    student: dict | None = None,
    sms_code: str | None = None,
    verify_mobile: bool = True,
) -> InitialDemand:
    """An individual asks a league org for help: ordinary, or cloud teaching with a student.

    The contact mobile is verified with `sms_code` (purpose initial_demand_contact).
    """
    errors = _fields_only(data, INITIAL_DEMAND_FIELDS)
    if kind not in InitialDemandKind.values:
        errors["kind"] = _("未知的需求类别")
    initial = InitialDemand(
        submitter=actor,
        league_org=league_org,
        kind=kind,
        **{k: v for k, v in data.items() if k in INITIAL_DEMAND_FIELDS},
    )
    errors |= model_field_errors(initial, exclude=("submitter", "league_org", "status"))
    for field, message in initial.validation_errors().items():
        errors.setdefault(field, message)

    record = None
    if kind == InitialDemandKind.CLOUD_TEACHING:
        student = student or {}
        errors |= _fields_only(student, STUDENT_FIELDS, prefix="student.")
        record = StudentRecord(**{k: v for k, v in student.items() if k in STUDENT_FIELDS})
        student_errors = model_field_errors(record, exclude=("initial_demand",))
        for field, message in record.validation_errors().items():
            student_errors.setdefault(field, message)
        errors |= {f"student.{k}": v for k, v in student_errors.items()}
    elif student:
        errors["student"] = _("只有青年云支教需求需要填写学生信息")
    if errors:
        raise InvalidInput(_("求助信息有误"), fields=errors)

    sms = sms_verify_for(
        new=initial.contact_mobile,
        old="",
        purpose=SmsPurpose.INITIAL_DEMAND_CONTACT,
        code=sms_code,
        required=verify_mobile,
    )
    with transaction.atomic():
        if sms:
            sms_code_consume(sms)
        initial.save()
        if record is not None:
            record.initial_demand = initial
            record.save()
        audit(initial, action="submit", actor=actor, from_state="", to_state=initial.status)
    return initial


def _decide_initial(initial: InitialDemand, actor: User, action: str, reason: str):
    reason = clean_reason(reason, required=False)
    initial = InitialDemand.objects.select_for_update().get(pk=initial.pk)
    _require_reviewer(actor, initial.league_org_id)
    apply_transition(initial, action, actor=actor, reason=reason)
    kind = events.INITIAL_DEMAND_ADOPTED if action == "adopt" else events.INITIAL_DEMAND_DECLINED
    events.emit(kind, initial_demand=initial, actor=actor)
    return initial


@transaction.atomic
def initial_demand_adopt(*, initial_demand: InitialDemand, actor: User, reason: str = ""):
    """采用: the league org takes the request up; it can be linked to a formal demand."""
    return _decide_initial(initial_demand, actor, "adopt", reason)


@transaction.atomic
def initial_demand_decline(*, initial_demand: InitialDemand, actor: User, reason: str = ""):
    """不采用."""
    return _decide_initial(initial_demand, actor, "decline", reason)


# -- favorites, likes, reports ---------------------------------------------------------------


def _visible_to_public(demand: Demand) -> bool:
    return demand.status != DemandStatus.DRAFT


def _toggle(model, *, actor: User, demand: Demand, on: bool) -> bool:
    if not _visible_to_public(demand):
        raise StateConflict(_("草稿不能收藏或点赞"), code="transition_not_allowed")
    if on:
        try:
            with transaction.atomic():
                model.objects.get_or_create(user=actor, demand=demand)
        except IntegrityError:
            pass  # a concurrent identical request already made it
    else:
        model.objects.filter(user=actor, demand=demand).delete()
    return on


def favorite_set(*, actor: User, demand: Demand, on: bool) -> bool:
    return _toggle(Favorite, actor=actor, demand=demand, on=on)


def like_set(*, actor: User, demand: Demand, on: bool) -> bool:
    return _toggle(Like, actor=actor, demand=demand, on=on)


def report_submit(*, actor: User, demand: Demand, reason: str) -> Report:
    reason = clean_reason(reason, required=True, required_message=_("请填写举报原因"))
    if not _visible_to_public(demand):
        raise StateConflict(_("草稿不能举报"), code="transition_not_allowed")
    return Report.objects.create(user=actor, demand=demand, reason=reason)
