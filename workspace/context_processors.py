"""The to-do counts (待确认 / 待认领 / 待评分) every operator page header shows."""

from django.utils.functional import SimpleLazyObject

from workflows.todo import todo_counts


def todo(request) -> dict:
    """`todo_counts`: the viewer's counts, or None for a user of no league or volunteer org.

    Lazy: the membership read and the COUNT queries run only on a page that shows the counts.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def counts():
        if not (user.reviewer_league_org_ids() or user.operated_volunteer_org_ids()):
            return None
        return todo_counts(user=user)

    return {"todo_counts": SimpleLazyObject(counts)}
