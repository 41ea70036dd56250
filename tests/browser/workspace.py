"""Logging in to the operator UI in a new browser context, for the workspace's browser tests."""

from .. import factories as f

# The workspace's languages and the browser locale that asks for each.
LOCALES = {"zh-hans": "zh-CN", "en": "en-US"}
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def open_workspace(
    browser,
    live_server,
    username,
    *,
    next_path="/workspace/",
    language="zh-hans",
    viewport=DESKTOP,
    **context_options,
):
    """A page logged in as `username` through the login form, at `next_path`."""
    context = browser.new_context(locale=LOCALES[language], viewport=viewport, **context_options)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/?next={next_path}")
    page.fill("#id_username", username)
    page.fill("#id_password", f.PASSWORD)
    with page.expect_navigation():
        page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    return page
