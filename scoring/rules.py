"""The points rule, in one place: what a rating earns the rated org."""

POINTS_PER_STAR = 2


def points_for_rating(stars: int) -> int:
    """1★ earns 2 points … 5★ earns 10; every completed, rated service earns something."""
    return stars * POINTS_PER_STAR
