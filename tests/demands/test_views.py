"""The home page shows the platform's counts per zone and the published demands only."""

from .. import factories as f


def test_home_counts_published_demands_and_successful_claims(client, demand, reviewer, operator):
    from workflows import services

    f.draft_demand(reviewer, title="【七彩假期】草稿不展示")
    services.claim_approve(claim=f.claim(demand, operator), actor=reviewer)
    response = client.get("/")
    assert response.status_code == 200
    zones = {z["zone"]: z for z in response.context["zones"]}
    assert zones["colorful_holiday"]["demand_count"] == 1
    assert zones["colorful_holiday"]["claim_count"] == 1
    assert zones["cloud_teaching"]["demand_count"] == 0
    body = response.content.decode()
    assert demand.title in body
    assert "草稿不展示" not in body
