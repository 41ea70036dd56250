"""Ordering that pages can rely on: every ordering ends with the primary key."""

from rest_framework import filters


class StableOrderingFilter(filters.OrderingFilter):
    """`?ordering=` as DRF's, plus the primary key as the last tiebreak.

    Without it, rows that tie on the client's ordering (many demands need 5 volunteers) come
    in any order the database likes, so a row could show on two numbered pages or on none.
    The tiebreak goes the way of the first term, as the keyset cursor's does.
    """

    def get_ordering(self, request, queryset, view):
        ordering = list(super().get_ordering(request, queryset, view) or [])
        if ordering and ordering[-1].lstrip("-") not in ("pk", "id"):
            ordering.append("-pk" if str(ordering[0]).startswith("-") else "pk")
        return ordering
