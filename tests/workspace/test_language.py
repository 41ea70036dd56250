"""The workspace offers a language switch; English pages come from the compiled catalogue."""

import re

from orgs.models import Membership


def test_switch_to_english_and_back(client, reviewer, demand, operator):
    from .. import factories as f

    f.claim(demand, operator)
    client.force_login(reviewer)
    page = client.get("/workspace/claim/queue/").content.decode()
    assert "待审核队列" in page and 'value="en"' in page
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/workspace/claim/queue/"})
    assert response.status_code == 302
    page = client.get("/workspace/claim/queue/").content.decode()
    assert "待审核队列" not in page
    assert 'value="zh-hans"' in page
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "待审核队列" in client.get("/workspace/claim/queue/").content.decode()


def test_viewflow_words_are_chinese_in_the_chinese_ui(client, demand, operator, province):
    """Viewflow's list chrome (our copies of its includes) and its scripts' words (the
    JavaScript catalogue its pages load by name) in Chinese."""
    from .. import factories as f

    f.claim(demand, operator)
    admin = f.UserFactory(username="admin")
    Membership.objects.create(user=admin, role="provincial_admin", league_org=province)
    client.force_login(admin)
    # The task list keeps Viewflow's list and its pagination (the queue has its own).
    page = client.get("/workspace/claim/tasks/").content.decode()
    assert re.search(r"第 1-\d+ 条，共 \d+ 条", page) and not re.search(r"\d+-\d+ of \d+", page)
    assert ">GO<" not in page
    assert 'src="/i18n/js/"' in page
    script = client.get("/i18n/js/").content.decode()
    assert '"%(sel)s selected": "\\u5df2\\u9009 %(sel)s \\u9879"' in script  # 已选 %(sel)s 项


def test_the_flow_is_named_in_english_in_the_english_ui(client, reviewer):
    client.force_login(reviewer)
    client.cookies["django_language"] = "en"
    page = client.get("/workspace/claim/queue/").content.decode()
    assert "认领流程" not in page and "Claim workflow" in page
