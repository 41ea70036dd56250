"""Celery tasks of orgs: sending an SMS in the background (the sending itself is orgs.sms)."""

from celery import shared_task

from . import sms


@shared_task
def sms_send(*, phone: str, purpose: str, code: str = "", text: str = "") -> None:
    sms.sms_send(phone=phone, purpose=purpose, code=code, text=text)
