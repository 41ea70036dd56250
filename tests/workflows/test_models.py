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
    "cancel": {C.PENDING: C.REJECTED, C.APPROVED: C.WITHDRAWN},
}
ARGS = {
    "approve": {"by": None},
    "reject": {"by": None, "reason": "名额已满"},
    "withdraw": {},
    "cancel": {"by": None, "reason": "重复认领"},
}


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


@pytest.mark.parametrize("source", [C.PENDING, C.APPROVED])
def test_cancel_marks_the_claim_cancelled_with_its_reason(source):
    claim = Claim(status=source)
    assert not claim.is_cancelled
    claim.cancel(by=None, reason="组织失联")
    assert claim.is_cancelled and claim.reason == "组织失联"
    assert claim.decided_at is None  # a cancel is not a review


def test_only_cancel_marks_a_claim_cancelled():
    for name, args in [("reject", ARGS["reject"]), ("withdraw", {})]:
        claim = Claim(status=C.PENDING)
        getattr(claim, name)(**args)
        assert not claim.is_cancelled
