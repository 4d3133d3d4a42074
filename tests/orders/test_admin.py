"""Orders in the admin: lines, the workflow timeline, and a cancel action via the service."""

from decimal import Decimal

import pytest

from apps.eventlog.relay import relay_batch
from apps.inventory import services as inventory
from apps.orders import services
from tests.factories import UserFactory
from tests.inventory.factories import ItemFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


def test_the_order_page_shows_lines_and_workflow_and_the_action_cancels(client):
    client.force_login(UserFactory(is_staff=True, roles=["Operator"]))
    item, warehouse = ItemFactory(sku="GEAR-1"), WarehouseFactory()
    inventory.stock_receive(item_id=item.pk, location_id=warehouse.pk, quantity=5, actor=None)
    order = services.order_place(
        customer_reference="ACME",
        lines=[services.LineRequest(item.pk, warehouse.pk, Decimal(1))],
        actor=None,
    )
    relay_batch()
    page = client.get(f"/admin/orders/order/{order.pk}/change/").content.decode()
    assert "GEAR-1" in page
    assert "orders.order.placed" in page and "inventory.reserve_for_order" in page
    assert client.get("/admin/orders/order/", {"status__exact": "placed"}).status_code == 200
    other = services.order_place(
        customer_reference="ACME",
        lines=[services.LineRequest(item.pk, warehouse.pk, Decimal(1))],
        actor=None,
    )
    response = client.post(
        "/admin/orders/order/", {"action": "cancel_orders", "_selected_action": [other.pk]}
    )
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.status == "cancelled"
