"""The whole loop over HTTP only: import, first login, demand with SMS code, claims, ratings, points."""

import datetime

from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

CSV = """kind,code,name,parent_code,city,username
league,GD,共青团广东省委员会,,,gd_league
league,SZ,共青团深圳市委员会,GD,深圳市,sz_league
volunteer,V1,深圳青年志愿服务队,,深圳市,v1_org
volunteer,V2,鹏城义工联,,深圳市,v2_org
"""
NEW_PASSWORD = "Shenzhen-2026!"


def login(username, password="000000") -> APIClient:
    client = APIClient()
    response = client.post(
        "/api/v1/auth/token/", {"username": username, "password": password}, format="json"
    )
    assert response.status_code == 200, response.json()
    client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")
    if response.json()["must_change_password"]:
        assert client.get("/api/v1/me/").status_code == 403
        changed = client.post(
            "/api/v1/auth/password/",
            {"old_password": password, "new_password": NEW_PASSWORD},
            format="json",
        )
        assert changed.status_code == 200, changed.json()
        # A password change ends every token of the account; the answer carries a new one.
        assert client.get("/api/v1/me/").status_code == 401
        client.credentials(HTTP_AUTHORIZATION=f"Token {changed.json()['token']}")
    return client


def ok(response, status=200):
    assert response.status_code == status, (response.status_code, response.json())
    return response.json()


def test_the_whole_loop_over_http(db, tmp_path, outbox, django_capture_on_commit_callbacks):
    path = tmp_path / "orgs.csv"
    path.write_text(CSV, encoding="utf-8")
    call_command("import_orgs", str(path), stdout=open(tmp_path / "out.txt", "w"))

    league = login("sz_league")
    v1, v2 = login("v1_org"), login("v2_org")
    for client, name in ((v1, "深圳青年志愿服务队"), (v2, "鹏城义工联")):
        ok(
            client.put(
                "/api/v1/me/org/",
                {
                    "name": name,
                    "city": "深圳市",
                    "service_areas": ["care_for_minors"],
                    "service_objects": ["teenagers"],
                    "volunteer_count": 12,
                    "contact_name": "王队长",
                    "contact_mobile": "13800138000",
                    "intro": "关爱未成年人。",
                },
                format="json",
            )
        )

    # the league org drafts a demand, verifies its mobile with a code from the outbox, publishes
    with django_capture_on_commit_callbacks(execute=True):
        ok(
            APIClient().post(
                "/api/v1/sms/codes/",
                {"phone": "18826480174", "purpose": "demand_contact"},
                format="json",
            ),
            202,
        )
    code = outbox()[-1]["code"]
    today = timezone.localdate()
    demand = ok(
        league.post(
            "/api/v1/demands/",
            {
                "zone": "colorful_holiday",
                "title": "【七彩假期】招募8名志愿者开展防溺水安全教育",
                "type": "care_for_minors",
                "volunteers_needed": 8,
                "content": "为社区儿童开展防溺水安全教育。",
                "start_date": str(today + datetime.timedelta(days=3)),
                "end_date": str(today + datetime.timedelta(days=20)),
                "guarantees": ["meals", "insurance"],
                "city": "深圳市",
                "district": "福田区",
                "contact_name": "李雷",
                "contact_landline": "0755-88889999",
                "contact_mobile": "18826480174",
                "sms_code": code,
            },
            format="json",
        ),
        201,
    )
    ok(league.post(f"/api/v1/demands/{demand['id']}/publish/"))
    assert ok(league.get("/api/v1/me/"))["todo"]["to_claim"] == 1

    # two orgs claim; both see the mobile masked
    first = ok(v1.post(f"/api/v1/demands/{demand['id']}/claims/"), 201)
    second = ok(v2.post(f"/api/v1/demands/{demand['id']}/claims/"), 201)
    detail = f"/api/v1/demands/{demand['id']}/"
    assert ok(v1.get(detail))["contact_mobile"] == "188****0174"
    assert ok(league.get("/api/v1/me/"))["todo"]["to_confirm"] == 2

    # the league org approves the first; the second is returned by the system
    ok(league.post(f"/api/v1/claims/{first['id']}/approve/"))
    assert ok(v1.get(detail))["contact_mobile"] == "18826480174"
    assert ok(v2.get(detail))["contact_mobile"] == "188****0174"
    assert ok(v2.get(f"/api/v1/claims/{second['id']}/"))["status"] == "rejected"
    assert ok(league.get(detail))["status"] == "claimed"

    # the approved claimer publishes its activity
    start = timezone.now() + datetime.timedelta(days=3)
    ok(
        v1.post(
            f"/api/v1/claims/{first['id']}/activity/",
            {
                "title": "【七彩假期】防溺水安全教育进社区",
                "attendance_method": "qr_code",
                "activity_type": "volunteer_service",
                "category": "civilization_practice",
                "recruit_count": 8,
                "contact_name": "王队长",
                "contact_phone": "13800138000",
                "recruit_start_at": (start - datetime.timedelta(days=2)).isoformat(),
                "start_at": start.isoformat(),
                "end_at": (start + datetime.timedelta(hours=3)).isoformat(),
                "address": "深圳市福田区某社区党群服务中心",
                "description": "防溺水知识讲解与演练。",
                "certificate_consent": True,
            },
            format="json",
        ),
        201,
    )
    assert ok(league.get(detail))["status"] == "in_service"

    # both sides rate; points go to the rated orgs
    ok(v1.post(f"/api/v1/claims/{first['id']}/rating/", {"stars": 4}, format="json"), 201)
    ok(
        league.post(
            f"/api/v1/claims/{first['id']}/rating/",
            {"stars": 5, "comment": "准备充分，孩子们很喜欢"},
            format="json",
        ),
        201,
    )
    assert ok(v1.get(f"/api/v1/claims/{first['id']}/"))["status"] == "completed"
    assert ok(league.get(detail))["status"] == "completed"
    assert ok(v1.get("/api/v1/me/points/"))["balance"] == 10
    assert ok(league.get("/api/v1/me/points/"))["balance"] == 8
    assert ok(v2.get("/api/v1/me/points/"))["balance"] == 0
