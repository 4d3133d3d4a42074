"""The orders API: idempotent intake, lists, cancel, the workflow view, and who may do what."""

from decimal import Decimal

import pytest

from apps.eventlog.relay import relay_batch
from apps.inventory import services as inventory
from apps.orders.models import Order
from tests.helpers import assert_problem
from tests.inventory.factories import ItemFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelf():
    item, warehouse = ItemFactory(unit_price=Decimal("3.00")), WarehouseFactory()
    inventory.stock_receive(item_id=item.pk, location_id=warehouse.pk, quantity=100, actor=None)
    return item, warehouse


def body(item, warehouse, quantity="2", customer="ACME"):
    return {
        "customer_reference": customer,
        "lines": [{"item": item.pk, "location": warehouse.pk, "quantity": quantity}],
    }


def drain():
    for _ in range(50):
        if not relay_batch().claimed:
            return


def test_placing_an_order_needs_an_idempotency_key_and_happens_once(client_as, shelf):
    client = client_as("Integration")
    missing = client.post("/api/v1/orders/", body(*shelf), format="json")
    assert_problem(missing, 400, "idempotency-key-required")
    first = client.post("/api/v1/orders/", body(*shelf), format="json", HTTP_IDEMPOTENCY_KEY="po-1")
    again = client.post("/api/v1/orders/", body(*shelf), format="json", HTTP_IDEMPOTENCY_KEY="po-1")
    assert first.status_code == again.status_code == 201, first.content
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert first.json()["total"] == "6.00" and first.json()["lines"][0]["line_total"] == "6.00"
    other = client.post(
        "/api/v1/orders/", body(*shelf, quantity="3"), format="json", HTTP_IDEMPOTENCY_KEY="po-1"
    )
    assert_problem(other, 422, "idempotency-key-reused")
    assert Order.objects.count() == 1


@pytest.mark.parametrize(
    "change",
    [
        {"lines": []},
        {"customer_reference": ""},
        {"lines": [{"item": 1, "location": 1, "quantity": "0"}]},
    ],
)
def test_bad_orders_are_400s(client_as, shelf, change):
    response = client_as("Operator").post(
        "/api/v1/orders/", {**body(*shelf), **change}, format="json", HTTP_IDEMPOTENCY_KEY="x"
    )
    assert_problem(response, 400)
    assert not Order.objects.exists()


def test_the_workflow_shows_each_step_and_each_subscribers_delivery(client_as, shelf):
    operator = client_as("Operator")
    order = operator.post(
        "/api/v1/orders/", body(*shelf), format="json", HTTP_IDEMPOTENCY_KEY="w-1"
    ).json()
    before = operator.get(f"/api/v1/orders/{order['id']}/workflow/").json()
    [placed] = before["timeline"]
    assert placed["type"] == "orders.order.placed"
    assert {d["subscriber"]: d["state"] for d in placed["deliveries"]}[
        "inventory.reserve_for_order"
    ] == "pending"
    drain()
    after = operator.get(f"/api/v1/orders/{order['id']}/workflow/").json()
    assert after["order"]["status"] == "fulfilled"
    types = [event["type"] for event in after["timeline"]]
    assert types[0] == "orders.order.placed" and types[-1] == "orders.order.fulfilled"
    assert "payments.payment.authorized" in types
    assert all(d["state"] == "done" for event in after["timeline"] for d in event["deliveries"])


def test_cancel_and_list_filters(client_as, shelf):
    operator = client_as("Operator")
    a = operator.post(
        "/api/v1/orders/", body(*shelf, customer="A"), format="json", HTTP_IDEMPOTENCY_KEY="a"
    ).json()
    operator.post(
        "/api/v1/orders/", body(*shelf, customer="B"), format="json", HTTP_IDEMPOTENCY_KEY="b"
    )
    cancelled = operator.post(
        f"/api/v1/orders/{a['id']}/cancel/", {"reason": "changed mind"}, format="json"
    )
    assert (
        cancelled.json()["status"] == "cancelled" and cancelled.json()["reason"] == "changed mind"
    )
    listed = operator.get("/api/v1/orders/", {"status": "cancelled"}).json()["results"]
    assert [o["id"] for o in listed] == [a["id"]]
    assert [
        o["customer_reference"]
        for o in operator.get("/api/v1/orders/", {"customer": "B"}).json()["results"]
    ] == ["B"]
    drain()
    refused = operator.post(f"/api/v1/orders/{a['id']}/cancel/", {}, format="json")
    assert refused.status_code == 200  # cancelling again changes nothing
    assert_problem(operator.post("/api/v1/orders/999999/cancel/", {}, format="json"), 404)


@pytest.mark.parametrize(
    ("method", "url", "allowed"),
    [
        ("get", "/api/v1/orders/", {"Viewer", "Operator", "Admin", "Integration"}),
        ("post", "/api/v1/orders/", {"Operator", "Admin", "Integration"}),
        ("get", "/api/v1/orders/{order}/", {"Viewer", "Operator", "Admin", "Integration"}),
        ("get", "/api/v1/orders/{order}/workflow/", {"Viewer", "Operator", "Admin", "Integration"}),
        ("post", "/api/v1/orders/{order}/cancel/", {"Operator", "Admin"}),
    ],
)
def test_who_may_call_each_endpoint(client_as, api_client, shelf, method, url, allowed):
    from apps.orders import services

    for n, role in enumerate(
        [None, "Viewer", "Operator", "Warehouse", "AuditViewer", "Admin", "Integration"]
    ):
        client = api_client if role is None else client_as(role)
        order = services.order_place(
            customer_reference="R",
            lines=[services.LineRequest(shelf[0].pk, shelf[1].pk, Decimal(1))],
            # An integration sees the orders it placed (tests/integrations/test_own_orders.py).
            actor=client.user if role == "Integration" else None,
        )
        payload = body(*shelf) if method == "post" and url.endswith("orders/") else {}
        response = getattr(client, method)(
            url.format(order=order.pk), payload, format="json", HTTP_IDEMPOTENCY_KEY=f"k{n}"
        )
        if role is None:
            assert_problem(response, 401)
        elif role in allowed:
            assert response.status_code < 300, (role, response.content)
        else:
            assert_problem(response, 403)


def test_the_workflow_includes_the_cancellation(client_as, shelf):
    operator = client_as("Operator")
    order = operator.post(
        "/api/v1/orders/", body(*shelf), format="json", HTTP_IDEMPOTENCY_KEY="c-1"
    ).json()
    operator.post(f"/api/v1/orders/{order['id']}/cancel/", {}, format="json")
    timeline = operator.get(f"/api/v1/orders/{order['id']}/workflow/").json()["timeline"]
    types = [e["type"] for e in timeline]
    assert types == ["orders.order.placed", "orders.order.cancelled"]


def test_a_replay_answers_json_even_if_the_first_caller_asked_for_html(client_as, shelf):
    client = client_as("Integration")
    first = client.post(
        "/api/v1/orders/",
        body(*shelf),
        format="json",
        HTTP_IDEMPOTENCY_KEY="h-1",
        HTTP_ACCEPT="text/html",
    )
    assert first.status_code == 201
    again = client.post("/api/v1/orders/", body(*shelf), format="json", HTTP_IDEMPOTENCY_KEY="h-1")
    assert again["Content-Type"] == "application/json"
    assert again.json()["customer_reference"] == "ACME"


def test_a_caller_cannot_put_its_events_into_another_orders_timeline(client_as, shelf):
    from apps.orders.models import Order

    operator = client_as("Operator")
    order = operator.post(
        "/api/v1/orders/", body(*shelf), format="json", HTTP_IDEMPOTENCY_KEY="t-1"
    ).json()
    correlation = Order.objects.get(pk=order["id"]).correlation_id
    # Another caller names the order's correlation id as its own request id.
    client_as("Admin").put(
        "/api/v1/settings/orders.discount/", {"value": 1}, HTTP_X_REQUEST_ID=correlation
    )
    timeline = operator.get(f"/api/v1/orders/{order['id']}/workflow/").json()["timeline"]
    assert [event["type"] for event in timeline] == ["orders.order.placed"]
