"""SMS codes: issued to the outbox, hashed, rate-limited, 5 tries, 10 minutes, single use.

And the limits against flooding: per phone, per client address, platform-wide; wrong codes
counted per phone and hour across codes.
"""

import datetime
import json

import pytest
import time_machine
from django.utils import timezone

from demands import services as demand_services
from orgs.errors import InvalidInput
from orgs.models import SmsCode, SmsCodeFailure, SmsRequest
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


# -- limits against flooding ------------------------------------------------------------------

IP = "10.0.0.1"
MINUTE = datetime.timedelta(minutes=1)
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


def phones(prefix="138"):
    return iter(f"{prefix}{i:08d}" for i in range(1000))


def refused(**kwargs):
    with pytest.raises(RateLimited) as exc:
        sms_code_issue(purpose=PURPOSE, **kwargs)
    return exc.value


def test_the_defaults(settings):
    assert settings.SMS_LIMITS == {
        "PER_PHONE_PER_DAY": 10,
        "PER_CLIENT_PER_HOUR": 20,
        "PER_CLIENT_PER_DAY": 50,
        "ALL_PER_HOUR": 300,
        "ALL_PER_DAY": 2000,
        "WRONG_CODES_PER_PHONE_PER_HOUR": 10,
    }


def test_a_phone_gets_at_most_ten_codes_a_day(db):
    start = timezone.now()
    for i in range(10):
        with time_machine.travel(start + 2 * i * MINUTE, tick=False):
            sms_code_issue(phone=PHONE, purpose=PURPOSE, ip=f"10.0.0.{i}")
    with time_machine.travel(start + 5 * HOUR, tick=False):
        exc = refused(phone=PHONE, ip="10.0.1.1")
        assert exc.code == "sms_phone_limit"
        assert exc.retry_after == 19 * HOUR  # when the first of the ten is a day old
        assert exc.detail == "该手机号获取验证码次数过多，请19小时后再试"
        sms_code_issue(phone="13912345678", purpose=PURPOSE, ip="10.0.1.1")  # another phone
    with time_machine.travel(start + DAY + MINUTE, tick=False):
        sms_code_issue(phone=PHONE, purpose=PURPOSE, ip="10.0.1.1")
    assert SmsCode.objects.filter(phone=PHONE).count() == 11


def test_refused_requests_are_not_counted(db):
    start = timezone.now()
    for i in range(10):
        with time_machine.travel(start + 2 * i * MINUTE, tick=False):
            sms_code_issue(phone=PHONE, purpose=PURPOSE, ip=IP)
    with time_machine.travel(start + HOUR, tick=False):
        for _ in range(20):
            assert refused(phone=PHONE, ip=f"10.0.2.{_}").retry_after == 23 * HOUR
    assert SmsRequest.objects.count() == 10
    with time_machine.travel(start + DAY + MINUTE, tick=False):
        sms_code_issue(phone=PHONE, purpose=PURPOSE, ip=IP)


def test_the_one_a_minute_rule_says_when(db):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sms_code_issue(phone=PHONE, purpose=PURPOSE, ip=IP)
    with time_machine.travel(start + datetime.timedelta(seconds=20), tick=False):
        exc = refused(phone=PHONE, ip="10.0.0.2")
    assert exc.code == "throttled" and exc.detail == "验证码发送过于频繁，请一分钟后再试"
    assert exc.retry_after == datetime.timedelta(seconds=40)


def test_one_client_gets_twenty_codes_an_hour_and_fifty_a_day(db):
    start = timezone.now()
    numbers = phones()
    with time_machine.travel(start, tick=False):
        for _ in range(20):
            sms_code_issue(phone=next(numbers), purpose=PURPOSE, ip=IP)
        exc = refused(phone=next(numbers), ip=IP)
        assert exc.code == "sms_client_limit" and exc.retry_after == HOUR
        assert exc.detail == "获取验证码过于频繁，请60分钟后再试"
        sms_code_issue(phone=next(numbers), purpose=PURPOSE, ip="10.0.0.2")  # another client
    with time_machine.travel(start + HOUR + MINUTE, tick=False):
        for _ in range(20):
            sms_code_issue(phone=next(numbers), purpose=PURPOSE, ip=IP)
    later = start + 2 * HOUR + 2 * MINUTE
    with time_machine.travel(later, tick=False):
        for _ in range(10):
            sms_code_issue(phone=next(numbers), purpose=PURPOSE, ip=IP)
        exc = refused(phone=next(numbers), ip=IP)
        assert exc.code == "sms_client_limit"
        assert exc.retry_after == start + DAY - later
    with time_machine.travel(start + DAY + MINUTE, tick=False):
        sms_code_issue(phone=next(numbers), purpose=PURPOSE, ip=IP)


def test_ipv6_clients_are_counted_by_their_64_network(db, settings):
    settings.SMS_LIMITS = {**settings.SMS_LIMITS, "PER_CLIENT_PER_HOUR": 2}
    numbers = phones()
    sms_code_issue(phone=next(numbers), purpose=PURPOSE, ip="2001:db8:0:1::1")
    sms_code_issue(phone=next(numbers), purpose=PURPOSE, ip="2001:db8:0:1::2")
    assert refused(phone=next(numbers), ip="2001:db8:0:1:ffff::3").code == "sms_client_limit"
    sms_code_issue(phone=next(numbers), purpose=PURPOSE, ip="2001:db8:0:2::1")


def test_a_request_without_an_address_has_no_client_limit(db, settings):
    settings.SMS_LIMITS = {**settings.SMS_LIMITS, "PER_CLIENT_PER_HOUR": 1}
    numbers = phones()
    for _ in range(3):
        sms_code_issue(phone=next(numbers), purpose=PURPOSE, ip=None)


def test_the_platform_ceilings(db, settings, caplog):
    settings.SMS_LIMITS = {**settings.SMS_LIMITS, "ALL_PER_HOUR": 3, "ALL_PER_DAY": 4}
    start = timezone.now()
    numbers = phones()
    with time_machine.travel(start, tick=False):
        for i in range(3):
            sms_code_issue(phone=next(numbers), purpose=PURPOSE, ip=f"10.1.0.{i}")
        exc = refused(phone=next(numbers), ip="10.1.1.1")
        assert exc.code == "sms_platform_limit" and exc.retry_after == HOUR
        assert exc.detail == "验证码发送量已达平台上限，请60分钟后再试"
        assert "SMS platform limit" in caplog.text  # the operators hear of it
    with time_machine.travel(start + HOUR + MINUTE, tick=False):
        sms_code_issue(phone=next(numbers), purpose=PURPOSE, ip="10.1.1.1")
        exc = refused(phone=next(numbers), ip="10.1.1.2")
        assert exc.code == "sms_platform_limit" and exc.retry_after == DAY - HOUR - MINUTE


def test_old_requests_are_forgotten(db):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        sms_code_issue(phone=PHONE, purpose=PURPOSE, ip=IP)
    with time_machine.travel(start + DAY + MINUTE, tick=False):
        sms_code_issue(phone="13912345678", purpose=PURPOSE, ip=IP)
    assert SmsRequest.objects.count() == 1


# -- wrong codes per phone and hour --------------------------------------------------------------


def wrong_code(code):
    return "000000" if code != "000000" else "111111"


def test_wrong_codes_are_counted_per_phone_and_hour_across_codes(db, outbox, send_now):
    start = timezone.now()
    # Two codes (one for each purpose), five wrong tries each: ten wrong codes for the phone.
    for i, purpose in enumerate(["demand_contact", "initial_demand_contact"]):
        with time_machine.travel(start + 2 * i * MINUTE, tick=False):
            code = send_now(outbox, purpose=purpose)
            for _ in range(5):
                with pytest.raises(InvalidInput):
                    sms_code_check(phone=PHONE, purpose=purpose, code=wrong_code(code))
    with time_machine.travel(start + 4 * MINUTE, tick=False):
        code = send_now(outbox)
        with pytest.raises(InvalidInput) as exc:
            sms_code_check(phone=PHONE, purpose=PURPOSE, code=code)  # even the right code
        assert exc.value.fields["sms_code"] == "验证码错误次数过多，请56分钟后再试"
        assert exc.value.code == "invalid_sms_code"
    assert SmsCode.objects.order_by("created_at").last().attempts == 0  # it was not compared
    assert SmsCodeFailure.objects.count() == 10
    with time_machine.travel(start + HOUR + MINUTE, tick=False):
        code = send_now(outbox)
        assert sms_code_check(phone=PHONE, purpose=PURPOSE, code=code)


def test_a_right_code_or_a_dead_one_is_not_a_wrong_guess(db, outbox, send_now):
    with pytest.raises(InvalidInput):
        sms_code_check(phone=PHONE, purpose=PURPOSE, code="123456")  # no code was sent
    code = send_now(outbox)
    for _ in range(5):
        with pytest.raises(InvalidInput):
            sms_code_check(phone=PHONE, purpose=PURPOSE, code=wrong_code(code))
    with pytest.raises(InvalidInput):
        sms_code_check(phone=PHONE, purpose=PURPOSE, code=code)  # this code is dead: not compared
    assert SmsCodeFailure.objects.count() == 5
    with time_machine.travel(timezone.now() + 2 * MINUTE):
        code = send_now(outbox)
        assert sms_code_check(phone=PHONE, purpose=PURPOSE, code=code)
    assert SmsCodeFailure.objects.count() == 5


def test_other_phones_are_not_affected(db, outbox, send_now):
    code = send_now(outbox)
    for _ in range(5):
        with pytest.raises(InvalidInput):
            sms_code_check(phone=PHONE, purpose=PURPOSE, code=wrong_code(code))
    other = send_now(outbox, phone="13912345678")
    assert sms_code_check(phone="13912345678", purpose=PURPOSE, code=other)


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
