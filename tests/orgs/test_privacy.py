"""The one masked form of a mobile, as the mobile site's maskMobile shows it too."""

import pytest

from api import idempotency
from api.serializers import claims, demands
from orgs import admin
from orgs.privacy import mask_mobile
from workspace import exports


@pytest.mark.parametrize(
    ("mobile", "masked"),
    [
        ("18826480174", "188****0174"),
        ("1882648", "188****2648"),
        ("12345", "*****"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_mobile(mobile, masked):
    assert mask_mobile(mobile) == masked


def test_the_api_the_admin_and_the_exports_use_it():
    for module in (idempotency, claims, demands, admin, exports):
        assert module.mask_mobile is mask_mobile
