"""Concurrent issues never oversell; low stock fires once; the ledger check finds tampering."""

import io
import threading
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from apps.eventlog.models import Event
from apps.inventory import selectors, services
from apps.inventory.exceptions import InsufficientStock
from apps.inventory.models import Replenishment, StockLevel
from tests.inventory.factories import ItemFactory, WarehouseFactory


def run_concurrently(count, work):
    barrier = threading.Barrier(count)
    outcomes, failures = [], []

    def thread_body(index):
        try:
            barrier.wait(timeout=30)
            outcomes.append(work(index))
        except InsufficientStock:
            outcomes.append("refused")
        except Exception as exc:
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=thread_body, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    assert failures == []
    return outcomes


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_twenty_concurrent_issues_from_ten_never_go_negative():
    item, warehouse = ItemFactory(), WarehouseFactory()
    services.stock_receive(item_id=item.pk, location_id=warehouse.pk, quantity=10, actor=None)
    outcomes = run_concurrently(
        20,
        lambda i: services.stock_issue(
            item_id=item.pk, location_id=warehouse.pk, quantity=1, actor=None, reference=f"t{i}"
        ),
    )
    assert outcomes.count("refused") == 10
    assert StockLevel.objects.get(item=item).on_hand == 0
    assert [d for d in selectors.ledger_differences() if d["item"] == item.pk] == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_issues_across_the_point_fire_one_alert_and_one_replenishment():
    item, warehouse = ItemFactory(auto_reorder=True), WarehouseFactory()
    services.stock_thresholds_set(
        item_id=item.pk, location_id=warehouse.pk, reorder_point=10, reorder_qty=50, actor=None
    )
    services.stock_receive(item_id=item.pk, location_id=warehouse.pk, quantity=20, actor=None)
    run_concurrently(
        16,
        lambda i: services.stock_issue(
            item_id=item.pk, location_id=warehouse.pk, quantity=1, actor=None
        ),
    )
    assert StockLevel.objects.get(item=item).on_hand == 4
    assert Event.objects.filter(type="inventory.stock.low", payload__item_id=item.pk).count() == 1
    assert Replenishment.objects.filter(item=item, status="open").count() == 1


@pytest.mark.django_db
def test_the_ledger_check_finds_a_tampered_level():
    item, warehouse = ItemFactory(), WarehouseFactory()
    services.stock_receive(item_id=item.pk, location_id=warehouse.pk, quantity=5, actor=None)
    out = io.StringIO()
    call_command("check_stock_ledger", stdout=out)
    assert out.getvalue().startswith("OK:")
    StockLevel.objects.filter(item=item).update(on_hand=Decimal("7"))
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 stock level"):
        call_command("check_stock_ledger", stdout=out)
    assert f"item {item.pk} at location {warehouse.pk}: level on hand 7.000" in out.getvalue()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_transfers_in_opposite_directions_do_not_deadlock():
    item, north, south = ItemFactory(), WarehouseFactory(), WarehouseFactory()
    for location in (north, south):
        services.stock_receive(item_id=item.pk, location_id=location.pk, quantity=50, actor=None)

    def transfer(index):
        source, destination = (north, south) if index % 2 else (south, north)
        return services.stock_transfer(
            item_id=item.pk, source_id=source.pk, destination_id=destination.pk, quantity=1,
            actor=None,
        )  # fmt: skip

    outcomes = run_concurrently(16, transfer)
    assert "refused" not in outcomes
    levels = StockLevel.objects.filter(item=item)
    assert sum(level.on_hand for level in levels) == 100
    assert [d for d in selectors.ledger_differences() if d["item"] == item.pk] == []
