"""The one way a service changes a state: run the fsm transition, save, write the audit record."""

import inspect

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, TransitionNotAllowed, can_proceed

from .errors import StateConflict
from .models import AuditRecord, User
from .validation import REASON_MAX


def apply_transition(
    obj, name: str, *, actor: User | None, reason: str = "", org=None, **kwargs
) -> None:
    """Run transition `name` on `obj`, save it and record it; the caller holds the transaction.

    `actor=None` means the system (e.g. a competing claim closed automatically). `reason` goes
    to the audit record, and to the transition too when the transition records one itself.
    `org` is the league org through which the actor acts (recorded, never passed on).
    """
    assert connection.in_atomic_block, "transitions run inside the service's transaction"
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
    columns = [f for f in type(obj)._meta.concrete_fields if f.attname in vars(obj)]
    before = {f.attname: getattr(obj, f.attname) for f in columns}
    try:
        method(**kwargs)
        # Only the columns the transition wrote (and `updated_at`): a demand row is wide.
        obj.save(
            update_fields=[
                f.name
                for f in columns
                if getattr(f, "auto_now", False) or getattr(obj, f.attname) != before[f.attname]
            ]
        )
    except TransitionNotAllowed as exc:
        raise StateConflict(str(exc), code="transition_not_allowed") from exc
    except ConcurrentTransition as exc:
        raise StateConflict(
            _("该记录已被他人同时修改，请刷新后重试"), code="concurrent_change"
        ) from exc
    audit(
        obj,
        action=name,
        actor=actor,
        from_state=from_state,
        to_state=obj.status,
        reason=reason,
        org=org,
    )


def audit(
    obj, *, action: str, actor, from_state: str, to_state: str, reason: str = "", org=None
) -> None:
    """Write one audit row for `obj` (also used for creations, where from_state is empty).

    `org` (a LeagueOrg or its id): the league org the actor acted through, or the one an
    escalation reached."""
    AuditRecord.objects.create(
        actor=actor,
        org_id=getattr(org, "pk", org),
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        object_id=obj.pk,
        action=action,
        from_state=from_state,
        to_state=to_state,
        reason=reason[:REASON_MAX],  # system texts with a name in them stay storable
    )
