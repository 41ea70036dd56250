"""Every page of the operator UI in both languages: no visible string of the other language.

The pages are found by walking the URL map: every named route of the workspace's apps (the
claim process and the league workspace, their task pages included), its <int:…> arguments
filled from the objects that the test creates; a page is checked for each user who may open it
(200). Pages added later are picked up without touching this file. Besides: the login, the
password change (with a validator's errors) and the refusal page.

Chinese pages may hold no ASCII word (2+ letters) but brand names and technical tokens; English
pages no CJK character outside the data values that the test itself wrote (titles, names …).
"""

import re
from html.parser import HTMLParser

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from viewflow.workflow.models import Task

from demands.models import Demand, InitialDemand, StudentRecord
from orgs.models import City, LeagueOrg, Membership, User, VolunteerOrg
from scoring.models import Rating
from scoring.services import rating_submit
from workflows import services as claim_services
from workflows.models import Activity

from .. import factories as f

NAMESPACES = ("claim", "league", "notifications")
# Pages that are not pages: file downloads, endpoints for a script, POST-only actions.
NOT_PAGES = re.compile(
    r"export|send_code|tasks_assign|tasks_unassign|:execute$|^notifications:read"
)

# Words that are the same in both languages: brand and product names, units, file formats.
ASCII_TOKENS = {"BPMN", "SVG", "PNG", "CSV", "Excel", "xlsx", "QR", "km", "ID", "English"}
ASCII_WORD = re.compile(r"[A-Za-z]{2,}")
CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]")
# The brand, and the language switch naming Chinese in Chinese.
CJK_TOKENS = ("i志愿", "中文")


class VisibleText(HTMLParser):
    """The text a person reads or hears: text nodes (not in script/style or an icon's
    ligature), and title, placeholder, aria-label, alt, the value of input buttons and the
    label, help text and error of custom field elements (<vf-field-input label=…>)."""

    HIDDEN = {"script", "style", "template", "noscript"}
    ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
    ELEMENT_ATTRIBUTES = ("label", "help-text", "error")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.strings, self.hidden, self.icon, self.in_title = [], 0, 0, False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in self.HIDDEN:
            self.hidden += 1
        classes = (attrs.get("class") or "").split()
        if "material-icons" in classes or "material-icons-outlined" in classes:
            self.icon += 1
        if tag == "input" and attrs.get("type") in ("submit", "button", "reset"):
            self.add(attrs.get("value"))
        for name in self.ATTRIBUTES:
            self.add(attrs.get(name))
        if "-" in tag:  # Viewflow's and Material's field elements show these attributes
            for name in self.ELEMENT_ATTRIBUTES:
                self.add(attrs.get(name))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self.hidden:
            self.hidden -= 1
        if self.icon and tag in ("i", "span"):
            self.icon -= 1

    def handle_data(self, data):
        if not self.hidden and not self.icon:
            self.add(data)

    def add(self, text):
        text = " ".join((text or "").split())
        if text:
            self.strings.append(text)


def visible_strings(html: str) -> list[str]:
    parser = VisibleText()
    parser.feed(html)
    return parser.strings


def foreign_strings(strings, language, data_values) -> list[str]:
    found = []
    for text in strings:
        if language == "en":
            rest = text
            for value in data_values:
                rest = rest.replace(value, "")
            for token in CJK_TOKENS:
                rest = rest.replace(token, "")
            if CJK.search(rest):
                found.append(text)
        else:
            words = {w.lower() for w in ASCII_WORD.findall(text)}
            if words - {w.lower() for w in ASCII_TOKENS | set(data_values)}:
                found.append(text)
    return sorted(set(found))


# -- the world -------------------------------------------------------------------------------


@pytest.fixture
def admin(province):
    user = f.UserFactory(username="admin", display_name="省管理员")
    Membership.objects.create(user=user, role="provincial_admin", league_org=province)
    return user


@pytest.fixture
def world(reviewer, admin, league, demand, operator, operator2):
    """A claim in review, one waiting for its ratings, a completed one with points, a draft, an
    adopted and a pending initial demand."""
    pending = f.claim(demand, operator)
    waiting = f.claim(f.open_demand(reviewer, title="【七彩假期】社区陪伴计划"), operator2)
    claim_services.claim_approve(claim=waiting, actor=reviewer)
    claim_services.activity_publish(claim=waiting, actor=operator2, data=f.activity_data())
    done = f.claim(f.open_demand(reviewer, title="【七彩假期】暑期托管服务"), operator)
    claim_services.claim_approve(claim=done, actor=reviewer)
    claim_services.activity_publish(claim=done, actor=operator, data=f.activity_data())
    rating_submit(claim=done, actor=reviewer, stars=5, comment="配合很好")
    rating_submit(claim=done, actor=operator, stars=4, comment="非常专业")
    draft = f.draft_demand(reviewer, title="【七彩假期】草稿需求")
    adopted = f.adopted_initial_demand(reviewer, league)
    return {
        "claims": [pending, waiting, done],
        "demands": [demand, draft, *Demand.objects.exclude(pk__in=[demand.pk, draft.pk])],
        "initials": [adopted, *InitialDemand.objects.exclude(pk=adopted.pk)],
    }


def data_values() -> list[str]:
    """What the test wrote: every text of the objects it created (not the platform's prose)."""
    values = set()
    for model in (
        User,
        City,
        LeagueOrg,
        VolunteerOrg,
        Demand,
        InitialDemand,
        StudentRecord,
        Activity,
        Rating,
    ):
        for obj in model.objects.all():
            for field in model._meta.concrete_fields:
                value = getattr(obj, field.attname)
                if isinstance(value, str) and value and not field.choices:
                    values.add(value)
                    values.update(part for part in re.split(r"[\s,，]+", value) if part)
    # words of ASCII data (usernames) on their own; longest first, so that a title is taken
    # out of a line before a name inside it
    values.update(word for value in list(values) for word in ASCII_WORD.findall(value))
    return sorted(values, key=len, reverse=True)


# -- the pages -------------------------------------------------------------------------------


def routes():
    """(name, pattern's converters) of every named route under the workspace's apps."""

    def walk(resolver, namespace, converters):
        for entry in resolver.url_patterns:
            found = {**converters, **entry.pattern.converters}
            if isinstance(entry, URLResolver):
                inner = f"{namespace}:{entry.namespace}" if entry.namespace else namespace
                yield from walk(entry, inner.strip(":"), found)
            elif isinstance(entry, URLPattern) and entry.name:
                yield f"{namespace}:{entry.name}".strip(":"), found

    for name, converters in walk(get_resolver(), "", {}):
        if name.split(":")[0] in NAMESPACES and not NOT_PAGES.search(name):
            yield name, converters


def arguments(name, converters, world):
    """Candidate kwargs for a route, from the world's objects."""
    if not converters:
        yield {}
        return
    if set(converters) == {"process_pk"}:
        for claim in world["claims"]:
            yield {"process_pk": claim.process_id}
    elif set(converters) == {"process_pk", "task_pk"}:
        node = name.split(":")[1]
        processes = [c.process_id for c in world["claims"]]
        for task in Task.objects.filter(process_id__in=processes).order_by("pk"):
            if task.flow_task.name == node:
                yield {"process_pk": task.process_id, "task_pk": task.pk}
    elif set(converters) == {"pk"}:
        objects = world["initials"] if ":initial" in name else world["demands"]
        for obj in objects:
            yield {"pk": obj.pk}


def pages(client, users, world):
    """(user, path) of every workspace page that answers 200, for each user who may open it."""
    found = []
    for name, converters in routes():
        for user in users:
            client.force_login(user)
            for kwargs in arguments(name, converters, world):
                path = reverse(name, kwargs=kwargs)
                if client.get(path).status_code == 200:
                    found.append((user, path))
                    break
    return found


def check(response, language, values, where, failures):
    html = response.content.decode()
    foreign = foreign_strings(visible_strings(html), language, values)
    if foreign:
        failures.append(f"[{language}] {where}:\n" + "\n".join(f"      {s!r}" for s in foreign))


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_workspace_page_speaks_one_language(client, world, reviewer, admin, language):
    pages_found = pages(client, [reviewer, admin], world)
    names = {path for _, path in pages_found}
    # the walk reached the pages it should: lists, a task, a process, the league workspace
    assert reverse("claim:queue") in names and reverse("league:points") in names
    assert reverse("notifications:index") in names
    assert any("/review/" in path for path in names)
    values = data_values()
    failures = []
    client.cookies["django_language"] = language
    for user, path in pages_found:
        client.force_login(user)
        check(client.get(path), language, values, f"{user.username} GET {path}", failures)
    # the refusal page
    client.force_login(reviewer)
    response = client.get(reverse("claim:dashboard"))
    assert response.status_code == 403
    check(response, language, values, "reviewer GET dashboard (403)", failures)
    assert not failures, f"{len(failures)} page(s) speak the other language:\n" + "\n".join(
        failures
    )


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_login_and_password_pages_speak_one_language(client, db, league, language):
    values = data_values()
    failures = []
    client.cookies["django_language"] = language
    check(client.get(reverse("login")), language, values, "GET login", failures)
    response = client.post(reverse("login"), {"username": "nobody", "password": "wrong"})
    check(response, language, values, "POST login (wrong password)", failures)
    user = f.reviewer_of(league, username="imported", display_name="韶关团委")
    user.set_password("000000")
    user.must_change_password = True
    user.save()
    client.force_login(user)
    url = reverse("password_change")
    check(client.get(url), language, data_values(), "GET password change", failures)
    response = client.post(
        url, {"old_password": "000000", "new_password1": "abc", "new_password2": "abc"}
    )
    assert response.status_code == 200
    check(response, language, data_values(), "POST password change (too short)", failures)
    assert not failures, "\n".join(failures)
