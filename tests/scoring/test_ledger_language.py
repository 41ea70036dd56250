"""Ledger lines are rendered in the reader's language, not read from stored prose."""

from django.utils import translation

from scoring.models import PointsEntry
from scoring.services import rating_submit
from workflows import services as claim_services

from .. import factories as f


def test_a_rating_line_reads_in_each_language(client, reviewer, demand, operator):
    claim = f.claim(demand, operator)
    claim_services.claim_approve(claim=claim, actor=reviewer)
    claim_services.activity_publish(claim=claim, actor=operator, data=f.activity_data())
    rating_submit(claim=claim, actor=reviewer, stars=5)
    rating_submit(claim=claim, actor=operator, stars=3)
    entry = PointsEntry.objects.get(volunteer_org=operator.volunteer_org)
    with translation.override("zh-hans"):
        assert entry.reason_text == f"「{demand.title}」获得5星评价"
    with translation.override("en"):
        assert entry.reason_text == f"“{demand.title}” received a 5-star rating"
    client.force_login(operator)
    body = client.get("/api/v1/me/points/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["entries"][0]["reason"] == f"“{demand.title}” received a 5-star rating"
