"""The operator UI's frame: the sidebar by role, its highlight and keyboard reach, the tab
titles, the to-do chips and the frame's stylesheet."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from orgs.models import Membership

from .. import factories as f


@pytest.fixture
def admin(province):
    user = f.UserFactory(username="admin", display_name="省管理员")
    Membership.objects.create(user=user, role="provincial_admin", league_org=province)
    return user


class Sidebar(HTMLParser):
    """The drawer's links: (href, text, classes, tabindex) and whether any list is an MDC list."""

    def __init__(self):
        super().__init__()
        self.depth = 0  # inside <aside class="vf-page__menu">
        self.links, self.mdc_lists, self.current, self.icon = [], 0, None, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "aside" and "vf-page__menu" in classes:
            self.depth = 1
            return
        if not self.depth:
            return
        if tag == "aside":
            self.depth += 1
        self.icon = tag == "i"  # an icon's ligature (material-icons) is no label
        if "mdc-list" in classes:
            self.mdc_lists += 1
        if tag == "a":
            self.current = [attrs.get("href"), "", classes, attrs.get("tabindex")]
            self.links.append(self.current)

    def handle_endtag(self, tag):
        if tag == "aside" and self.depth:
            self.depth -= 1
        if tag == "a":
            self.current = None
        self.icon = False

    def handle_data(self, data):
        if self.current is not None and not self.icon:
            self.current[1] += data.strip()


def sidebar(client, path) -> Sidebar:
    response = client.get(path)
    assert response.status_code == 200, path
    parser = Sidebar()
    parser.feed(response.content.decode())
    return parser


def label(text):
    return re.sub(r"\d+$", "", text)  # without the entry's count


def labels(bar):
    return [label(text) for _, text, _, _ in bar.links]


def selected(bar):
    return [
        label(text) for _, text, classes, _ in bar.links if "mdc-list-item--selected" in classes
    ]


def test_an_administrator_has_labelled_entries_for_the_board_the_monitor_and_its_figures(
    client, admin
):
    client.force_login(admin)
    bar = sidebar(client, reverse("claim:process_list"))
    assert labels(bar)[:3] == ["看板", "流程监控", "数据看板"]
    # no task queue applies to an administrator who reviews for no league org
    assert "我的任务" not in labels(bar) and "待审核队列" not in labels(bar)
    assert selected(bar) == ["流程监控"]


def test_a_reviewer_sees_no_entry_that_would_refuse_them(client, reviewer):
    client.force_login(reviewer)
    bar = sidebar(client, reverse("claim:queue"))
    assert "看板" not in labels(bar) and "数据看板" not in labels(bar)
    assert {"待审核队列", "我的任务", "已办任务"} <= set(labels(bar))
    for href, *_ in bar.links:
        assert client.get(href, follow=True).status_code == 200, href


def test_every_entry_of_an_administrator_opens(client, admin):
    client.force_login(admin)
    for href, *_ in sidebar(client, reverse("claim:dashboard")).links:
        assert client.get(href, follow=True).status_code == 200, href


@pytest.mark.parametrize(
    ("name", "entry"),
    [("claim:queue", "待审核队列"), ("claim:inbox", "我的任务"), ("claim:archive", "已办任务")],
)
def test_the_highlight_follows_the_page(client, reviewer, name, entry):
    client.force_login(reviewer)
    assert selected(sidebar(client, reverse(name))) == [entry]


def test_a_process_page_highlights_the_monitor(client, admin, demand, operator):
    claim = f.claim(demand, operator)
    client.force_login(admin)
    bar = sidebar(client, reverse("claim:process_detail", args=[claim.process_id]))
    assert selected(bar) == ["流程监控"]


def test_the_league_workspace_highlights_the_section_of_the_page(client, reviewer, demand):
    client.force_login(reviewer)
    bar = sidebar(client, reverse("league:demand_detail", args=[demand.pk]))
    assert selected(bar) == ["我的发布"]
    assert selected(sidebar(client, reverse("league:demand_add"))) == ["发布需求"]


def test_every_sidebar_link_is_in_the_tab_order(client, reviewer):
    """MDC's list (which the drawer builds on its first .mdc-list) sets tabindex=-1 on every
    item: the drawer holds no such list, and no link opts out of the Tab order."""
    client.force_login(reviewer)
    for path in (reverse("claim:queue"), reverse("league:initial_list")):
        bar = sidebar(client, path)
        assert bar.mdc_lists == 0
        assert bar.links and all(tabindex in (None, "0") for *_, tabindex in bar.links)


def test_a_page_names_itself_in_the_tab_title(client, reviewer, admin):
    client.force_login(reviewer)
    html = client.get(reverse("claim:queue")).content.decode()
    assert "<title>待审核队列 · i志愿供需服务平台</title>" in html
    html = client.get(reverse("league:points")).content.decode()
    assert "<title>我的积分 · i志愿供需服务平台</title>" in html  # named once
    html = client.get(reverse("league:demand_add")).content.decode()
    assert "<title>发布需求 · i志愿供需服务平台</title>" in html
    client.force_login(admin)
    html = client.get(reverse("claim:process_list")).content.decode()
    assert "<title>流程监控 · i志愿供需服务平台</title>" in html
    html = client.get(reverse("claim:dashboard")).content.decode()
    assert "<title>看板 · i志愿供需服务平台</title>" in html
    html = client.get(reverse("claim:monitor_dashboard")).content.decode()
    assert "<title>数据看板 · i志愿供需服务平台</title>" in html


def test_the_to_do_chips_are_links(client, reviewer):
    client.force_login(reviewer)
    html = client.get(reverse("claim:queue")).content.decode()
    assert re.search(
        r'<a class="todo-count todo-count--to-confirm" href="/workspace/claim/queue/"', html
    )
    to_claim = reverse("league:demand_list") + "?status=open"
    assert f'<a class="todo-count todo-count--to-claim" href="{to_claim}"' in html
    assert client.get(to_claim).status_code == 200
    try:
        rate_url = reverse("league:ratings")
    except Exception:  # the ratings page is not there yet: the chip stays a plain count
        assert '<span class="todo-count todo-count--to-rate"' in html
    else:
        assert f'<a class="todo-count todo-count--to-rate" href="{rate_url}"' in html


def test_the_frame_has_its_stylesheet(client, reviewer):
    client.force_login(reviewer)
    html = client.get(reverse("claim:queue")).content.decode()
    assert 'href="/static/workspace/workspace.css"' in html
    assert 'style="display:inline-block;padding:4px 10px' not in html  # no inline chip styles
