"""SMS codes: issued to the outbox, hashed, rate-limited, 5 tries, 10 minutes, single use."""

import datetime
import json

import pytest
import time_machine
from django.utils import timezone

from demands import services as demand_services
from orgs.errors import InvalidInput
from orgs.models import SmsCode
from orgs.sms import RateLimited, sms_code_check, sms_code_consume, sms_code_issue

from .. import factories as f

PHONE = "18826480174"
PURPOSE = "demand_contact"


@pytest.fixture
def outbox(settings, tmp_path):
    settings.SMS_OUTBOX_PATH = tmp_path / "sms" / "outbox.jsonl"

    def read():
        if not settings.SMS_OUTBOX_PATH.exists():
            return []
        return [json.loads(line) for line in settings.SMS_OUTBOX_PATH.read_text().splitlines()]

    return read


def test_issue_writes_one_outbox_line_and_stores_only_a_hash(
    db, outbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sms_code_issue(phone=PHONE, purpose=PURPOSE)
    [line] = outbox()
    assert line["phone"] == PHONE and line["purpose"] == PURPOSE
    assert len(line["code"]) == 6 and line["code"].isdigit()
    assert "sent_at" in line
    stored = SmsCode.objects.get()
    assert line["code"] not in stored.code_hash
    assert stored.expires_at - stored.created_at == datetime.timedelta(minutes=10)


def test_nothing_is_sent_when_the_transaction_rolls_back(db, outbox):
    # pytest-django's test transaction never commits, so on_commit never fires here
    sms_code_issue(phone=PHONE, purpose=PURPOSE)
    assert outbox() == []


@pytest.fixture
def send_now(django_capture_on_commit_callbacks):
    """Issue codes with their on-commit send executed at once."""

    def send(outbox, phone=PHONE, purpose=PURPOSE):
        with django_capture_on_commit_callbacks(execute=True):
            sms_code_issue(phone=phone, purpose=purpose)
        return outbox()[-1]["code"]

    return send


@pytest.mark.parametrize(
    ("phone", "purpose", "field"), [("123", PURPOSE, "phone"), (PHONE, "lottery", "purpose")]
)
def test_issue_validates_phone_and_purpose(db, phone, purpose, field):
    with pytest.raises(InvalidInput) as exc:
        sms_code_issue(phone=phone, purpose=purpose)
    assert field in exc.value.fields


def test_one_code_a_minute_per_phone(db, outbox, send_now):
    send_now(outbox)
    with pytest.raises(RateLimited):
        sms_code_issue(phone=PHONE, purpose="initial_demand_contact")
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=61)):
        send_now(outbox)
    assert len(outbox()) == 2


def test_five_tries_then_the_code_is_dead(db, outbox, send_now):
    code = send_now(outbox)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(InvalidInput) as exc:
            sms_code_check(phone=PHONE, purpose=PURPOSE, code=wrong)
        assert exc.value.fields["sms_code"] == "验证码不正确"
    with pytest.raises(InvalidInput) as exc:
        sms_code_check(phone=PHONE, purpose=PURPOSE, code=code)
    assert "次数过多" in exc.value.fields["sms_code"]
    assert SmsCode.objects.get().attempts == 5


def test_code_expires_after_ten_minutes(db, outbox, send_now):
    code = send_now(outbox)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=10, seconds=1)):
        with pytest.raises(InvalidInput) as exc:
            sms_code_check(phone=PHONE, purpose=PURPOSE, code=code)
    assert "失效" in exc.value.fields["sms_code"]


def test_code_is_single_use_and_bound_to_its_purpose(db, outbox, send_now):
    code = send_now(outbox)
    with pytest.raises(InvalidInput):
        sms_code_check(phone=PHONE, purpose="initial_demand_contact", code=code)
    sms = sms_code_check(phone=PHONE, purpose=PURPOSE, code=code)
    sms_code_consume(sms)
    with pytest.raises(InvalidInput):
        sms_code_consume(sms)
    with pytest.raises(InvalidInput):
        sms_code_check(phone=PHONE, purpose=PURPOSE, code=code)


# -- the code in the request that sets a mobile ----------------------------------------------


def create(reviewer, league, sms_code=None, **overrides):
    return demand_services.demand_create(
        actor=reviewer, league_org=league, data=f.demand_data(**overrides), sms_code=sms_code
    )


def test_a_demand_mobile_needs_its_code(reviewer, league, outbox, send_now):
    with pytest.raises(InvalidInput) as exc:
        create(reviewer, league)
    assert set(exc.value.fields) == {"sms_code"}
    code = send_now(outbox)
    demand = create(reviewer, league, sms_code=code)
    assert demand.contact_mobile == PHONE
    assert SmsCode.objects.get().used_at is not None


def test_a_request_refused_for_another_field_keeps_the_code(reviewer, league, outbox, send_now):
    code = send_now(outbox)
    with pytest.raises(InvalidInput) as exc:
        create(reviewer, league, sms_code=code, title="没有前缀的标题")
    assert set(exc.value.fields) == {"title"}
    sms = SmsCode.objects.get()
    assert sms.used_at is None and sms.attempts == 0
    assert create(reviewer, league, sms_code=code).pk


def test_an_unchanged_mobile_needs_no_new_code(reviewer, league, outbox, send_now):
    draft = create(reviewer, league, sms_code=send_now(outbox))
    demand_services.demand_update(demand=draft, actor=reviewer, data={"content": "补充说明"})
    with pytest.raises(InvalidInput) as exc:
        demand_services.demand_update(
            demand=draft, actor=reviewer, data={"contact_mobile": "13912345678"}
        )
    assert set(exc.value.fields) == {"sms_code"}
