"""Warehouse staff in the admin: levels highlighted, the ledger read-only, actions via services."""

import pytest

from apps.inventory import services
from apps.inventory.models import Replenishment
from tests.factories import UserFactory
from tests.inventory.factories import ItemFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client):
    client.force_login(UserFactory(is_staff=True, roles=["Warehouse"]))
    return client


def low_item():
    item, warehouse = ItemFactory(sku="LOW-1", auto_reorder=True), WarehouseFactory()
    services.stock_thresholds_set(
        item_id=item.pk, location_id=warehouse.pk, reorder_point=5, reorder_qty=10, actor=None
    )
    services.stock_receive(item_id=item.pk, location_id=warehouse.pk, quantity=6, actor=None)
    services.stock_issue(item_id=item.pk, location_id=warehouse.pk, quantity=2, actor=None)
    return item, warehouse


def test_levels_below_the_point_are_filtered_and_highlighted(staff):
    low_item()
    fine, warehouse = ItemFactory(sku="FINE-1"), WarehouseFactory()
    services.stock_receive(item_id=fine.pk, location_id=warehouse.pk, quantity=50, actor=None)
    page = staff.get("/admin/inventory/stocklevel/", {"below_reorder": "yes"}).content.decode()
    assert "LOW-1" in page and "FINE-1" not in page
    assert "errornote" in page


def test_the_item_page_shows_its_stock_and_the_ledger_is_read_only(staff):
    item, _warehouse = low_item()
    page = staff.get(f"/admin/inventory/item/{item.pk}/change/").content.decode()
    assert "4.000" in page  # on hand, shown inline
    assert staff.get("/admin/inventory/stockmovement/add/").status_code == 403
    assert staff.get("/admin/inventory/stockmovement/").status_code == 200


def test_the_receive_action_calls_the_service(staff):
    item, _warehouse = low_item()
    replenishment = Replenishment.objects.get(item=item, status="open")
    response = staff.post(
        "/admin/inventory/replenishment/",
        {"action": "receive_replenishments", "_selected_action": [replenishment.pk]},
    )
    assert response.status_code == 302
    replenishment.refresh_from_db()
    assert replenishment.status == "received"
