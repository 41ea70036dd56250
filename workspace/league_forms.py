"""Forms and list filters of the league workspace (团组织工作台); the services judge the input."""

import django_filters
from django import forms
from django.core.exceptions import FieldDoesNotExist
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from viewflow.forms import FieldSet, Layout, Row

from demands.choices import Guarantee, Zone
from demands.models import (
    DEMAND_REQUIRED_FIELDS,
    MAX_VOLUNTEERS_NEEDED,
    Demand,
    DemandStatus,
    InitialDemand,
    InitialDemandStatus,
)
from demands.services import DEMAND_CONTACT_FIELDS, DEMAND_CONTENT_FIELDS
from orgs.choices import ServiceArea
from orgs.errors import DomainError
from orgs.forms import add_domain_errors as show_domain_errors
from orgs.models import City
from orgs.validation import REASON_MAX
from scoring.services import COMMENT_MAX

from .text import with_detail


def add_domain_errors(form: forms.Form, exc: DomainError, *, aliases=None) -> None:
    """orgs.forms.add_domain_errors, naming a field of the wizard's other step by its label."""
    show_domain_errors(form, exc, aliases=aliases, label=_field_label)


def _field_label(name: str) -> str:
    try:
        return str(Demand._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


class ReasonForm(forms.Form):
    """采用 / 不采用 / 关闭需求: an optional reason."""

    reason = forms.CharField(
        label=_("原因"),
        max_length=REASON_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Worded in the request's language, with the one limit of a reason (orgs.validation).
        self.fields["reason"].help_text = gettext("选填，%(n)d字以内") % {"n": REASON_MAX}
        if label:
            self.fields["reason"].label = label


# -- the two steps of 发布需求 ------------------------------------------------------------------


class DemandStepForm(forms.Form):
    """A step of the demand form: starts from the demand's values, hands its fields on.

    A draft may leave any field empty, so the fields are optional for Django; the ones that
    publishing needs (DEMAND_REQUIRED_FIELDS) are marked required in the page (the browser
    checks them on 下一步 / 发布, 保存草稿 skips that) and are checked on `advance`.
    """

    DATA_FIELDS: tuple[str, ...] = ()
    ALWAYS_REQUIRED: tuple[str, ...] = ()

    def __init__(self, *args, demand=None, advance=False, **kwargs):
        if demand is not None:
            initial = {name: getattr(demand, name) for name in self.DATA_FIELDS}
            kwargs["initial"] = {**initial, **kwargs.get("initial", {})}
        super().__init__(*args, **kwargs)
        self.advance = advance  # 下一步 / 发布 rather than 保存草稿
        for name, field in self.fields.items():
            if name in DEMAND_REQUIRED_FIELDS or name in self.ALWAYS_REQUIRED:
                field.widget.attrs.update({"required": True, "aria-required": "true"})

    def clean(self):
        cleaned = super().clean()
        if self.advance:
            for name in self.fields:
                if name in DEMAND_REQUIRED_FIELDS and cleaned.get(name) in (None, "", []):
                    if name not in self.errors:
                        self.add_error(name, gettext("发布前须填写此项"))
        return cleaned

    def data_for_service(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.DATA_FIELDS}


class DemandContentForm(DemandStepForm):
    """Step 1, 填写需求内容. A draft may leave any field empty; publishing needs them all."""

    league_org = forms.ModelChoiceField(label=_("团组织"), queryset=None, empty_label=None)
    zone = forms.ChoiceField(label=_("专区"), choices=[("", "---------"), *Zone.choices])
    title = forms.CharField(
        label=_("需求标题"),
        max_length=50,
        required=False,
        help_text=_("以专区前缀开头，如“【七彩假期】招募志愿服务团队”；50字以内"),
    )
    initial_demands = forms.ModelMultipleChoiceField(
        label=_("关联的求助需求"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple,
        help_text=_("选填：本组织已采用的初始需求"),
    )
    type = forms.ChoiceField(
        label=_("需求类型"), choices=[("", "---------"), *ServiceArea.choices], required=False
    )
    type_other = forms.CharField(
        label=_("其他"),
        max_length=20,
        required=False,
        help_text=_("需求类型为“其他”时填写，20字以内"),
    )
    # The model's bound (demands.models), which the API's field reads too.
    volunteers_needed = forms.IntegerField(
        label=_("志愿者需求人数"), min_value=1, max_value=MAX_VOLUNTEERS_NEEDED, required=False
    )
    content = forms.CharField(
        label=_("需求内容"),
        max_length=200,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("200字以内"),
    )
    start_date = forms.DateField(label=_("需求周期开始"), required=False, help_text=_("不早于今天"))
    end_date = forms.DateField(
        label=_("需求周期结束"), required=False, help_text=_("不早于开始日期")
    )
    guarantees = forms.MultipleChoiceField(
        label=_("能为志愿者提供的保障"),
        choices=Guarantee.choices,
        required=False,
        widget=forms.SelectMultiple,
    )

    layout = Layout(
        "league_org",
        Row("zone", "title"),
        "initial_demands",
        Row("type", "type_other"),
        "volunteers_needed",
        "content",
        FieldSet(_("需求周期"), Row("start_date", "end_date")),
        "guarantees",
    )

    # What this step hands to demand_create / demand_update as `data`.
    DATA_FIELDS = (*DEMAND_CONTENT_FIELDS, "initial_demands")
    ALWAYS_REQUIRED = ("zone",)

    def __init__(self, *args, league_orgs, initial_demands, demand=None, **kwargs):
        if demand is not None:
            initial = {"initial_demands": [i.pk for i in demand.initial_demands.all()]}
            kwargs["initial"] = {**initial, **kwargs.get("initial", {})}
        super().__init__(*args, demand=demand, **kwargs)
        # The period rule (demands.models.period_errors) is the service's; the calendar only
        # starts at today so that nobody picks a day the service will refuse.
        self.fields["start_date"].widget.attrs["min"] = timezone.localdate().isoformat()
        self.fields["initial_demands"].queryset = initial_demands
        self.fields["initial_demands"].label_from_instance = lambda i: with_detail(
            i.title, i.league_org
        )
        # A choice only for an account of several league orgs creating a demand; otherwise
        # the org is fixed (a draft stays with the org that wrote it).
        org = self.fields["league_org"]
        org.queryset = league_orgs
        if demand is not None or len(league_orgs) == 1:
            org.initial = demand.league_org_id if demand is not None else league_orgs[0].pk
            org.disabled = True
            org.widget = forms.HiddenInput()


class DemandContactForm(DemandStepForm):
    """Step 2, 确认组织信息: the org's contact; a new mobile is verified by an SMS code."""

    city = forms.ModelChoiceField(label=_("所在市"), queryset=City.objects.all(), required=False)
    district = forms.CharField(label=_("区县"), max_length=50, required=False)
    contact_name = forms.CharField(label=_("负责人姓名"), max_length=50, required=False)
    contact_landline = forms.CharField(label=_("固定电话"), max_length=20, required=False)
    contact_mobile = forms.CharField(
        label=_("负责人手机号码"),
        max_length=11,
        required=False,
        help_text=_("在团组织同意志愿服务组织认领前，不会被展示"),
    )
    sms_code = forms.CharField(
        label=_("验证码"),
        max_length=6,
        required=False,
        help_text=_("填写或更换手机号码时需要"),
    )
    service_content = forms.CharField(
        label=_("可提供的志愿服务内容"),
        max_length=200,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    layout = Layout(
        Row("city", "district"),
        Row("contact_name", "contact_landline"),
        Row("contact_mobile", "sms_code"),
        "service_content",
    )

    DATA_FIELDS = DEMAND_CONTACT_FIELDS


# -- 评分 ------------------------------------------------------------------------------------------


class RatingForm(forms.Form):
    """团组织评分: 1–5 stars and a comment, as the API's rating takes them (scoring.services)."""

    stars = forms.TypedChoiceField(
        label=_("评分"),
        choices=[(n, "★" * n + "☆" * (5 - n)) for n in range(1, 6)],
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("评价"),
        max_length=COMMENT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["comment"].help_text = gettext("选填，%(n)d字以内") % {"n": COMMENT_MAX}


# -- list filters ----------------------------------------------------------------------------


class InitialDemandFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=InitialDemandStatus.choices, empty_label=_("全部状态")
    )

    class Meta:
        model = InitialDemand
        fields = ["status"]


class DemandFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=DemandStatus.choices, empty_label=_("全部状态")
    )
    zone = django_filters.ChoiceFilter(
        label=_("专区"), choices=Zone.choices, empty_label=_("全部专区")
    )

    class Meta:
        model = Demand
        fields = ["status", "zone"]
