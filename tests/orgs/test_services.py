"""Org services and account plumbing: passwords, the change-password gate, roles, profiles."""

import pytest
from django.contrib.auth import authenticate

from orgs.backends import review_permission
from orgs.choices import Role
from orgs.errors import InvalidInput, NotAllowed
from orgs.models import Membership, User, VolunteerOrg
from orgs.services import user_change_password, volunteer_org_update_profile
from tests import factories as f

INITIAL = "000000"
NEW_PASSWORD = "Pearl-River-2024"


@pytest.fixture
def imported_user(db):
    """An account as the import creates it: initial password, must change it."""
    user = User(username="sz_league", must_change_password=True, is_staff=True)
    user.set_password(INITIAL)
    user.save()
    return user


# -- user_change_password ------------------------------------------------------------------


def test_changing_the_password_clears_the_flag(imported_user):
    user_change_password(user=imported_user, old_password=INITIAL, new_password=NEW_PASSWORD)

    imported_user.refresh_from_db()
    assert imported_user.must_change_password is False
    assert imported_user.check_password(NEW_PASSWORD)
    assert authenticate(username="sz_league", password=NEW_PASSWORD) == imported_user
    assert authenticate(username="sz_league", password=INITIAL) is None


def test_a_wrong_old_password_is_refused(imported_user):
    with pytest.raises(InvalidInput) as exc:
        user_change_password(user=imported_user, old_password="111111", new_password=NEW_PASSWORD)

    assert set(exc.value.fields) == {"old_password"}
    imported_user.refresh_from_db()
    assert imported_user.check_password(INITIAL)
    assert imported_user.must_change_password is True


@pytest.mark.parametrize(
    "new_password",
    [
        pytest.param(INITIAL, id="the initial password"),
        pytest.param("password", id="too common"),
        pytest.param("Ab1!", id="too short"),
        pytest.param("20240601", id="all digits"),
    ],
)
def test_a_weak_or_initial_new_password_is_refused(imported_user, new_password):
    with pytest.raises(InvalidInput) as exc:
        user_change_password(user=imported_user, old_password=INITIAL, new_password=new_password)

    assert set(exc.value.fields) == {"new_password"}
    imported_user.refresh_from_db()
    assert imported_user.check_password(INITIAL)
    assert imported_user.must_change_password is True


def test_the_new_password_must_differ_from_the_old_one(db):
    user = f.UserFactory()
    with pytest.raises(InvalidInput) as exc:
        user_change_password(user=user, old_password=f.PASSWORD, new_password=f.PASSWORD)
    assert set(exc.value.fields) == {"new_password"}


# -- the change-password gate (middleware and view) ----------------------------------------


def test_a_user_with_the_initial_password_is_sent_to_the_change_page(client, imported_user):
    client.force_login(imported_user)

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"] == "/accounts/password_change/?next=%2Fadmin%2F"


def test_the_change_page_itself_is_reachable(client, imported_user):
    client.force_login(imported_user)
    assert client.get("/accounts/password_change/").status_code == 200


def test_api_paths_are_not_redirected(client, imported_user):
    client.force_login(imported_user)

    response = client.get("/api/v1/me/")

    assert response.status_code != 302
    assert "password_change" not in response.get("Location", "")


def test_api_paths_are_exempt_under_a_script_prefix_too(client, imported_user):
    client.force_login(imported_user)

    api = client.get("/api/v1/me/", SCRIPT_NAME="/backoffice")
    admin = client.get("/admin/", SCRIPT_NAME="/backoffice")

    assert api.status_code != 302
    assert admin.status_code == 302


def test_a_user_without_the_flag_is_not_redirected(client, imported_user):
    imported_user.must_change_password = False
    imported_user.save()
    client.force_login(imported_user)
    assert client.get("/admin/").status_code == 200


def test_changing_the_password_through_the_form_opens_the_site(client, imported_user):
    client.force_login(imported_user)

    response = client.post(
        "/accounts/password_change/?next=/admin/",
        {"old_password": INITIAL, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert response["Location"] == "/admin/"  # where the user was going
    imported_user.refresh_from_db()
    assert imported_user.must_change_password is False
    assert imported_user.check_password(NEW_PASSWORD)
    # Still logged in (the session hash was updated), and no longer sent to the change page.
    assert client.get("/admin/").status_code == 200


def test_the_form_refuses_the_initial_password_and_keeps_the_gate(client, imported_user):
    client.force_login(imported_user)

    response = client.post(
        "/accounts/password_change/",
        {"old_password": INITIAL, "new_password1": INITIAL, "new_password2": INITIAL},
    )

    assert response.status_code == 200
    assert response.context["form"].errors
    imported_user.refresh_from_db()
    assert imported_user.must_change_password is True
    assert imported_user.check_password(INITIAL)
    assert client.get("/admin/")["Location"].startswith("/accounts/password_change/?next=")


def test_the_form_shows_the_services_refusal_on_the_new_password(client, imported_user):
    # A strong password passes the form's validators; only the service forbids keeping it.
    imported_user.set_password(NEW_PASSWORD)
    imported_user.save()
    client.force_login(imported_user)

    response = client.post(
        "/accounts/password_change/",
        {
            "old_password": NEW_PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )

    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["new_password1"]
    imported_user.refresh_from_db()
    assert imported_user.must_change_password is True


# -- role backend --------------------------------------------------------------------------


def test_a_reviewer_may_review_for_their_own_league_org_only(db):
    own, other = f.LeagueOrgFactory(), f.LeagueOrgFactory()
    reviewer = f.reviewer_of(own)

    user = User.objects.get(pk=reviewer.pk)
    assert user.has_perm(review_permission(own.pk)) is True
    assert user.has_perm(review_permission(other.pk)) is False
    assert user.has_perm("workflows.manage_claimprocess") is False


def test_a_provincial_admin_may_manage_claim_processes(db):
    province = f.LeagueOrgFactory(code="GD", level="province", city=None)
    admin = f.UserFactory()
    Membership.objects.create(user=admin, role=Role.PROVINCIAL_ADMIN, league_org=province)

    user = User.objects.get(pk=admin.pk)
    assert user.has_perm("workflows.manage_claimprocess") is True
    assert user.has_perm("workflows.view_claimprocess") is True
    assert user.has_perm(review_permission(province.pk)) is False


def test_an_inactive_reviewer_has_no_permission(db):
    league = f.LeagueOrgFactory()
    reviewer = f.reviewer_of(league, is_active=False)
    assert User.objects.get(pk=reviewer.pk).has_perm(review_permission(league.pk)) is False


# -- volunteer_org_update_profile ----------------------------------------------------------


@pytest.fixture
def new_org(db):
    """A volunteer org as the import leaves it: code and name only."""
    return VolunteerOrg.objects.create(code="V-NEW", name="新导入的服务队")


def profile_data(**overrides):
    data = {
        "name": "南山青年志愿服务队",
        "city": f.city("深圳市"),
        "service_areas": ["care_for_minors", "elderly_service"],
        "service_objects": ["teenagers", "elderly_alone"],
        "volunteer_count": 35,
        "contact_name": "陈队长",
        "contact_mobile": "13912345678",
        "intro": "扎根南山，长期开展助老和关爱未成年人服务。",
    }
    data.update(overrides)
    return data


def test_an_operator_completes_the_profile(new_org):
    operator = f.operator_of(new_org)
    assert new_org.profile_complete is False

    volunteer_org_update_profile(org=new_org, actor=operator, data=profile_data())

    org = VolunteerOrg.objects.get(pk=new_org.pk)
    assert org.profile_missing() == []
    assert org.city == f.city("深圳市")
    assert org.service_areas == ["care_for_minors", "elderly_service"]
    assert org.volunteer_count == 35


@pytest.mark.parametrize("who", ["operator of another org", "league reviewer", "no role"])
def test_only_the_orgs_operator_may_edit_the_profile(new_org, who):
    actor = {
        "operator of another org": lambda: f.operator_of(f.VolunteerOrgFactory()),
        "league reviewer": lambda: f.reviewer_of(f.LeagueOrgFactory()),
        "no role": f.UserFactory,
    }[who]()

    with pytest.raises(NotAllowed):
        volunteer_org_update_profile(org=new_org, actor=actor, data=profile_data())

    assert VolunteerOrg.objects.get(pk=new_org.pk).name == "新导入的服务队"


def test_an_unknown_service_area_is_refused(new_org):
    operator = f.operator_of(new_org)

    with pytest.raises(InvalidInput) as exc:
        volunteer_org_update_profile(
            org=new_org, actor=operator, data=profile_data(service_areas=["astronomy"])
        )

    assert set(exc.value.fields) == {"service_areas"}
    assert "astronomy" in exc.value.fields["service_areas"]
    assert VolunteerOrg.objects.get(pk=new_org.pk).service_areas == []


def test_a_bad_mobile_and_an_unknown_field_are_named(new_org):
    operator = f.operator_of(new_org)

    with pytest.raises(InvalidInput) as exc:
        volunteer_org_update_profile(
            org=new_org,
            actor=operator,
            data=profile_data(contact_mobile="12345", registration="registered"),
        )

    assert set(exc.value.fields) == {"contact_mobile", "registration"}
