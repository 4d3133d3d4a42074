"""Stock services: the ledger, no negative stock, low stock once per crossing."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from apps.eventlog.models import Event
from apps.eventlog.registry import registry
from apps.inventory import services
from apps.inventory.exceptions import InsufficientStock
from apps.inventory.models import Replenishment, Reservation, StockLevel, StockMovement
from apps.inventory.services import StockLine
from apps.platform.exceptions import NotFound
from tests.inventory.factories import ItemFactory, WarehouseFactory

pytestmark = pytest.mark.django_db


def level(item, location):
    return StockLevel.objects.get(item=item, location=location)


def receive(item, location, quantity, **kwargs):
    return services.stock_receive(
        item_id=item.pk, location_id=location.pk, quantity=quantity, actor=None, **kwargs
    )


def issue(item, location, quantity, **kwargs):
    return services.stock_issue(
        item_id=item.pk, location_id=location.pk, quantity=quantity, actor=None, **kwargs
    )


def expire(reference):
    """Time passes: the reservation's expiry is behind us."""
    Reservation.objects.filter(reference=reference).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )


def low_events(item):
    return Event.objects.filter(type="inventory.stock.low", payload__item_id=item.pk)


def test_receive_and_issue_write_the_ledger_and_events():
    item, warehouse = ItemFactory(), WarehouseFactory()
    receive(item, warehouse, "10.5", reference="PO-1")
    movement = issue(item, warehouse, "2.250", reference="SO-7")
    assert level(item, warehouse).on_hand == Decimal("8.250")
    assert (movement.kind, movement.on_hand_delta, movement.on_hand_after) == (
        "issue",
        Decimal("-2.250"),
        Decimal("8.250"),
    )
    types = set(
        Event.objects.filter(aggregate_id=f"{item.pk}:{warehouse.pk}").values_list(
            "type", flat=True
        )
    )
    assert {"inventory.stock.received", "inventory.stock.issued"} <= types


def test_issuing_more_than_available_says_how_much_is_available():
    item, warehouse = ItemFactory(), WarehouseFactory()
    receive(item, warehouse, 5)
    with pytest.raises(InsufficientStock) as refused:
        issue(item, warehouse, 6)
    assert refused.value.shortages == [
        {"item": item.pk, "location": warehouse.pk, "requested": "6.000", "available": "5.000"}
    ]
    assert level(item, warehouse).on_hand == 5


def test_the_database_refuses_negative_stock_and_over_reservation():
    item, warehouse = ItemFactory(), WarehouseFactory()
    receive(item, warehouse, 1)
    with pytest.raises(IntegrityError), transaction.atomic():
        StockLevel.objects.filter(item=item).update(on_hand=-1)
    with pytest.raises(IntegrityError), transaction.atomic():
        StockLevel.objects.filter(item=item).update(reserved=2)


def test_the_ledger_cannot_be_changed():
    item, warehouse = ItemFactory(), WarehouseFactory()
    movement = receive(item, warehouse, 1)
    with pytest.raises(DatabaseError), transaction.atomic():
        StockMovement.objects.filter(pk=movement.pk).update(quantity=2)
    with pytest.raises(DatabaseError), transaction.atomic():
        StockMovement.objects.filter(pk=movement.pk).delete()


@pytest.mark.parametrize("bad", [0, -1, "1.0001", "abc", "NaN", "Infinity", None, "1e20"])
def test_bad_quantities_are_refused_and_write_nothing(bad):
    item, warehouse = ItemFactory(), WarehouseFactory()
    with pytest.raises(ValidationError):
        receive(item, warehouse, bad)
    assert not StockMovement.objects.filter(item=item).exists()


def test_adjust_needs_a_reason_and_may_go_down_but_not_below_zero():
    item, warehouse = ItemFactory(), WarehouseFactory()
    receive(item, warehouse, 3)
    with pytest.raises(ValidationError):
        services.stock_adjust(
            item_id=item.pk, location_id=warehouse.pk, quantity=-1, reason=" ", actor=None
        )
    services.stock_adjust(
        item_id=item.pk, location_id=warehouse.pk, quantity=-1, reason="count", actor=None
    )
    assert level(item, warehouse).on_hand == 2
    with pytest.raises(InsufficientStock):
        services.stock_adjust(
            item_id=item.pk, location_id=warehouse.pk, quantity=-3, reason="x", actor=None
        )


def test_transfer_moves_both_sides_or_neither():
    item, north, south = ItemFactory(), WarehouseFactory(), WarehouseFactory()
    receive(item, north, 4)
    services.stock_transfer(
        item_id=item.pk, source_id=north.pk, destination_id=south.pk, quantity=3, actor=None
    )
    assert (level(item, north).on_hand, level(item, south).on_hand) == (1, 3)
    with pytest.raises(InsufficientStock):
        services.stock_transfer(
            item_id=item.pk, source_id=north.pk, destination_id=south.pk, quantity=2, actor=None
        )
    assert (level(item, north).on_hand, level(item, south).on_hand) == (1, 3)
    assert StockMovement.objects.filter(item=item, kind__startswith="transfer").count() == 2


def test_reservations_are_all_or_nothing_and_listed_short_lines():
    item, other, warehouse = ItemFactory(), ItemFactory(), WarehouseFactory()
    receive(item, warehouse, 5)
    receive(other, warehouse, 1)
    with pytest.raises(InsufficientStock) as refused:
        services.stock_reserve(
            lines=[StockLine(item.pk, warehouse.pk, 2), StockLine(other.pk, warehouse.pk, 2)],
            reference="order:1",
            actor=None,
        )
    assert [s["item"] for s in refused.value.shortages] == [other.pk]
    assert level(item, warehouse).reserved == 0

    services.stock_reserve(
        lines=[StockLine(item.pk, warehouse.pk, 2)], reference="order:2", actor=None
    )
    stock = level(item, warehouse)
    assert (stock.on_hand, stock.reserved, stock.available) == (5, 2, 3)
    with pytest.raises(InsufficientStock):
        issue(item, warehouse, 4)
    assert services.stock_release(reference="order:2", actor=None) == 1
    assert services.stock_release(reference="order:2", actor=None) == 0
    assert level(item, warehouse).reserved == 0


def test_expired_reservations_are_released_and_live_ones_can_be_extended():
    item, warehouse = ItemFactory(), WarehouseFactory()
    receive(item, warehouse, 5)
    soon = timezone.now() + timedelta(minutes=5)
    services.stock_reserve(
        lines=[StockLine(item.pk, warehouse.pk, 1)],
        reference="cart:a",
        actor=None,
        expires_at=soon,
    )
    expire("cart:a")
    services.stock_reserve(
        lines=[StockLine(item.pk, warehouse.pk, 2)], reference="cart:b", actor=None, expires_at=soon
    )
    services.reservation_extend(
        reference="cart:b", expires_at=soon + timedelta(hours=1), actor=None
    )
    assert services.reservations_release_expired() == 1
    assert level(item, warehouse).reserved == 2
    release = StockMovement.objects.get(item=item, kind="release")
    assert (release.reason, release.reference) == ("expired", "cart:a")
    assert Event.objects.filter(
        type="inventory.stock.released", payload__reference="cart:a"
    ).exists()
    with pytest.raises(NotFound):  # nothing active is left to extend
        services.reservation_extend(reference="cart:a", expires_at=soon, actor=None)


def test_low_stock_fires_once_per_crossing_and_opens_one_replenishment():
    item, warehouse = ItemFactory(auto_reorder=True), WarehouseFactory()
    services.stock_thresholds_set(
        item_id=item.pk, location_id=warehouse.pk, reorder_point=5, reorder_qty=20, actor=None
    )
    receive(item, warehouse, 10)
    issue(item, warehouse, 5)  # 5 left: at the point, not below
    assert not low_events(item).exists()
    issue(item, warehouse, 1)  # 4: crossed
    issue(item, warehouse, 1)  # 3: still below, no new event
    assert low_events(item).count() == 1
    assert Replenishment.objects.filter(item=item, status="open").count() == 1
    receive(item, warehouse, 10)  # back above
    issue(item, warehouse, 10)  # crosses again
    assert low_events(item).count() == 2
    assert Replenishment.objects.filter(item=item, status="open").count() == 1


def test_receiving_a_replenishment_closes_it():
    item, warehouse = ItemFactory(auto_reorder=True), WarehouseFactory()
    services.stock_thresholds_set(
        item_id=item.pk, location_id=warehouse.pk, reorder_point=2, reorder_qty=7, actor=None
    )
    receive(item, warehouse, 2)
    issue(item, warehouse, 1)
    replenishment = Replenishment.objects.get(item=item, status="open")
    services.replenishment_receive(replenishment_id=replenishment.pk, actor=None)
    replenishment.refresh_from_db()
    assert replenishment.status == "received"
    assert level(item, warehouse).on_hand == 8
    assert Event.objects.filter(
        type="inventory.stock.replenished", payload__replenishment_id=replenishment.pk
    ).exists()


def test_the_workers_periodic_job_releases_expired_reservations():

    item, warehouse = ItemFactory(), WarehouseFactory()
    receive(item, warehouse, 5)
    services.stock_reserve(
        lines=[StockLine(item.pk, warehouse.pk, 2)], reference="cart:gone", actor=None,
        expires_at=timezone.now() + timedelta(minutes=1),
    )  # fmt: skip
    expire("cart:gone")
    job = registry.periodic_job("inventory.release_expired_reservations")
    job.last_run = 0.0
    registry.run_due_jobs()
    assert level(item, warehouse).reserved == 0


def test_unknown_or_inactive_items_and_locations_are_refused():
    item, warehouse = ItemFactory(), WarehouseFactory()
    receive(item, warehouse, 5)
    Item = type(item)
    Item.objects.filter(pk=item.pk).update(active=False)
    with pytest.raises(ValidationError) as refused:
        issue(item, warehouse, 1)
    assert "item" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        services.stock_issue(item_id=item.pk, location_id=999999, quantity=1, actor=None)
    assert "location" in refused.value.message_dict


def test_reservation_times_must_be_aware_and_ahead():
    item, warehouse = ItemFactory(), WarehouseFactory()
    receive(item, warehouse, 5)
    for expires_at in (timezone.now() - timedelta(seconds=1), timezone.now().replace(tzinfo=None)):
        with pytest.raises(ValidationError):
            services.stock_reserve(
                lines=[StockLine(item.pk, warehouse.pk, 1)], reference="r", actor=None,
                expires_at=expires_at,
            )  # fmt: skip
    assert level(item, warehouse).reserved == 0


def test_huge_quantities_are_refused_not_crashed():
    item, warehouse = ItemFactory(), WarehouseFactory()
    with pytest.raises(ValidationError):
        receive(item, warehouse, "1e26")
    receive(item, warehouse, "99999999999")
    with pytest.raises(ValidationError):
        receive(item, warehouse, "1")
    assert level(item, warehouse).on_hand == Decimal("99999999999")


def test_a_bin_lies_in_a_warehouse():
    from apps.core.catalogue import catalogue_create, catalogue_update
    from apps.inventory.models import Location

    warehouse = WarehouseFactory()
    bin_ = catalogue_create(
        model=Location, actor=None, code="B1", name="b", kind="bin", parent=warehouse
    )
    with pytest.raises(ValidationError):
        catalogue_create(model=Location, actor=None, code="B2", name="b", kind="bin", parent=bin_)
    with pytest.raises(ValidationError):
        catalogue_update(instance=warehouse, actor=None, kind="bin", parent=bin_)


def test_issuing_reserved_stock_takes_exactly_what_was_reserved_once():
    item, warehouse = ItemFactory(), WarehouseFactory()
    receive(item, warehouse, 10)
    services.stock_reserve(
        lines=[StockLine(item.pk, warehouse.pk, 4)], reference="order:9", actor=None
    )
    [movement] = services.stock_issue_reserved(reference="order:9", actor=None)
    assert (movement.on_hand_delta, movement.reserved_delta) == (Decimal("-4"), Decimal("-4"))
    stock = level(item, warehouse)
    assert (stock.on_hand, stock.reserved) == (6, 0)
    assert services.stock_issue_reserved(reference="order:9", actor=None) == []
    assert Reservation.objects.get(reference="order:9").status == "issued"
