"""The workspace offers a language switch; English pages come from the compiled catalogue."""


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
