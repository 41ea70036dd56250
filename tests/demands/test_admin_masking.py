"""The Django admin keeps the rules the API keeps: masked mobiles, no student names, no edits
of verified contact data."""

import pytest
from django.contrib import admin

from demands import services
from demands.models import Demand, InitialDemand, StudentRecord, StudentRecordAccess
from orgs.choices import Role
from orgs.models import Membership

from .. import factories as f

DEMAND_MOBILE = "18826480174"  # factories.demand_data
FAMILY_MOBILE = "18500000000"
STUDENT = {
    "name": "赵小二",
    "gender": "male",
    "grade": "primary_3",
    "school": "李村小学",
    "address": "深圳市李村小学",
    "courses": [{"course": "math", "score": 76}],
}


@pytest.fixture
def admin_gd(province):
    user = f.UserFactory(username="admin_gd", is_staff=True)
    Membership.objects.create(user=user, role=Role.PROVINCIAL_ADMIN, league_org=province)
    return user


@pytest.fixture
def root(db):
    return f.UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def draft(reviewer):
    return f.draft_demand(reviewer)


@pytest.fixture
def initial(league):
    return services.initial_demand_submit(
        actor=f.UserFactory(username="family"),
        league_org=league,
        kind="cloud_teaching",
        data={
            "title": "【乡村云支教】我需要补习数学",
            "contact_name": "赵雷",
            "contact_mobile": FAMILY_MOBILE,
        },
        student={**STUDENT, "city": f.city("深圳市")},
        verify_mobile=False,
    )


@pytest.fixture
def access(initial, reviewer):
    return StudentRecordAccess.objects.create(record=initial.student, user=reviewer, via="api")


def masked(mobile: str) -> str:
    return f"{mobile[:3]}****{mobile[-4:]}"


@pytest.mark.parametrize("who", ["admin_gd", "root"])
@pytest.mark.parametrize("which", ["draft", "demand"])
def test_a_demand_shows_its_contact_mobile_masked_and_read_only(request, client, who, which):
    obj = request.getfixturevalue(which)
    client.force_login(request.getfixturevalue(who))
    page = client.get(f"/admin/demands/demand/{obj.pk}/change/").content.decode()
    assert DEMAND_MOBILE not in page and masked(DEMAND_MOBILE) in page
    assert 'name="contact_mobile"' not in page


@pytest.mark.parametrize("who", ["admin_gd", "root"])
def test_a_draft_contact_mobile_cannot_be_changed_in_the_admin(request, client, who, draft):
    client.force_login(request.getfixturevalue(who))
    page = client.get(f"/admin/demands/demand/{draft.pk}/change/")
    data = {
        k: v
        for k, v in page.context["adminform"].form.initial.items()
        if v is not None and not isinstance(v, list)
    }
    response = client.post(
        f"/admin/demands/demand/{draft.pk}/change/",
        data | {"contact_mobile": "13900000009", "guarantees": '["meals"]', "content": "改过"},
    )
    assert response.status_code == 302  # the rest of the draft was saved
    draft.refresh_from_db()
    assert draft.content == "改过" and draft.contact_mobile == DEMAND_MOBILE


@pytest.mark.parametrize("who", ["admin_gd", "root"])
def test_an_initial_demand_shows_its_contact_mobile_masked_and_read_only(
    request, client, who, initial
):
    client.force_login(request.getfixturevalue(who))
    url = f"/admin/demands/initialdemand/{initial.pk}/change/"
    page = client.get(url).content.decode()
    assert FAMILY_MOBILE not in page and masked(FAMILY_MOBILE) in page
    assert 'name="contact_mobile"' not in page
    assert "赵小二" not in page
    response = client.post(
        url,
        {
            "kind": initial.kind,
            "title": initial.title,
            "description": "",
            "contact_name": initial.contact_name,
            "contact_mobile": "13900000009",
            "decision_reason": "",
        },
    )
    assert response.status_code == 302
    initial.refresh_from_db()
    assert initial.contact_mobile == FAMILY_MOBILE


@pytest.mark.parametrize(
    "url",
    [
        f"/admin/demands/demand/?contact_mobile={DEMAND_MOBILE}",
        "/admin/demands/demand/?contact_mobile__startswith=188",
        f"/admin/demands/initialdemand/?contact_mobile={FAMILY_MOBILE}",
        "/admin/orgs/volunteerorg/?contact_mobile__startswith=138",
        "/admin/orgs/leagueorg/?contact_mobile__startswith=138",
    ],
)
def test_no_list_filters_on_a_mobile(client, admin_gd, demand, initial, url):
    client.force_login(admin_gd)
    assert client.get(url).status_code == 400


def test_a_search_does_not_match_a_mobile(client, admin_gd, demand, initial):
    client.force_login(admin_gd)
    for url in (
        f"/admin/demands/demand/?q={DEMAND_MOBILE}",
        f"/admin/demands/initialdemand/?q={FAMILY_MOBILE}",
    ):
        assert list(client.get(url).context["cl"].result_list) == []


def test_org_contact_mobiles_are_masked_and_read_only(client, admin_gd, league, vorg):
    league.contact_mobile = "13700000007"
    league.save()
    client.force_login(admin_gd)
    for url, mobile in (
        (f"/admin/orgs/leagueorg/{league.pk}/change/", "13700000007"),
        (f"/admin/orgs/volunteerorg/{vorg.pk}/change/", vorg.contact_mobile),
    ):
        page = client.get(url).content.decode()
        assert mobile not in page and masked(mobile) in page, url
        assert 'name="contact_mobile"' not in page


def test_the_access_log_shows_no_student_name(client, admin_gd, access, initial):
    client.force_login(admin_gd)
    response = client.get("/admin/demands/studentrecordaccess/")
    page = response.content.decode()
    assert "赵小二" not in page
    assert list(response.context["cl"].result_list) == [access]
    assert str(initial.pk) in page and str(initial.student.pk) in page


def test_the_access_log_cannot_be_searched_by_student_name(client, admin_gd, access):
    client.force_login(admin_gd)
    found = client.get("/admin/demands/studentrecordaccess/?q=赵小二").context["cl"].result_list
    assert list(found) == []
    assert client.get("/admin/demands/studentrecordaccess/?record__name=赵小二").status_code == 400


def test_an_access_has_no_detail_page_that_names_the_student(client, admin_gd, access):
    client.force_login(admin_gd)
    for suffix in ("change/", "history/", "delete/"):
        response = client.get(f"/admin/demands/studentrecordaccess/{access.pk}/{suffix}")
        assert "赵小二" not in response.content.decode(), suffix
        assert response.status_code in (403, 302), suffix


def test_student_records_have_no_admin():
    assert not admin.site.is_registered(StudentRecord)


@pytest.mark.parametrize("model", [Demand, InitialDemand])
def test_demands_are_not_created_in_the_admin(client, root, model):
    # Creation verifies the contact mobile by SMS and writes the audit record: the services do.
    client.force_login(root)
    assert client.get(f"/admin/demands/{model._meta.model_name}/add/").status_code == 403
