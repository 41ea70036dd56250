"""Template tags of the operator UI's frame (sidebar)."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def current_menu_link(context, links) -> str:
    """The link among a menu's `(url, label, icon)` entries that stands for the current page:
    the longest one that the page's path starts with, as Viewflow's menu script picks it, but
    on the server (the page arrives highlighted, with aria-current)."""
    path = context["request"].path
    matching = [url for url, *_ in links if path.startswith(url)]
    return max(matching, key=len, default="")


@register.simple_tag(takes_context=True)
def page_title(context) -> str:
    """The browser tab's title: the page's own title (a list's, a form's action, a task's node,
    a process), then the site's, e.g. "待审核队列 · i志愿供需服务平台"."""
    site = context.get("site")
    site_title = str(site.title) if site is not None else ""
    name = ""
    view = context.get("view")
    activation = getattr(context.get("request"), "activation", None)
    process = context.get("process")
    for candidate in (
        context.get("page_title"),
        context.get("action_title"),
        getattr(view, "title", None),
    ):
        if candidate and not callable(candidate):
            name = str(candidate)
            break
    else:
        if activation is not None:
            name = f"{activation.task.flow_task.task_title} #{activation.process.pk}"
        elif process is not None and getattr(process, "pk", None):
            name = f"{process.flow_class.process_title} #{process.pk}"
        elif context.get("app") is not None:
            name = str(context["app"].title)
    return f"{name} · {site_title}" if name and name != site_title else site_title
