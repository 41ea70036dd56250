"""The Django admin: provincial administrators keep master data; states and audit are read-only."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from rest_framework.authtoken.models import Token

from demands import services as demand_services
from orgs.choices import Role
from orgs.models import AuditRecord, Membership, User

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


# -- accounts: who grants what ------------------------------------------------------------------

MOBILE = "18500000000"
STUDENT = {
    "name": "赵小二",
    "gender": "male",
    "grade": "primary_3",
    "school": "李村小学",
    "address": "深圳市李村小学",
    "courses": [{"course": "math", "score": 76}],
}


@pytest.fixture
def root(db):
    return f.UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def newcomer(db):
    return f.UserFactory(username="newcomer", display_name="新同事")


@pytest.fixture
def cloud_request(other_league):
    """A cloud-teaching request with a student, addressed to another league org."""
    family = f.UserFactory(username="family")
    return demand_services.initial_demand_submit(
        actor=family,
        league_org=other_league,
        kind="cloud_teaching",
        data={
            "title": "【乡村云支教】我需要补习数学",
            "contact_name": "赵雷",
            "contact_mobile": MOBILE,
        },
        student={**STUDENT, "city": f.city("广州市")},
        verify_mobile=False,
    )


def user_form(user, **changes) -> dict:
    """The change form of `user` as a browser posts it back, memberships inline included.

    The dates are posted too, as the stock form asked for them: the requests in these tests are
    the ones that went through before the admin was closed.
    """
    joined = timezone.localtime(user.date_joined)
    data = {
        "date_joined_0": joined.strftime("%Y-%m-%d"),
        "date_joined_1": joined.strftime("%H:%M:%S"),
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "display_name": user.display_name,
        "mobile": user.mobile,
        "is_active": "on",
    }
    memberships = list(user.memberships.order_by("pk"))
    for i, m in enumerate(memberships):
        data |= {
            f"memberships-{i}-id": m.pk,
            f"memberships-{i}-user": user.pk,
            f"memberships-{i}-role": m.role,
            f"memberships-{i}-league_org": m.league_org_id or "",
            f"memberships-{i}-volunteer_org": m.volunteer_org_id or "",
        }
    data |= {
        "memberships-TOTAL_FORMS": len(memberships),
        "memberships-INITIAL_FORMS": len(memberships),
        "memberships-MIN_NUM_FORMS": 0,
        "memberships-MAX_NUM_FORMS": 1000,
    }
    return data | changes


def with_new_membership(data: dict, user, *, role: str, league_org=None, volunteer_org=None):
    i = data["memberships-TOTAL_FORMS"]
    return data | {
        f"memberships-{i}-id": "",
        f"memberships-{i}-user": user.pk,
        f"memberships-{i}-role": role,
        f"memberships-{i}-league_org": league_org.pk if league_org else "",
        f"memberships-{i}-volunteer_org": volunteer_org.pk if volunteer_org else "",
        "memberships-TOTAL_FORMS": i + 1,
    }


def change_url(user) -> str:
    return f"/admin/orgs/user/{user.pk}/change/"


def membership_audits(action: str):
    return AuditRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(Membership), action=action
    )


def test_a_provincial_admin_sees_no_superuser_staff_or_permission_inputs(
    client, admin_gd, reviewer
):
    client.force_login(admin_gd)
    for user in (admin_gd, reviewer):
        page = client.get(change_url(user)).content.decode()
        for name in ("is_superuser", "is_staff", "groups", "user_permissions"):
            assert f'name="{name}"' not in page, (user, name)


def test_a_provincial_admin_cannot_make_itself_or_anyone_superuser_or_staff(
    client, admin_gd, reviewer
):
    client.force_login(admin_gd)
    grant = {"is_superuser": "on", "is_staff": "on", "user_permissions": ["1", "2"]}
    for user in (admin_gd, reviewer):
        assert client.post(change_url(user), user_form(user, **grant)).status_code == 302
        user.refresh_from_db()
        assert not user.is_superuser and not user.user_permissions.exists(), user
    reviewer.refresh_from_db()
    assert not reviewer.is_staff


def test_a_superuser_still_grants_superuser_and_staff_and_it_is_audited(client, root, reviewer):
    client.force_login(root)
    page = client.get(change_url(reviewer)).content.decode()
    assert 'name="is_superuser"' in page and 'name="is_staff"' in page
    response = client.post(change_url(reviewer), user_form(reviewer, is_staff="on"))
    assert response.status_code == 302
    reviewer.refresh_from_db()
    assert reviewer.is_staff and not reviewer.is_superuser
    record = AuditRecord.objects.get(action="is_staff", object_id=reviewer.pk)
    assert (record.actor, record.from_state, record.to_state) == (root, "False", "True")


def test_a_provincial_admin_cannot_change_a_superuser_account(client, admin_gd, root):
    client.force_login(admin_gd)
    response = client.post(change_url(root), user_form(root, is_active=""))
    assert response.status_code == 403
    root.refresh_from_db()
    assert root.is_active


def test_a_provincial_admin_cannot_give_itself_a_role_and_read_a_student(
    client, admin_gd, other_league, cloud_request
):
    client.force_login(admin_gd)
    page = client.get(change_url(admin_gd)).content.decode()
    assert 'name="memberships-0-role"' not in page  # its own roles are shown, not editable
    data = with_new_membership(
        user_form(admin_gd), admin_gd, role=Role.LEAGUE_REVIEWER, league_org=other_league
    )
    client.post(change_url(admin_gd), data)
    assert not admin_gd.memberships.filter(league_org=other_league).exists()
    response = client.get(f"/api/v1/initial-demands/{cloud_request.pk}/")
    assert response.status_code == 404
    assert "赵小二" not in response.content.decode()


def test_a_provincial_admin_cannot_change_its_own_role(client, admin_gd, other_league):
    client.force_login(admin_gd)
    data = user_form(admin_gd) | {
        "memberships-0-role": Role.LEAGUE_REVIEWER,
        "memberships-0-league_org": other_league.pk,
    }
    client.post(change_url(admin_gd), data)
    [membership] = admin_gd.memberships.all()
    assert (membership.role, membership.league_org_id) != (Role.LEAGUE_REVIEWER, other_league.pk)
    assert not membership_audits("membership_change").exists()


def test_only_a_superuser_grants_the_provincial_admin_role(
    client, admin_gd, root, newcomer, province
):
    data = with_new_membership(
        user_form(newcomer), newcomer, role=Role.PROVINCIAL_ADMIN, league_org=province
    )
    client.force_login(admin_gd)
    client.post(change_url(newcomer), data)
    assert not newcomer.memberships.exists()
    client.force_login(root)
    client.post(change_url(newcomer), data)
    assert newcomer.memberships.get().role == Role.PROVINCIAL_ADMIN


def test_every_membership_change_in_the_admin_is_audited(
    client, admin_gd, root, newcomer, league, other_league
):
    client.force_login(admin_gd)
    data = with_new_membership(
        user_form(newcomer), newcomer, role=Role.LEAGUE_REVIEWER, league_org=league
    )
    assert client.post(change_url(newcomer), data).status_code == 302
    membership = newcomer.memberships.get()
    added = membership_audits("membership_add").get()
    assert (added.actor, added.object_id, added.to_state) == (
        admin_gd,
        membership.pk,
        Role.LEAGUE_REVIEWER,
    )

    data = user_form(newcomer) | {"memberships-0-league_org": other_league.pk}
    assert client.post(change_url(newcomer), data).status_code == 302
    changed = membership_audits("membership_change").get()
    assert changed.object_id == membership.pk and changed.actor == admin_gd
    assert str(league.pk) in changed.reason and str(other_league.pk) in changed.reason

    # Only a superuser deletes a membership; that is recorded as well.
    client.force_login(root)
    data = user_form(newcomer) | {"memberships-0-DELETE": "on"}
    assert client.post(change_url(newcomer), data).status_code == 302
    assert not newcomer.memberships.exists()
    deleted = membership_audits("membership_delete").get()
    assert (deleted.actor, deleted.object_id, deleted.from_state) == (
        root,
        membership.pk,
        Role.LEAGUE_REVIEWER,
    )


def test_a_superuser_may_change_its_own_roles_and_that_is_audited(client, root, league):
    client.force_login(root)
    data = with_new_membership(user_form(root), root, role=Role.LEAGUE_REVIEWER, league_org=league)
    assert client.post(change_url(root), data).status_code == 302
    record = membership_audits("membership_add").get()
    assert record.actor == root and record.object_id == root.memberships.get().pk


def test_a_membership_and_its_audit_record_commit_together(
    client, admin_gd, newcomer, league, monkeypatch
):
    def refuse(*args, **kwargs):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(AuditRecord, "save", refuse)
    monkeypatch.setattr(AuditRecord.objects, "bulk_create", refuse)
    client.force_login(admin_gd)
    data = with_new_membership(
        user_form(newcomer), newcomer, role=Role.LEAGUE_REVIEWER, league_org=league
    )
    with pytest.raises(RuntimeError):
        client.post(change_url(newcomer), data)
    assert not newcomer.memberships.exists()


def test_deleting_an_account_audits_the_memberships_it_takes_along(client, root, reviewer):
    membership = reviewer.memberships.get()
    client.force_login(root)
    response = client.post(f"/admin/orgs/user/{reviewer.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    record = membership_audits("membership_delete").get()
    assert record.object_id == membership.pk and record.actor == root


# -- passwords: nobody chooses another person's ---------------------------------------------------


@pytest.mark.parametrize("who", ["admin_gd", "root"])
def test_no_administrator_sets_another_users_password(request, client, who, reviewer):
    client.force_login(request.getfixturevalue(who))
    url = f"/admin/orgs/user/{reviewer.pk}/password/"
    page = client.get(change_url(reviewer)).content.decode()
    assert "../password/" not in page and 'href="password/"' not in page
    assert client.get(url).status_code == 403
    new = "Chosen-by-admin-1"
    response = client.post(url, {"password1": new, "password2": new, "usable_password": "true"})
    assert response.status_code == 403
    reviewer.refresh_from_db()
    assert reviewer.check_password(f.PASSWORD) and not reviewer.check_password(new)


def test_ones_own_password_page_in_the_admin_is_the_ordinary_change_page(client, admin_gd):
    client.force_login(admin_gd)
    response = client.get(f"/admin/orgs/user/{admin_gd.pk}/password/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password_change/"


def reset_url(user) -> str:
    return f"/admin/orgs/user/{user.pk}/reset-password/"


def test_a_reset_sends_a_one_time_password_to_the_owner(
    client, admin_gd, reviewer, outbox, django_capture_on_commit_callbacks
):
    reviewer.mobile = "13900000001"
    reviewer.save()
    Token.objects.create(user=reviewer)
    client.force_login(admin_gd)
    assert reset_url(reviewer) in client.get(change_url(reviewer)).content.decode()
    assert client.get(reset_url(reviewer)).status_code == 200  # a confirmation, nothing done
    assert reviewer.memberships.exists() and outbox() == []

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reset_url(reviewer))

    assert response.status_code == 200
    [sms] = outbox()
    assert sms["phone"] == "13900000001" and sms["purpose"] == "password_reset"
    password = re.search(r"[A-Za-z0-9]{10,}", sms["text"]).group()
    page = response.content.decode()
    assert password not in page and "139****0001" in page  # sent to the owner, not shown
    reviewer.refresh_from_db()
    assert reviewer.must_change_password and reviewer.check_password(password)
    assert not reviewer.check_password(f.PASSWORD)
    assert not Token.objects.filter(user=reviewer).exists()
    record = AuditRecord.objects.get(action="password_reset")
    assert (record.actor, record.object_id) == (admin_gd, reviewer.pk)
    # The owner logs in with it and must change it first.
    login = client.post("/api/v1/auth/token/", {"username": "reviewer", "password": password})
    assert login.json()["must_change_password"] is True


def test_a_reset_without_a_mobile_shows_the_password_once(client, admin_gd, reviewer, outbox):
    client.force_login(admin_gd)
    response = client.post(reset_url(reviewer))
    password = response.context["one_time_password"]
    assert password in response.content.decode()
    assert (
        response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]
    )
    reviewer.refresh_from_db()
    assert reviewer.must_change_password and reviewer.check_password(password)
    assert outbox() == []
    assert AuditRecord.objects.filter(action="password_reset", object_id=reviewer.pk).exists()


def test_a_provincial_admin_cannot_reset_a_superuser_or_itself(client, admin_gd, root):
    client.force_login(admin_gd)
    for user in (root, admin_gd):
        client.post(reset_url(user))
        user.refresh_from_db()
        assert user.check_password(f.PASSWORD) and not user.must_change_password
    assert not AuditRecord.objects.filter(action="password_reset").exists()


def test_the_add_form_makes_no_superuser_staff_or_chosen_password(
    client, admin_gd, outbox, django_capture_on_commit_callbacks
):
    client.force_login(admin_gd)
    chosen = "Chosen-by-admin-1"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/orgs/user/add/",
            {
                "username": "puppet",
                "display_name": "新账号",
                "mobile": "13900000002",
                "password1": chosen,
                "password2": chosen,
                "usable_password": "true",
                "is_superuser": "on",
                "is_staff": "on",
                "memberships-TOTAL_FORMS": 0,
                "memberships-INITIAL_FORMS": 0,
            },
        )
    assert response.status_code == 200
    assert "13900000002" not in response.content.decode()
    user = User.objects.get(username="puppet")
    assert not user.is_superuser and not user.is_staff
    assert not user.check_password(chosen) and user.must_change_password
    [sms] = outbox()
    assert sms["phone"] == "13900000002"
    assert user.check_password(re.search(r"[A-Za-z0-9]{10,}", sms["text"]).group())
    assert AuditRecord.objects.filter(action="password_reset", object_id=user.pk).exists()


def test_an_account_mobile_is_masked_and_not_searchable(client, admin_gd, reviewer):
    reviewer.mobile = "13900000001"
    reviewer.save()
    client.force_login(admin_gd)
    page = client.get(change_url(reviewer)).content.decode()
    assert "13900000001" not in page and "139****0001" in page
    listing = client.get("/admin/orgs/user/?q=13900000001")
    assert reviewer not in listing.context["cl"].result_list
    assert client.get("/admin/orgs/user/?mobile__startswith=139").status_code == 400


def test_a_provincial_admin_cannot_delete_its_own_role(client, admin_gd):
    client.force_login(admin_gd)
    client.post(change_url(admin_gd), user_form(admin_gd) | {"memberships-0-DELETE": "on"})
    assert admin_gd.memberships.filter(role=Role.PROVINCIAL_ADMIN).exists()
    assert not membership_audits("membership_delete").exists()


def test_an_account_mobile_is_given_once_audited_and_then_kept(client, admin_gd, reviewer):
    client.force_login(admin_gd)
    assert 'name="mobile"' in client.get(change_url(reviewer)).content.decode()
    response = client.post(change_url(reviewer), user_form(reviewer, mobile="13900000001"))
    assert response.status_code == 302
    record = AuditRecord.objects.get(action="mobile_set", object_id=reviewer.pk)
    assert (record.actor, record.to_state) == (admin_gd, "139****0001")
    # Once set, it is shown masked and not replaced here (a reset would send to the new one).
    reviewer.refresh_from_db()
    assert 'name="mobile"' not in client.get(change_url(reviewer)).content.decode()
    client.post(change_url(reviewer), user_form(reviewer, mobile="13700000007"))
    reviewer.refresh_from_db()
    assert reviewer.mobile == "13900000001"


def test_the_admins_password_page_is_the_platforms(client, db):
    # Django's admin form would bypass user_change_password (initial-password rule, tokens).
    from tests import factories as f

    user = f.UserFactory(username="staffer", is_staff=True)
    client.force_login(user)
    response = client.get("/admin/password_change/")
    assert response.status_code == 302 and response["Location"] == "/accounts/password_change/"
