"""Org models: the profile check, the append-only audit trail and the database constraints."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction

from orgs.choices import Registration, Role
from orgs.models import AuditRecord, Membership, VolunteerOrg
from tests import factories as f


def test_the_factory_org_has_a_complete_profile(db):
    org = f.VolunteerOrgFactory()
    assert org.profile_missing() == []
    assert org.profile_complete is True


@pytest.mark.parametrize(
    ("changes", "missing"),
    [
        pytest.param({"name": ""}, "name", id="blank name"),
        pytest.param({"contact_name": "  "}, "contact_name", id="blank contact_name"),
        pytest.param({"intro": ""}, "intro", id="blank intro"),
        pytest.param({"city": None}, "city", id="no city"),
        pytest.param({"service_areas": []}, "service_areas", id="no service area"),
        pytest.param(
            {"service_areas": ["care_for_minors", "astronomy"]},
            "service_areas",
            id="unknown service area",
        ),
        pytest.param({"service_objects": []}, "service_objects", id="no service object"),
        pytest.param({"service_objects": ["aliens"]}, "service_objects", id="unknown object"),
        pytest.param({"volunteer_count": 0}, "volunteer_count", id="no volunteers"),
        pytest.param({"contact_mobile": ""}, "contact_mobile", id="no mobile"),
        pytest.param({"contact_mobile": "12800138000"}, "contact_mobile", id="bad mobile prefix"),
        pytest.param({"contact_mobile": "1380013800"}, "contact_mobile", id="10-digit mobile"),
    ],
)
def test_profile_missing_names_each_missing_field(db, changes, missing):
    org = f.VolunteerOrgFactory(**changes)
    assert org.profile_missing() == [missing]
    assert org.profile_complete is False


def test_profile_missing_lists_every_missing_field_of_an_imported_org(db):
    org = VolunteerOrg.objects.create(code="V-NEW", name="新导入的服务队")
    assert org.profile_missing() == [
        "contact_name",
        "intro",
        "city",
        "service_areas",
        "service_objects",
        "volunteer_count",
        "contact_mobile",
    ]


# -- audit trail ---------------------------------------------------------------------------


@pytest.fixture
def audit_record(db):
    org = f.VolunteerOrgFactory()
    return AuditRecord.objects.create(
        content_type=ContentType.objects.get_for_model(org),
        object_id=org.pk,
        action="publish",
        from_state="draft",
        to_state="open",
    )


def test_an_audit_record_cannot_be_saved_again(audit_record):
    audit_record.reason = "改写历史"
    with pytest.raises(ValueError, match="append-only"):
        audit_record.save()
    assert AuditRecord.objects.get(pk=audit_record.pk).reason == ""


def test_an_audit_record_cannot_be_deleted(audit_record):
    with pytest.raises(ValueError, match="append-only"):
        audit_record.delete()
    assert AuditRecord.objects.filter(pk=audit_record.pk).exists()


# -- constraints ---------------------------------------------------------------------------


def test_an_endorsed_org_without_endorser_is_rejected_by_the_database(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        VolunteerOrg.objects.create(
            code="V-EN", name="背书服务队", registration=Registration.ENDORSED
        )
    assert not VolunteerOrg.objects.filter(code="V-EN").exists()


def test_a_registered_org_with_an_endorser_is_rejected_by_the_database(db):
    endorser = f.VolunteerOrgFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        VolunteerOrg.objects.create(
            code="V-REG",
            name="备案协会",
            registration=Registration.REGISTERED,
            endorsed_by=endorser,
        )


def test_an_endorsed_org_with_an_endorser_is_accepted(db):
    endorser = f.VolunteerOrgFactory()
    org = VolunteerOrg.objects.create(
        code="V-EN", name="背书服务队", registration=Registration.ENDORSED, endorsed_by=endorser
    )
    assert list(endorser.endorsed.all()) == [org]


def test_an_org_operator_membership_cannot_point_at_a_league_org(db):
    user, league = f.UserFactory(), f.LeagueOrgFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, role=Role.ORG_OPERATOR, league_org=league)
    assert not Membership.objects.filter(user=user).exists()


def test_a_reviewer_membership_cannot_point_at_a_volunteer_org(db):
    user, vorg = f.UserFactory(), f.VolunteerOrgFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, role=Role.LEAGUE_REVIEWER, volunteer_org=vorg)


def test_audit_record_refuses_bulk_update_and_delete(audit_record):
    with pytest.raises(ValueError):
        AuditRecord.objects.filter(pk=audit_record.pk).update(reason="rewritten")
    with pytest.raises(ValueError):
        AuditRecord.objects.all().delete()
    assert AuditRecord.objects.get(pk=audit_record.pk).reason == ""
