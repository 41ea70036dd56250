"""数据看板: its period, zone and city, the "as of" time, and charts whose labels stay readable."""

import datetime
import re

import time_machine

from workspace import dashboard
from workspace.monitor import bar_chart, line_chart

from .. import factories as f
from . import test_monitor as monitor

admin, pending, other_pending = monitor.admin, monitor.pending, monitor.other_pending
url, SHANGHAI = monitor.url, monitor.SHANGHAI


def page(client, user, query=""):
    client.force_login(user)
    return client.get(url("monitor_dashboard", query=query))


def test_the_period_sets_the_days_of_the_daily_chart(client, admin, pending):
    for days in (7, 30, 90):
        response = page(client, admin, f"period={days}")
        assert len(response.context["figures"]["daily"]) == days
    response = page(client, admin, "period=range&start=2026-01-01&end=2026-01-10")
    daily = response.context["figures"]["daily"]
    assert [daily[0]["day"], daily[-1]["day"]] == [
        datetime.date(2026, 1, 1),
        datetime.date(2026, 1, 10),
    ]
    assert "2026-01-01 至 2026-01-10" in response.content.decode()


def test_a_bad_period_is_the_forms_error(client, admin):
    for query in (
        "period=range&start=2026-02-01&end=2026-01-01",
        "period=range&start=2026-01-01",
        "period=12",
        "zone=nowhere",
        "period=range&start=2024-01-01&end=2026-01-01",
    ):
        response = page(client, admin, query)
        assert response.status_code == 200
        assert response.context["form"].errors, query
        assert len(response.context["figures"]["daily"]) == 30


def test_zone_and_city_narrow_every_figure(client, admin, pending, other_pending):
    response = page(client, admin, "zone=cloud_teaching")
    figures = response.context["figures"]
    assert figures["funnel"]["published"] == 1
    assert [row["label"] for row in figures["per_city"]] == ["广州市"]
    assert sum(day["claims"] for day in figures["daily"]) == 1
    city = f.city("深圳市")
    figures = page(client, admin, f"city={city.pk}").context["figures"]
    assert [row["label"] for row in figures["per_city"]] == ["深圳市"]


def test_demands_published_before_the_period_are_not_counted(reviewer, operator):
    with time_machine.travel(datetime.datetime(2026, 1, 5, 9, tzinfo=SHANGHAI), tick=False):
        f.open_demand(reviewer)
    scope = dashboard.Scope(first=datetime.date(2026, 2, 1), last=datetime.date(2026, 2, 28))
    assert dashboard.funnel(scope)["published"] == 0
    scope = dashboard.Scope(first=datetime.date(2026, 1, 1), last=datetime.date(2026, 1, 31))
    assert dashboard.funnel(scope)["published"] == 1


def test_the_page_says_as_of_when(client, admin):
    at = datetime.datetime(2026, 4, 2, 15, 7, tzinfo=SHANGHAI)
    with time_machine.travel(at, tick=False):
        html = page(client, admin).content.decode()
    assert "数据截至 2026-04-02 15:07" in html


def test_charts_fill_their_card_with_readable_labels(client, admin, pending):
    html = page(client, admin).content.decode()
    for svg in re.findall(r'<svg xmlns="http://www.w3.org/2000/svg" role="img".*?>', html):
        assert 'width="100%"' in svg and "viewBox" not in svg  # text is not scaled down
    sizes = {int(size) for size in re.findall(r'font-size="(\d+)"', html)}
    assert sizes and min(sizes) >= 12


def test_chart_geometry():
    chart = bar_chart([{"label": "共青团广州市委员会", "count": 5}, {"label": "b", "count": 1}])
    assert chart["bars"][0]["width"] == 84.0 and chart["bars"][0]["label"] == "共青团广州市委员会"
    days = [
        {"day": datetime.date(2026, 1, 1) + datetime.timedelta(days=i), "demands": i, "claims": 0}
        for i in range(90)
    ]
    chart = line_chart(days, [("demands", "发布需求", "#000")])
    assert 2 <= len(chart["labels"]) <= 9
    assert all(0 <= label["x"] <= 100 for label in chart["labels"])
