"""The SSRF guard: https only, public addresses only, unless the settings allow otherwise."""

import socket

import pytest

from webhooks import services
from webhooks.guard import UnsafeURL, url_check
from webhooks.models import Delivery, DeliveryStatus


@pytest.fixture
def strict(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    settings.WEBHOOKS_ALLOW_HTTP = False


@pytest.fixture
def resolves(monkeypatch):
    """Make `getaddrinfo` answer the given addresses for any host (no DNS in tests)."""

    def answer(*addresses):
        def fake(host, port, *args, **kwargs):
            return [
                (
                    socket.AF_INET6 if ":" in a else socket.AF_INET,
                    socket.SOCK_STREAM,
                    6,
                    "",
                    (a, port),
                )
                for a in addresses
            ]

        monkeypatch.setattr(socket, "getaddrinfo", fake)

    return answer


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",  # loopback
        "https://127.1.2.3/hook",
        "https://[::1]/hook",
        "https://10.0.0.5/hook",  # private
        "https://172.16.0.1/hook",
        "https://192.168.1.1/hook",
        "https://169.254.169.254/latest/meta-data",  # link-local (cloud metadata)
        "https://[fe80::1]/hook",
        "https://0.0.0.0/hook",  # unspecified
        "https://224.0.0.1/hook",  # multicast
        "https://240.0.0.1/hook",  # reserved
        "https://100.64.0.1/hook",  # shared address space (carrier NAT)
        "https://[::ffff:127.0.0.1]/hook",  # IPv4-mapped loopback
        "https://localhost/hook",  # a name that resolves to loopback
    ],
)
def test_private_and_loopback_addresses_are_refused(strict, url):
    with pytest.raises(UnsafeURL):
        url_check(url)


def test_a_name_resolving_to_a_private_address_among_public_ones_is_refused(strict, resolves):
    resolves("93.184.215.14", "10.1.2.3")
    with pytest.raises(UnsafeURL):
        url_check("https://hooks.example.org/x")
    resolves("93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c")
    url_check("https://hooks.example.org/x")


def test_unresolvable_hosts_and_other_schemes_are_refused(strict, monkeypatch):
    def fail(*args, **kwargs):
        raise socket.gaierror("no such host")

    monkeypatch.setattr(socket, "getaddrinfo", fail)
    for url in (
        "https://no-such-host.invalid/x",
        "http://93.184.215.14/x",  # plain http
        "ftp://93.184.215.14/x",
        "https://user:pw@93.184.215.14/x",
        "https:///x",
    ):
        with pytest.raises(UnsafeURL):
            url_check(url)
    url_check("https://93.184.215.14/x")


def test_the_settings_allow_http_and_private_addresses(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    settings.WEBHOOKS_ALLOW_HTTP = True
    url_check("http://127.0.0.1:8000/hook")
    url_check("http://localhost/hook")
    settings.WEBHOOKS_ALLOW_HTTP = False
    with pytest.raises(UnsafeURL):
        url_check("http://127.0.0.1:8000/hook")


def test_an_endpoint_that_became_private_fails_its_attempt_without_a_request(
    vorg, operator, receiver, settings, django_capture_on_commit_callbacks
):
    endpoint = services.endpoint_create(org=vorg, actor=operator, url=receiver.url)
    settings.WEBHOOKS_ALLOW_PRIVATE = False  # as if its name now resolved to 127.0.0.1
    with django_capture_on_commit_callbacks(execute=True):
        services.webhook_test_send(endpoint=endpoint, actor=operator)
    delivery = Delivery.objects.get()
    assert delivery.status == DeliveryStatus.RETRYING and delivery.attempts == 1
    assert delivery.last_status_code is None and delivery.last_error
    assert receiver.requests == []
