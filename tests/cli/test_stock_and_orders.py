"""fusionops stock receive / issue / transfer, and orders place / show."""

import re
from decimal import Decimal

import pytest

from apps.inventory.models import StockLevel
from apps.orders.models import Order
from tests.factories import UserFactory, issue_token
from tests.inventory.factories import ItemFactory, WarehouseFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def on_hand(item, location) -> Decimal:
    return StockLevel.objects.get(item=item, location=location).on_hand


def test_stock_is_received_issued_and_transferred_and_an_issue_beyond_it_is_refused(fusionops):
    keeper = issue_token(UserFactory(roles=["Warehouse"]))
    item, north, south = ItemFactory(sku="BOLT-9"), WarehouseFactory(), WarehouseFactory()
    at_north = ("--item", item.pk, "--location", north.pk)

    received = fusionops.run(
        "stock", "receive", *at_north, "--quantity", "10", "--reference", "DN-1", token=keeper
    )
    assert received.exit_code == 0, received.output
    assert "receipt" in received.stdout and "DN-1" in received.stdout
    issued = fusionops.json("stock", "issue", *at_north, "--quantity", "3", token=keeper)
    assert (issued["kind"], issued["on_hand_after"]) == ("issue", "7.000")
    moved = fusionops.json(
        "stock", "transfer", "--item", item.pk, "--source", north.pk,
        "--destination", south.pk, "--quantity", "2.5", token=keeper,
    )  # fmt: skip
    assert (moved["out"]["location"], moved["in"]["location"]) == (north.pk, south.pk)
    assert (on_hand(item, north), on_hand(item, south)) == (Decimal("4.5"), Decimal("2.5"))

    too_much = fusionops.run("stock", "issue", *at_north, "--quantity", "5", token=keeper)

    assert too_much.exit_code == 5
    assert "Not enough stock" in too_much.stderr
    short = [line.strip("│ ").split() for line in too_much.stderr.splitlines() if "5.000" in line]
    assert [[cell for cell in row if cell != "│"] for row in short] == [
        [str(item.pk), str(north.pk), "5.000", "4.500"]
    ]
    assert on_hand(item, north) == Decimal("4.5")


def test_a_quantity_that_is_not_a_number_is_refused_on_the_command_line(fusionops):
    keeper = issue_token(UserFactory(roles=["Warehouse"]))

    result = fusionops.run(
        "stock", "receive", "--item", 1, "--location", 1, "--quantity", "lots", token=keeper
    )

    assert result.exit_code == 2
    assert "not a number" in result.stderr


@pytest.fixture
def in_stock(fusionops):
    """An item with 10 on hand in a warehouse."""
    keeper = issue_token(UserFactory(roles=["Warehouse"]))
    item, warehouse = ItemFactory(unit_price=Decimal("2.50")), WarehouseFactory()
    received = fusionops.run(
        "stock", "receive", "--item", item.pk, "--location", warehouse.pk, "--quantity", "10",
        token=keeper,
    )  # fmt: skip
    assert received.exit_code == 0, received.output
    return item, warehouse


def test_an_order_is_placed_under_a_new_key_and_that_key_again_answers_the_same_order(
    fusionops, in_stock
):
    item, warehouse = in_stock
    operator = issue_token(UserFactory(roles=["Operator"]))
    order = ("orders", "place", "--customer", "ACME-7", "--line", f"{item.pk}:4",
             "--location", warehouse.pk)  # fmt: skip

    placed = fusionops.run(*order, token=operator)

    assert placed.exit_code == 0, placed.output
    key = re.search(r"Idempotency-Key: (\S+)", placed.stderr).group(1)
    assert key in placed.stdout  # in the table too
    first = Order.objects.get()
    assert first.number in placed.stdout
    assert first.customer_reference == "ACME-7"

    again = fusionops.json(*order, "--idempotency-key", key, token=operator)

    assert again["id"] == first.pk
    assert Order.objects.count() == 1
    other_body = fusionops.run(
        "orders", "place", "--customer", "ACME-7", "--line", f"{item.pk}:5@{warehouse.pk}",
        "--idempotency-key", key, token=operator,
    )  # fmt: skip
    assert other_body.exit_code == 5
    assert "another request" in other_body.stderr
    assert Order.objects.count() == 1


def test_orders_show_prints_the_order_its_lines_and_its_workflow(fusionops, in_stock):
    item, warehouse = in_stock
    operator = issue_token(UserFactory(roles=["Operator"]))
    placed = fusionops.json(
        "orders", "place", "--customer", "ACME-8", "--line", f"{item.pk}:2@{warehouse.pk}",
        token=operator,
    )  # fmt: skip

    shown = fusionops.run("orders", "show", placed["id"], token=operator)
    both = fusionops.json("orders", "show", placed["id"], token=operator)

    assert shown.exit_code == 0, shown.output
    assert placed["number"] in shown.stdout
    assert "ACME-8" in shown.stdout
    assert "orders.order.placed" in shown.stdout
    assert both["order"]["lines"][0]["item"] == item.pk
    assert both["workflow"]["order"]["id"] == placed["id"]
    assert both["workflow"]["timeline"][0]["type"] == "orders.order.placed"
