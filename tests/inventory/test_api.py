"""The inventory API: stock actions, lists, thresholds, replenishments, who may do what."""

import pytest

from apps.inventory import services
from apps.inventory.models import Replenishment, StockMovement
from tests.helpers import assert_problem
from tests.inventory.factories import ItemFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


def test_receive_issue_and_the_ledger_through_the_api(client_as):
    warehouse_user = client_as("Warehouse")
    item, warehouse = ItemFactory(), WarehouseFactory()
    body = {"item": item.pk, "location": warehouse.pk, "quantity": "12.5", "reference": "PO-9"}
    received = warehouse_user.post("/api/v1/stock/receive/", body, format="json")
    assert received.status_code == 201, received.content
    assert received.json()["on_hand_after"] == "12.500"
    issued = warehouse_user.post(
        "/api/v1/stock/issue/", {**body, "quantity": "2", "reference": "SO-1"}, format="json"
    )
    assert issued.json()["on_hand_delta"] == "-2.000"
    short = warehouse_user.post("/api/v1/stock/issue/", {**body, "quantity": "11"}, format="json")
    problem = assert_problem(short, 409, "insufficient-stock")
    assert problem["shortages"][0]["available"] == "10.500"
    viewer = client_as("Viewer")
    stock = viewer.get("/api/v1/stock/", {"item": item.pk}).json()["results"]
    assert [(s["on_hand"], s["available"]) for s in stock] == [("10.500", "10.500")]
    ledger = viewer.get("/api/v1/stock/movements/", {"item": item.pk, "kind": "issue"}).json()
    assert [m["reference"] for m in ledger["results"]] == ["SO-1"]
    assert viewer.get("/api/v1/stock/movements/", {"reference": "PO-9"}).json()["results"][0][
        "actor"
    ] == (warehouse_user.user.username)


@pytest.mark.parametrize("quantity", [0, -1, "1.0001", "abc", "NaN", None, "1e30"])
def test_bad_quantities_are_400s_that_write_nothing(client_as, quantity):
    item, warehouse = ItemFactory(), WarehouseFactory()
    response = client_as("Warehouse").post(
        "/api/v1/stock/receive/",
        {"item": item.pk, "location": warehouse.pk, "quantity": quantity},
        format="json",
    )
    assert "quantity" in assert_problem(response, 400)["errors"]
    assert not StockMovement.objects.exists()


def test_adjust_transfer_and_thresholds(client_as):
    user = client_as("Warehouse")
    item, north, south = ItemFactory(), WarehouseFactory(), WarehouseFactory()
    user.post(
        "/api/v1/stock/receive/",
        {"item": item.pk, "location": north.pk, "quantity": 5},
        format="json",
    )
    no_reason = user.post(
        "/api/v1/stock/adjust/",
        {"item": item.pk, "location": north.pk, "quantity": -1},
        format="json",
    )
    assert "reason" in assert_problem(no_reason, 400)["errors"]
    adjusted = user.post(
        "/api/v1/stock/adjust/",
        {"item": item.pk, "location": north.pk, "quantity": "-1", "reason": "broken"},
        format="json",
    )
    assert adjusted.status_code == 201
    moved = user.post(
        "/api/v1/stock/transfer/",
        {"item": item.pk, "source": north.pk, "destination": south.pk, "quantity": 3},
        format="json",
    ).json()
    assert (moved["out"]["on_hand_after"], moved["in"]["on_hand_after"]) == ("1.000", "3.000")
    level = user.put(
        "/api/v1/stock/thresholds/",
        {"item": item.pk, "location": north.pk, "reorder_point": 2, "reorder_qty": 10},
        format="json",
    ).json()
    assert (level["below_reorder"], level["reorder_point"]) == (True, "2.000")
    below = client_as("Viewer").get("/api/v1/stock/", {"below_reorder": "true"}).json()["results"]
    assert [(s["item"], s["location"]) for s in below] == [(item.pk, north.pk)]


def test_replenishments_are_received_or_cancelled_once(client_as):
    user = client_as("Warehouse")
    item, warehouse = ItemFactory(auto_reorder=True), WarehouseFactory()
    services.stock_thresholds_set(
        item_id=item.pk, location_id=warehouse.pk, reorder_point=3, reorder_qty=9, actor=None
    )
    services.stock_receive(item_id=item.pk, location_id=warehouse.pk, quantity=3, actor=None)
    services.stock_issue(item_id=item.pk, location_id=warehouse.pk, quantity=1, actor=None)
    [replenishment] = (
        client_as("Viewer").get("/api/v1/replenishments/", {"status": "open"}).json()["results"]
    )
    assert replenishment["quantity"] == "9.000"
    url = f"/api/v1/replenishments/{replenishment['id']}"
    received = user.post(f"{url}/receive/", {}, format="json")
    assert received.json()["status"] == "received"
    again = user.post(f"{url}/cancel/", {}, format="json")
    assert_problem(again, 409)
    assert_problem(user.post("/api/v1/replenishments/999999/receive/", {}, format="json"), 404)
    assert Replenishment.objects.get(pk=replenishment["id"]).status == "received"


def test_items_and_locations_are_kept_by_the_warehouse(client_as):
    user = client_as("Warehouse")
    item = user.post(
        "/api/v1/items/", {"sku": "BOLT-M8", "name": "Bolt M8", "unit_price": "0.12"}, format="json"
    )
    assert item.status_code == 201, item.content
    assert_problem(
        user.post(
            "/api/v1/items/", {"sku": "bad sku!", "name": "x", "unit_price": "1"}, format="json"
        ),
        400,
    )
    warehouse = user.post(
        "/api/v1/locations/", {"code": "HAM", "name": "Hamburg", "kind": "warehouse"}, format="json"
    )
    assert warehouse.status_code == 201
    bin_without_parent = user.post(
        "/api/v1/locations/", {"code": "HAM-A1", "name": "A1", "kind": "bin"}, format="json"
    )
    assert_problem(bin_without_parent, 400)
    bin_ = user.post(
        "/api/v1/locations/",
        {"code": "HAM-A1", "name": "A1", "kind": "bin", "parent": warehouse.json()["id"]},
        format="json",
    )
    assert bin_.status_code == 201


ENDPOINTS = [
    ("get", "/api/v1/items/", {"Viewer", "Warehouse", "Admin", "Operator"}, None),
    (
        "post",
        "/api/v1/items/",
        {"Warehouse", "Admin"},
        {"sku": "R-{role}", "name": "x", "unit_price": "1"},
    ),
    ("get", "/api/v1/items/{item}/", {"Viewer", "Warehouse", "Admin", "Operator"}, None),
    ("patch", "/api/v1/items/{item}/", {"Warehouse", "Admin"}, {"name": "y"}),
    ("get", "/api/v1/locations/", {"Viewer", "Warehouse", "Admin", "Operator"}, None),
    ("get", "/api/v1/stock/", {"Viewer", "Warehouse", "Admin", "Operator"}, None),
    (
        "put",
        "/api/v1/stock/thresholds/",
        {"Warehouse", "Admin"},
        {"item": "{item}", "location": "{location}", "reorder_point": 1, "reorder_qty": 1},
    ),
    (
        "post",
        "/api/v1/stock/receive/",
        {"Warehouse", "Admin"},
        {"item": "{item}", "location": "{location}", "quantity": 1},
    ),
    (
        "post",
        "/api/v1/stock/issue/",
        {"Warehouse", "Admin"},
        {"item": "{item}", "location": "{location}", "quantity": 1},
    ),
    (
        "post",
        "/api/v1/stock/adjust/",
        {"Warehouse", "Admin"},
        {"item": "{item}", "location": "{location}", "quantity": 1, "reason": "count"},
    ),
    (
        "post",
        "/api/v1/stock/transfer/",
        {"Warehouse", "Admin"},
        {"item": "{item}", "source": "{location}", "destination": "{other}", "quantity": 1},
    ),
    ("get", "/api/v1/stock/movements/", {"Viewer", "Warehouse", "Admin", "Operator"}, None),
    ("get", "/api/v1/replenishments/", {"Viewer", "Warehouse", "Admin", "Operator"}, None),
    ("post", "/api/v1/replenishments/{replenishment}/cancel/", {"Warehouse", "Admin"}, {}),
]
ROLES = ["Viewer", "Operator", "Warehouse", "AuditViewer", "Admin", "Integration"]


@pytest.mark.parametrize(("method", "url", "allowed", "body"), ENDPOINTS)
def test_who_may_call_each_endpoint(client_as, api_client, method, url, allowed, body):
    for role in [None, *ROLES]:
        item, location, other = ItemFactory(), WarehouseFactory(), WarehouseFactory()
        services.stock_receive(item_id=item.pk, location_id=location.pk, quantity=5, actor=None)
        replenishment = Replenishment.objects.create(item=item, location=location, quantity=1)
        ids = {
            "item": item.pk,
            "location": location.pk,
            "other": other.pk,
            "replenishment": replenishment.pk,
        }
        payload = None
        if body is not None:
            payload = {
                key: (
                    int(value.format(**ids)) if value.startswith("{") else value.format(role=role)
                )
                if isinstance(value, str)
                else value
                for key, value in body.items()
            }
        client = api_client if role is None else client_as(role)
        response = getattr(client, method)(url.format(**ids), payload, format="json")
        if role is None:
            assert_problem(response, 401)
        elif role in allowed:
            assert response.status_code < 300, (role, response.content)
        else:
            assert_problem(response, 403)
