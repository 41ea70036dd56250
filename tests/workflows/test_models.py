"""Transition table of Claim: every allowed and every forbidden move."""

import pytest
from django_fsm import TransitionNotAllowed

from workflows.models import Claim, ClaimStatus

C = ClaimStatus
CLAIM_TABLE = {
    "approve": {C.PENDING: C.APPROVED},
    "reject": {C.PENDING: C.REJECTED},
    "withdraw": {C.PENDING: C.WITHDRAWN, C.APPROVED: C.WITHDRAWN},
    "publish_activity": {C.APPROVED: C.ACTIVITY_PUBLISHED},
    "complete": {C.ACTIVITY_PUBLISHED: C.COMPLETED},
}
ARGS = {"approve": {"by": None}, "reject": {"by": None, "reason": "名额已满"}, "withdraw": {}}


@pytest.mark.parametrize("name", CLAIM_TABLE)
@pytest.mark.parametrize("source", C.values)
def test_claim_transition_table(name, source):
    claim = Claim(status=source)
    target = CLAIM_TABLE[name].get(source)
    call = getattr(claim, name)
    if target is None:
        with pytest.raises(TransitionNotAllowed):
            call(**ARGS.get(name, {}))
        assert claim.status == source
    else:
        call(**ARGS.get(name, {}))
        assert claim.status == target


def test_reject_keeps_the_reason():
    claim = Claim(status=C.PENDING)
    claim.reject(by=None, reason="服务时间不匹配")
    assert claim.reason == "服务时间不匹配"
    assert claim.decided_at is not None
