"""Integrations see their own: an Integration caller lists, reads and follows only the
orders it placed, and never sees other callers' actors or subscribers' errors."""

from decimal import Decimal

import pytest

from apps.eventlog.relay import relay_batch
from apps.inventory import services as inventory
from apps.orders.models import Order
from apps.realtime.consumers import BEARER_SUBPROTOCOL
from tests.factories import UserFactory, issue_token
from tests.inventory.factories import ItemFactory, WarehouseFactory
from tests.realtime.conftest import messages, open_socket, publish, run, subscribe

pytestmark = pytest.mark.django_db


@pytest.fixture
def shelf():
    item, warehouse = ItemFactory(unit_price=Decimal("3.00")), WarehouseFactory()
    inventory.stock_receive(item_id=item.pk, location_id=warehouse.pk, quantity=100, actor=None)
    return item, warehouse


def place(client, shelf, key):
    item, warehouse = shelf
    response = client.post(
        "/api/v1/orders/",
        {"customer_reference": key,
         "lines": [{"item": item.pk, "location": warehouse.pk, "quantity": "2"}]},
        format="json",
        headers={"Idempotency-Key": key},
    )  # fmt: skip
    assert response.status_code == 201, response.content
    return response.json()


def drain():
    while relay_batch().claimed:
        pass


def test_an_integration_lists_and_reads_only_the_orders_it_placed(client_as, shelf):
    mine, theirs = client_as("Integration"), client_as("Integration")
    my_order, their_order = place(mine, shelf, "erp-1"), place(theirs, shelf, "crm-1")
    assert [o["id"] for o in mine.get("/api/v1/orders/").json()["results"]] == [my_order["id"]]
    for path in (
        f"/api/v1/orders/{their_order['id']}/",
        f"/api/v1/orders/{their_order['id']}/workflow/",
    ):
        assert mine.get(path).status_code == 404
    assert mine.get(f"/api/v1/orders/{my_order['id']}/").status_code == 200
    # Staff see every order.
    listed = client_as("Viewer").get("/api/v1/orders/").json()["results"]
    assert {o["id"] for o in listed} == {my_order["id"], their_order["id"]}


def test_the_workflow_shows_an_integration_no_actors_internal_payloads_or_errors(
    client_as, shelf, settings
):
    settings.PAYMENTS_DECLINE_RATE = 1.0  # a step that fails is recorded as such
    integration = client_as("Integration")
    order = place(integration, shelf, "erp-2")
    drain()
    timeline = integration.get(f"/api/v1/orders/{order['id']}/workflow/").json()["timeline"]
    assert timeline and all(event["actor"] in ({"type": "user"}, {"type": "system"})
                            for event in timeline)  # fmt: skip
    placed = timeline[0]
    assert placed["type"] == "orders.order.placed" and "placed_by_id" not in placed["payload"]
    assert all(d["last_error"] == "" for e in timeline for d in e["deliveries"])
    full = client_as("Admin").get(f"/api/v1/orders/{order['id']}/workflow/").json()["timeline"]
    assert full[0]["actor"]["username"] == integration.user.username
    assert "placed_by_id" in full[0]["payload"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_an_integration_follows_its_own_orders_status_on_orders_mine(client_as, shelf):
    mine, theirs = client_as("Integration"), client_as("Integration")
    token = issue_token(mine.user)
    operator_token = issue_token(UserFactory(roles=["Operator"]))

    async def scenario():
        socket = await open_socket(subprotocols=[BEARER_SUBPROTOCOL, token], headers=())
        other = await open_socket(subprotocols=[BEARER_SUBPROTOCOL, operator_token], headers=())
        assert (await subscribe(socket, ["orders:mine"]))[-1]["topics"] == ["orders:mine"]
        await subscribe(other, ["orders:mine"])
        return socket, other

    async def received(socket, other):
        await publish()
        got = await messages(socket, 1)
        assert await socket.receive_nothing(timeout=0.5)  # not the other integration's
        assert await other.receive_nothing(timeout=0.5)  # an operator placed none of them
        await socket.disconnect()
        await other.disconnect()
        return got

    async def whole():
        socket, other = await scenario()
        from channels.db import database_sync_to_async

        await database_sync_to_async(place)(theirs, shelf, "crm-2")
        my_order = await database_sync_to_async(place)(mine, shelf, "erp-3")
        got = await received(socket, other)
        return my_order, got

    my_order, got = run(whole())
    (message,) = got
    assert message["type"] == "orderStatusChanged"
    assert message["data"]["order_id"] == my_order["id"]
    assert "placed_by_id" not in message["data"]
    assert Order.objects.count() == 2
