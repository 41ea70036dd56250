"""Mutual ratings of a claim and the append-only points ledger."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from orgs.models import AppendOnlyQuerySet, LeagueOrg, VolunteerOrg
from orgs.validation import PlainTextModel
from workflows.models import Claim


class Side(models.TextChoices):
    """Who rates: the demand's league org rates the claimer, and the other way round."""

    LEAGUE = "league", _("团组织评价志愿服务组织")
    VOLUNTEER = "volunteer", _("志愿服务组织评价团组织")


class Rating(PlainTextModel):
    claim = models.ForeignKey(Claim, on_delete=models.PROTECT, related_name="ratings")
    side = models.CharField(_("评价方"), max_length=10, choices=Side.choices)
    rater = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评价人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    stars = models.PositiveSmallIntegerField(
        _("星级"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.CharField(_("评价"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("评价时间"), auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("评分")
        verbose_name_plural = _("评分")
        constraints = [
            models.UniqueConstraint(fields=["claim", "side"], name="one_rating_per_side"),
            models.CheckConstraint(
                name="rating_stars_1_to_5", condition=models.Q(stars__gte=1, stars__lte=5)
            ),
        ]

    def __str__(self):
        return f"{self.get_side_display()} {self.stars}★"


def rating_reason(*, title: str, stars: int) -> str:
    """The ledger's words for points earned by a rating, in the active language."""
    return gettext("「%(title)s」获得%(stars)d星评价") % {"title": title, "stars": stars}


class PointsEntry(models.Model):
    """One line of an org's points ledger; the balance is the sum, nothing is ever edited."""

    league_org = models.ForeignKey(
        LeagueOrg,
        verbose_name=_("团组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="points_entries",
    )
    volunteer_org = models.ForeignKey(
        VolunteerOrg,
        verbose_name=_("志愿服务组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="points_entries",
    )
    points = models.IntegerField(_("积分"))
    reason = models.CharField(_("说明"), max_length=200)
    claim = models.ForeignKey(
        Claim,
        verbose_name=_("认领"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="points_entries",
    )
    # The rating that earned these points; unique, so settling twice cannot pay twice.
    rating = models.OneToOneField(
        Rating,
        verbose_name=_("评分"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="points_entry",
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("积分记录")
        verbose_name_plural = _("积分记录")
        # An org's ledger, newest first (the API's and the workspace's 我的积分) and its balance.
        indexes = [
            models.Index(
                fields=["volunteer_org", "-created_at", "-id"], name="points_volunteer_newest"
            ),
            models.Index(fields=["league_org", "-created_at", "-id"], name="points_league_newest"),
        ]
        constraints = [
            models.CheckConstraint(
                name="points_entry_has_one_org",
                condition=models.Q(league_org__isnull=False, volunteer_org__isnull=True)
                | models.Q(league_org__isnull=True, volunteer_org__isnull=False),
            )
        ]

    def __str__(self):
        return f"{self.points:+d} {self.reason_text}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Points entries are append-only; add a correcting entry instead")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Points entries are append-only; add a correcting entry instead")

    @property
    def reason_text(self) -> str:
        """The line's text in the reader's language. An entry paid for a rating is rendered
        from the rating and its demand at display time (the stored `reason` is that text in
        the language of the moment it was paid); any other entry shows its stored reason."""
        if self.rating_id is None:
            return self.reason
        return rating_reason(title=self.claim.demand.title, stars=self.rating.stars)
