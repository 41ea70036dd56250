"""The admin shows endpoints and deliveries, never a secret, and edits nothing."""

from webhooks import services


def test_the_admin_shows_no_secret_and_edits_nothing(admin_client, vorg, operator):
    endpoint = services.endpoint_create(org=vorg, actor=operator, url="https://93.184.215.14/x")
    delivery = services.webhook_test_send(endpoint=endpoint, actor=operator)
    page = admin_client.get(f"/admin/webhooks/endpoint/{endpoint.pk}/change/")
    assert page.status_code == 200 and endpoint.secret not in page.content.decode()
    assert admin_client.get("/admin/webhooks/endpoint/").status_code == 200
    assert admin_client.get("/admin/webhooks/endpoint/add/").status_code == 403
    response = admin_client.post(
        f"/admin/webhooks/endpoint/{endpoint.pk}/change/", {"url": "https://127.0.0.1/"}
    )
    assert response.status_code == 403
    endpoint.refresh_from_db()
    assert endpoint.url == "https://93.184.215.14/x"
    assert admin_client.get(f"/admin/webhooks/delivery/{delivery.pk}/change/").status_code == 200
    assert admin_client.get("/admin/webhooks/delivery/add/").status_code == 403
