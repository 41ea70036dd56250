"""CSV and Excel exports of the process monitor and of demands, for provincial administrators.

Mobiles are masked (188****0174) in every export: a file leaves the platform's access rules.
"""

import csv
import io

from django.db.models import Count
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views import generic
from django_filters import ChoiceFilter, FilterSet, ModelChoiceFilter

from demands.choices import Zone
from demands.models import Demand, DemandStatus
from orgs.models import City, LeagueOrg
from orgs.privacy import mask_mobile
from workflows.selectors import review_is_overdue

from .monitor import (
    PROCESS_STATUS_LABELS,
    AdminRequiredMixin,
    ProcessMonitorListView,
    _claim_of,
    format_age,
    process_age,
    stage_label,
)

FORMATS = ("csv", "xlsx")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value) -> str:
    """A value as the text of a cell, never a formula."""
    if value is None:
        return ""
    if isinstance(value, int | float):
        return str(value)
    if hasattr(value, "tzinfo") and hasattr(value, "hour"):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if hasattr(value, "isoformat"):
        return value.isoformat()
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def local(value):
    return timezone.localtime(value) if value else None


# -- rows --------------------------------------------------------------------------------------


def process_rows(processes):
    """The header, then one row per process of the monitor (annotated queryset)."""
    yield [
        gettext("流程编号"),
        gettext("需求标题"),
        gettext("认领组织"),
        gettext("团组织"),
        gettext("城市"),
        gettext("专区"),
        gettext("当前环节"),
        gettext("流程状态"),
        gettext("认领状态"),
        gettext("发起时间"),
        gettext("已持续"),
        gettext("审核超时"),
        gettext("认领组织联系人"),
        gettext("认领组织联系电话"),
        gettext("需求负责人"),
        gettext("需求负责人手机"),
    ]
    now = timezone.now()
    for process in processes:
        claim = _claim_of(process)
        demand = claim.demand if claim else None
        yield [
            process.pk,
            demand.title if demand else "",
            claim.org.name if claim else "",
            demand.league_org.name if demand else "",
            demand.city.name if demand and demand.city else "",
            demand.get_zone_display() if demand else "",
            stage_label(process),
            PROCESS_STATUS_LABELS.get(process.status, process.status),
            claim.get_status_display() if claim else "",
            process.created,
            format_age(process_age(process, now)),
            gettext("是") if review_is_overdue(process.review_since, now) else gettext("否"),
            claim.org.contact_name if claim else "",
            mask_mobile(claim.org.contact_mobile) if claim else "",
            demand.contact_name if demand else "",
            mask_mobile(demand.contact_mobile) if demand else "",
        ]


def demand_rows(demands):
    """The header, then one row per demand."""
    yield [
        gettext("需求编号"),
        gettext("需求标题"),
        gettext("专区"),
        gettext("需求类型"),
        gettext("团组织"),
        gettext("城市"),
        gettext("区县"),
        gettext("状态"),
        gettext("志愿者需求人数"),
        gettext("需求周期开始"),
        gettext("需求周期结束"),
        gettext("负责人"),
        gettext("固定电话"),
        gettext("负责人手机"),
        gettext("认领申请数"),
        gettext("发布时间"),
    ]
    for demand in demands:
        kind = demand.get_type_display()
        if demand.type_other:
            kind = f"{kind}（{demand.type_other}）"
        yield [
            demand.pk,
            demand.title,
            demand.get_zone_display(),
            kind,
            demand.league_org.name,
            demand.city.name if demand.city else "",
            demand.district,
            demand.get_status_display(),
            demand.volunteers_needed,
            demand.start_date,
            demand.end_date,
            demand.contact_name,
            demand.contact_landline,
            mask_mobile(demand.contact_mobile),
            demand.claim_count,
            demand.published_at,
        ]


# -- files -------------------------------------------------------------------------------------


class _Echo:
    def write(self, value):
        return value


def csv_response(rows, filename: str) -> StreamingHttpResponse:
    """UTF-8 with a byte-order mark, so that Excel opens the Chinese text as it is."""
    writer = csv.writer(_Echo())

    def lines():
        yield "\ufeff"
        for row in rows:
            yield writer.writerow([cell(value) for value in row])

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(rows, filename: str, *, title: str) -> HttpResponse:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for row in rows:
        sheet.append([value if isinstance(value, int) else cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def export_response(rows, fmt: str, *, name: str, title: str):
    filename = f"{name}-{timezone.localdate():%Y%m%d}"
    if fmt == "csv":
        return csv_response(rows, filename)
    return xlsx_response(rows, filename, title=title)


# -- views -------------------------------------------------------------------------------------


class ExportView(AdminRequiredMixin, generic.View):
    def get(self, request, *args, fmt: str, **kwargs):
        if fmt not in FORMATS:
            raise Http404
        return self.export(fmt)


class ProcessExportView(ExportView):
    """The process monitor's list as a file, with the same filters, search and order."""

    def export(self, fmt):
        lister = ProcessMonitorListView(flow_class=self.flow_class, viewset=self.viewset)
        lister.setup(self.request)
        processes = lister.get_queryset()
        return export_response(
            process_rows(processes.iterator(chunk_size=500)),
            fmt,
            name="processes",
            title=gettext("认领流程"),
        )


class DemandExportFilter(FilterSet):
    zone = ChoiceFilter(label=_("专区"), choices=Zone.choices)
    city = ModelChoiceFilter(label=_("城市"), queryset=City.objects.all())
    status = ChoiceFilter(label=_("状态"), choices=DemandStatus.choices)
    league_org = ModelChoiceFilter(label=_("团组织"), queryset=LeagueOrg.objects.all())

    class Meta:
        model = Demand
        fields = []


class DemandExportView(ExportView):
    """Every demand (drafts included, filterable by zone, city, status and league org)."""

    def export(self, fmt):
        demands = (
            Demand.objects.select_related("league_org", "city")
            .annotate(claim_count=Count("claims"))
            .order_by("-published_at", "-id")
        )
        demands = DemandExportFilter(self.request.GET or None, queryset=demands).qs
        return export_response(
            demand_rows(demands.iterator(chunk_size=500)),
            fmt,
            name="demands",
            title=gettext("需求"),
        )
