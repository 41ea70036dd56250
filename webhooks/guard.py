"""Where a webhook may be sent: HTTPS to public addresses only (no SSRF into our network).

A URL is checked when an endpoint is saved and again before every attempt: its scheme must be
https (http only with WEBHOOKS_ALLOW_HTTP) and every address its host resolves to must be a
public one: not private, loopback, link-local, multicast, reserved or unspecified (IPv4 and
IPv6, IPv4-mapped IPv6 included), unless WEBHOOKS_ALLOW_PRIVATE (development and tests).

What remains (docs/webhooks.md): the request resolves the name again, so a DNS server that
answers a public address to the check and a private one a moment later (DNS rebinding) can
still reach an internal address within that window.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _


class UnsafeURL(Exception):
    """The URL may not receive webhooks; the message says why (for the `url` field)."""


def _refused_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    )


def _addresses(host: str, port: int) -> list[str]:
    try:
        return [ipaddress.ip_address(host).compressed]  # a literal address: no lookup
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise UnsafeURL(_("无法解析该地址的域名")) from exc
    return [info[4][0].split("%")[0] for info in infos]


def url_check(url: str) -> None:
    """Raise UnsafeURL unless `url` may receive webhooks now (see the module's docstring)."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError as exc:
        raise UnsafeURL(_("地址格式不正确")) from exc
    allowed = ("https", "http") if settings.WEBHOOKS_ALLOW_HTTP else ("https",)
    if parts.scheme not in allowed:
        raise UnsafeURL(_("地址必须以 https:// 开头"))
    if not host:
        raise UnsafeURL(_("地址缺少主机名"))
    if parts.username or parts.password:
        raise UnsafeURL(_("地址不能包含用户名或密码"))
    if settings.WEBHOOKS_ALLOW_PRIVATE:
        return  # every address is allowed: nothing to resolve
    port = port or (443 if parts.scheme == "https" else 80)
    addresses = _addresses(host, port)
    if not addresses:
        raise UnsafeURL(_("无法解析该地址的域名"))
    for text in addresses:
        try:
            address = ipaddress.ip_address(text)
        except ValueError as exc:
            raise UnsafeURL(_("无法解析该地址的域名")) from exc
        if _refused_address(address):
            raise UnsafeURL(_("不能使用内网、本机或保留地址"))
