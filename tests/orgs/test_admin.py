"""The Django admin: provincial administrators keep master data; states and audit are read-only."""

import pytest

from orgs.choices import Role
from orgs.models import AuditRecord, Membership

from .. import factories as f


@pytest.fixture
def admin_gd(province):
    user = f.UserFactory(username="admin_gd", is_staff=True)
    Membership.objects.create(user=user, role=Role.PROVINCIAL_ADMIN, league_org=province)
    return user


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/orgs/user/",
        "/admin/orgs/leagueorg/",
        "/admin/orgs/volunteerorg/?q=深圳",
        "/admin/orgs/city/",
        "/admin/orgs/auditrecord/",
        "/admin/demands/demand/?status__exact=open",
        "/admin/demands/report/",
    ],
)
def test_provincial_admin_sees_master_data(client, admin_gd, demand, url):
    client.force_login(admin_gd)
    assert client.get(url).status_code == 200


def test_state_is_read_only_and_audit_cannot_change(client, admin_gd, demand):
    client.force_login(admin_gd)
    page = client.get(f"/admin/demands/demand/{demand.pk}/change/").content.decode()
    assert 'name="status"' not in page  # shown, not editable
    audit = AuditRecord.objects.filter(object_id=demand.pk).first()
    assert client.post(f"/admin/orgs/auditrecord/{audit.pk}/delete/").status_code == 403
    assert client.get("/admin/orgs/auditrecord/add/").status_code == 403


def test_reviewers_and_orgs_have_no_admin(client, reviewer, operator):
    for user in (reviewer, operator):
        user.is_staff = True
        user.save()
        client.force_login(user)
        assert client.get("/admin/orgs/user/").status_code == 403


def test_a_published_demand_cannot_be_edited_or_moved_in_the_admin(
    client, admin_gd, demand, other_league
):
    client.force_login(admin_gd)
    page = client.get(f"/admin/demands/demand/{demand.pk}/change/").content.decode()
    assert 'name="league_org"' not in page and 'name="title"' not in page
    client.post(
        f"/admin/demands/demand/{demand.pk}/change/", {"league_org": other_league.pk, "title": "x"}
    )
    demand.refresh_from_db()
    assert demand.league_org != other_league and demand.title != "x"
