"""The one way a service changes a state: run the fsm transition, save, write the audit record."""

import contextvars
import inspect
from contextlib import contextmanager

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, TransitionNotAllowed, can_proceed

from .errors import StateConflict
from .models import AuditRecord, User

_batch = contextvars.ContextVar("audit_batch", default=None)


@contextmanager
def audit_batch():
    """Hold the audit records written inside and insert them together at the end.

    Services use it under their `transaction.atomic`, so the records are written in the same
    transaction, in the order they were made, in one statement. A nested batch joins the outer
    one; records of a body that raises are dropped with the transaction they belonged to.
    """
    if _batch.get() is not None:
        yield
        return
    token = _batch.set([])
    try:
        yield
        records = _batch.get()
        if records:
            AuditRecord.objects.bulk_create(records)
    finally:
        _batch.reset(token)


def _transition(obj, name: str, reason: str, kwargs: dict) -> str:
    """Check and run transition `name` in memory; return the state it started from."""
    method = getattr(obj, name)
    from_state = obj.status
    if not can_proceed(method):
        raise StateConflict(
            _("当前状态「%(state)s」不允许此操作（%(action)s）")
            % {"state": obj.get_status_display(), "action": name},
            code="transition_not_allowed",
        )
    if "reason" in inspect.signature(method).parameters:
        kwargs = kwargs | {"reason": reason}
    try:
        method(**kwargs)
    except TransitionNotAllowed as exc:
        raise StateConflict(str(exc), code="transition_not_allowed") from exc
    return from_state


def apply_transition(obj, name: str, *, actor: User | None, reason: str = "", **kwargs) -> None:
    """Run transition `name` on `obj`, save it and record it; the caller holds the transaction.

    `actor=None` means the system (e.g. a competing claim closed automatically). `reason` goes
    to the audit record, and to the transition too when the transition records one itself.
    """
    assert connection.in_atomic_block, "transitions run inside the service's transaction"
    from_state = _transition(obj, name, reason, kwargs)
    try:
        obj.save()
    except ConcurrentTransition as exc:
        raise StateConflict(
            _("该记录已被他人同时修改，请刷新后重试"), code="concurrent_change"
        ) from exc
    audit(obj, action=name, actor=actor, from_state=from_state, to_state=obj.status, reason=reason)


def apply_transitions(objs, name: str, *, actor: User | None, reason: str = "", **kwargs) -> None:
    """`apply_transition` for many rows of one model (locked by the caller) in two statements.

    Each object's transition method runs (its source states and conditions apply), then one
    UPDATE writes the fields the transitions changed, on the condition that every row is still
    in the state its object was read in (what ConcurrentTransitionMixin checks one by one), and
    one INSERT writes their audit records.
    """
    assert connection.in_atomic_block, "transitions run inside the service's transaction"
    objs = list(objs)
    if not objs:
        return
    model = type(objs[0])
    columns = [f for f in model._meta.concrete_fields if not f.primary_key]
    before = [{f.attname: getattr(obj, f.attname) for f in columns} for obj in objs]
    from_states = [_transition(obj, name, reason, dict(kwargs)) for obj in objs]
    now = timezone.now()
    for obj in objs:
        for field in columns:
            if getattr(field, "auto_now", False):
                setattr(obj, field.attname, now)
    changed = [
        f.name
        for f in columns
        if any(
            getattr(obj, f.attname) != old[f.attname] for obj, old in zip(objs, before, strict=True)
        )
    ]
    state_field = model._meta.get_field("status")
    for from_state in set(from_states):
        group = [obj for obj, state in zip(objs, from_states, strict=True) if state == from_state]
        updated = model._default_manager.filter(**{state_field.attname: from_state}).bulk_update(
            group, changed
        )
        if updated != len(group):
            raise StateConflict(_("该记录已被他人同时修改，请刷新后重试"), code="concurrent_change")
    records = [
        _record(
            obj, action=name, actor=actor, from_state=from_state, to_state=obj.status, reason=reason
        )
        for obj, from_state in zip(objs, from_states, strict=True)
    ]
    if _batch.get() is not None:
        _batch.get().extend(records)
    else:
        AuditRecord.objects.bulk_create(records)


def _record(obj, *, action, actor, from_state, to_state, reason="") -> AuditRecord:
    return AuditRecord(
        actor=actor,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        object_id=obj.pk,
        action=action,
        from_state=from_state,
        to_state=to_state,
        reason=reason[:200],
    )


def audit(obj, *, action: str, actor, from_state: str, to_state: str, reason: str = "") -> None:
    """Write one audit row for `obj` (also used for creations, where from_state is empty)."""
    record = _record(
        obj, action=action, actor=actor, from_state=from_state, to_state=to_state, reason=reason
    )
    batch = _batch.get()
    if batch is not None:
        batch.append(record)
    else:
        record.save()
