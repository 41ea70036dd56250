"""The text rule shared by every service: stripped, bounded, no invisible controls."""

import pytest
from django.utils import translation

from api.serializers.demands import ReasonSerializer, RequiredReasonSerializer
from orgs.errors import InvalidInput
from orgs.validation import REASON_MAX, clean_reason, clean_text, model_field_errors
from scoring.models import Rating
from tests import factories as f
from workflows.forms import ReviewForm
from workspace import league_forms, monitor

SPOOFS = [
    "\u202e",  # right-to-left override
    "\u202a",  # left-to-right embedding
    "\u2066",  # left-to-right isolate
    "\u200f",  # right-to-left mark
    "\u061c",  # Arabic letter mark
    "\u200b",  # zero-width space
    "\u200d",  # zero-width joiner
    "\u2060",  # word joiner
    "\ufeff",  # byte-order mark / zero-width no-break space
]


@pytest.mark.parametrize("control", SPOOFS)
def test_invisible_controls_are_refused(control):
    with pytest.raises(InvalidInput) as exc:
        clean_text(f"人数{control}不足", field="reason", max_length=200)
    assert "reason" in exc.value.fields


@pytest.mark.parametrize("text", ["人数不足", "Team A – 3 people", "😀 活动很好", "阿拉伯文 مرحبا"])
def test_ordinary_text_passes_stripped(text):
    assert clean_text(f"  {text}\n", field="comment", max_length=200) == text


def test_a_reason_is_required_and_bounded():
    assert clean_reason("", required=False) == ""
    with pytest.raises(InvalidInput):
        clean_reason("  ", required=True)
    with pytest.raises(InvalidInput) as exc:
        clean_reason("因" * 201, required=False)
    assert exc.value.fields == {"reason": "不能超过200字"}
    assert clean_reason("因" * 10, required=False, max_length=10) == "因" * 10


def test_model_text_fields_refuse_controls_in_full_clean(db):
    org = f.VolunteerOrgFactory()
    claim_free = Rating(comment="很\u202e好", stars=5)
    errors = model_field_errors(claim_free, exclude=("claim", "rater", "rated_org", "side"))
    assert "comment" in errors
    assert "name" not in model_field_errors(org)


@pytest.mark.parametrize(
    "field",
    [
        ReviewForm.base_fields["reason"],
        monitor.ReasonForm.base_fields["reason"],
        league_forms.ReasonForm.base_fields["reason"],
        ReasonSerializer().fields["reason"],
        RequiredReasonSerializer().fields["reason"],
    ],
)
def test_every_reason_input_takes_the_one_limit(field):
    """The forms and serializers bound a reason as clean_reason does (their own number would
    refuse, or let through, what the service decides)."""
    assert field.max_length == REASON_MAX


def test_the_league_workspaces_reason_says_the_limit():
    with translation.override("en"):
        help_text = league_forms.ReasonForm().fields["reason"].help_text
    assert help_text == f"Optional; at most {REASON_MAX} characters"
