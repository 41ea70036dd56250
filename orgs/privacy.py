"""How a mobile looks to those not allowed the whole number (DESIGN.md: 188****0174).

One function for every place that shows or keeps a mobile masked: the API's answers and its
idempotency store, the admin, and the workspace's exports. Who may see the whole number is
the rule of each object (e.g. demands.selectors.can_see_contact_mobile), not this module's.
"""


def mask_mobile(mobile: str | None) -> str:
    """188****0174; a number too short to keep seven digits of is all stars; none is ""."""
    mobile = mobile or ""
    if len(mobile) < 7:
        return "*" * len(mobile)
    return f"{mobile[:3]}****{mobile[-4:]}"
