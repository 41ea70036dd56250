"""CSV and Excel exports of the process monitor and of demands, for provincial administrators.

Mobiles are masked (188****0174) in every export: a file leaves the platform's access rules.
In Excel, dates and times are date cells (Asia/Shanghai wall time, with a number format) and
durations are numbers whose unit the header names; the header row is frozen and each column
has a width. Both exports follow the monitor's filters, which the export links carry.
"""

import csv
import datetime
import decimal
import io

from django.db.models import Count
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.views import generic

from demands.models import Demand
from orgs.privacy import mask_mobile
from workflows.models import Claim

from .deadlines import claim_review_overdue
from .monitor import (
    FILTER_FIELDS,
    PROCESS_STATUS_LABELS,
    AdminRequiredMixin,
    ProcessMonitorListView,
    _claim_of,
    stage_label,
)
from .text import with_detail

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


def excel_value(value):
    """A value as openpyxl writes it: an aware datetime as its Shanghai wall time (Excel has
    no time zones), text never a formula."""
    if value is None or isinstance(value, bool | int | float | decimal.Decimal):
        return value
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, datetime.date):
        return value
    return cell(value)


DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
NUMBER_FORMAT = "0.0"


def days_between(start, end) -> float:
    """A duration in days, to a tenth."""
    return round((end - start).total_seconds() / 86400, 1)


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
        gettext("结束时间"),
        gettext("已持续（天）"),
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
            process.finished,
            days_between(process.created, process.finished or now),
            gettext("是") if claim_review_overdue(claim, now) else gettext("否"),
            claim.org.contact_name if claim else "",
            mask_mobile(claim.org.contact_mobile) if claim else "",
            demand.contact_name if demand else "",
            mask_mobile(demand.contact_mobile) if demand else "",
        ]


PROCESS_WIDTHS = [10, 40, 28, 28, 10, 12, 24, 10, 12, 17, 17, 12, 10, 14, 18, 14, 16]
DEMAND_WIDTHS = [10, 40, 12, 14, 28, 10, 10, 10, 14, 14, 14, 12, 14, 16, 12, 17]


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
            kind = with_detail(kind, demand.type_other)
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


def xlsx_response(rows, filename: str, *, title: str, widths=()) -> HttpResponse:
    """A workbook streamed row by row (openpyxl's write-only mode): typed cells, a bold and
    frozen header row, a width per column."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)

    def typed(value):
        value = excel_value(value)
        out = WriteOnlyCell(sheet, value=value)
        if isinstance(value, datetime.datetime):
            out.number_format = DATETIME_FORMAT
        elif isinstance(value, datetime.date):
            out.number_format = DATE_FORMAT
        elif isinstance(value, float):
            out.number_format = NUMBER_FORMAT
        return out

    rows = iter(rows)
    header = []
    for text in next(rows, []):
        out = WriteOnlyCell(sheet, value=cell(text))
        out.font = bold
        header.append(out)
    sheet.append(header)
    for row in rows:
        sheet.append([typed(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


def export_response(rows, fmt: str, *, name: str, title: str, widths=()):
    filename = f"{name}-{timezone.localdate():%Y%m%d}"
    if fmt == "csv":
        return csv_response(rows, filename)
    return xlsx_response(rows, filename, title=title, widths=widths)


# -- views -------------------------------------------------------------------------------------


class ExportView(AdminRequiredMixin, generic.View):
    def get(self, request, *args, fmt: str, **kwargs):
        if fmt not in FORMATS:
            raise Http404
        return self.export(fmt)


def monitor_processes(view):
    """The processes the monitor lists for this request: its filters, search, order and scope
    (an invalid filter lists none, as on the page)."""
    lister = ProcessMonitorListView(flow_class=view.flow_class, viewset=view.viewset)
    lister.setup(view.request)
    queryset = lister.get_queryset()
    ordering = lister.get_ordering()
    return queryset.order_by(*ordering) if ordering else queryset


class ProcessExportView(ExportView):
    """The process monitor's list as a file, with the same filters, search and order."""

    def export(self, fmt):
        return export_response(
            process_rows(monitor_processes(self).iterator(chunk_size=500)),
            fmt,
            name="processes",
            title=gettext("认领流程"),
            widths=PROCESS_WIDTHS,
        )


# The monitor's query parameters that narrow its list (the page and the order do not).
MONITOR_FILTERS = ("_search", *FILTER_FIELDS)


class DemandExportView(ExportView):
    """导出需求: with the monitor's filters, the demands of the processes it lists; without
    them, every demand (drafts and unclaimed ones included)."""

    def export(self, fmt):
        demands = (
            Demand.objects.select_related("league_org", "city")
            .annotate(claim_count=Count("claims"))
            .order_by("-published_at", "-id")
        )
        if any(self.request.GET.get(name) for name in MONITOR_FILTERS):
            processes = monitor_processes(self).order_by().values("pk")
            demands = demands.filter(
                pk__in=Claim.objects.filter(process__in=processes).values("demand_id")
            )
        return export_response(
            demand_rows(demands.iterator(chunk_size=500)),
            fmt,
            name="demands",
            title=gettext("需求"),
            widths=DEMAND_WIDTHS,
        )
