"""A notification's title and body, in the reader's language, from its kind and params.

Rendered when read, not stored: the Chinese msgids are translated in `locale/`, so a reviewer
who reads in English reads what a colleague reads in Chinese. Names, titles and reasons are
the data as it was written (they are not translated).
"""

from django.utils.translation import gettext as _

from .models import Kind, Notification


def _names(notification: Notification) -> dict:
    """The titles and names a text mentions, from the notification's references (joined into
    the list's query: selectors.with_references)."""
    names = {"demand": "", "org": "", "league_org": "", "title": ""}
    if notification.demand_id is not None:
        names["demand"] = notification.demand.title
        names["league_org"] = notification.demand.league_org.name
    if notification.claim_id is not None:
        names["org"] = notification.claim.org.name
    if notification.initial_demand_id is not None:
        names["title"] = notification.initial_demand.title
        names["league_org"] = notification.initial_demand.league_org.name
    return names


def _body(kind: str, p: dict) -> str:
    demand = p.get("demand", "")
    if kind == Kind.CLAIM_RECEIVED:
        return _("「%(org)s」认领了「%(demand)s」，请审核") % {
            "org": p.get("org", ""),
            "demand": demand,
        }
    if kind == Kind.CLAIM_APPROVED:
        if p.get("due"):
            return _("「%(demand)s」的认领已通过审核，请在%(due)s前发布志愿服务活动") % {
                "demand": demand,
                "due": p["due"],
            }
        return _("「%(demand)s」的认领已通过审核，请尽快发布志愿服务活动") % {"demand": demand}
    if kind == Kind.CLAIM_REJECTED:
        if p.get("by_system"):
            return _("「%(demand)s」的认领已关闭：%(reason)s") % {
                "demand": demand,
                "reason": p.get("reason", ""),
            }
        return _("「%(demand)s」的认领被退回：%(reason)s") % {
            "demand": demand,
            "reason": p.get("reason", ""),
        }
    if kind == Kind.CLAIM_WITHDRAWN:
        return _("「%(org)s」撤销了对「%(demand)s」的认领") % {
            "org": p.get("org", ""),
            "demand": demand,
        }
    if kind == Kind.CLAIM_CANCELLED:
        return _("管理员取消了「%(org)s」对「%(demand)s」的认领流程：%(reason)s") % {
            "org": p.get("org", ""),
            "demand": demand,
            "reason": p.get("reason", ""),
        }
    if kind == Kind.CLAIM_LAPSE_WARNING:
        if p.get("due"):
            return _("「%(demand)s」尚未发布志愿服务活动，认领将于%(due)s后失效") % {
                "demand": demand,
                "due": p["due"],
            }
        return _("「%(demand)s」尚未发布志愿服务活动，认领即将失效") % {"demand": demand}
    if kind == Kind.CLAIM_LAPSED:
        return _(
            "「%(org)s」未按时发布志愿服务活动，对「%(demand)s」的认领已失效，需求重新开放认领"
        ) % {
            "org": p.get("org", ""),
            "demand": demand,
        }
    if kind == Kind.REVIEW_ESCALATED:
        return _("「%(org)s」对「%(demand)s」的认领超期未审核，已上报至%(league_org)s") % {
            "org": p.get("org", ""),
            "demand": demand,
            "league_org": p.get("escalated_to", ""),
        }
    if kind == Kind.RATING_RECEIVED:
        return _("「%(demand)s」收到%(stars)d星评价") % {
            "demand": demand,
            "stars": p.get("stars", 0),
        }
    if kind == Kind.POINTS_PAID:
        return _("「%(demand)s」获得%(points)d积分") % {
            "demand": demand,
            "points": p.get("points", 0),
        }
    if kind == Kind.INITIAL_DEMAND_ADOPTED:
        return _("%(league_org)s采用了您的求助「%(title)s」") % {
            "league_org": p.get("league_org", ""),
            "title": p.get("title", ""),
        }
    if kind == Kind.INITIAL_DEMAND_DECLINED:
        text = _("%(league_org)s未采用您的求助「%(title)s」") % {
            "league_org": p.get("league_org", ""),
            "title": p.get("title", ""),
        }
        if p.get("reason"):
            text += _("：%(reason)s") % {"reason": p["reason"]}
        return text
    return ""


def notification_title(notification: Notification) -> str:
    return str(Kind(notification.kind).label) if notification.kind in Kind.values else ""


def notification_body(notification: Notification) -> str:
    return _body(notification.kind, (notification.params or {}) | _names(notification))
