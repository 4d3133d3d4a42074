"""Service-level counters: bookings and conflicts, stock moves and low-stock crossings,
orders by outcome, the saga's steps, refused credentials."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from prometheus_client import REGISTRY

from apps.eventlog.relay import relay_batch
from apps.inventory import services as inventory
from apps.orders import services as orders
from apps.orders.services import LineRequest
from tests.inventory.factories import ItemFactory, WarehouseFactory
from tests.resources.factories import ProjectFactory, ResourceFactory

pytestmark = pytest.mark.django_db


def sample(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_bookings_count_when_committed_and_conflicts_when_refused(
    client_as, django_capture_on_commit_callbacks
):
    operator = client_as("Operator")
    resource, project = ResourceFactory(), ProjectFactory()
    begins = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    body = {
        "project": project.pk,
        "items": [{"resource": resource.pk, "from": begins.isoformat(),
                   "to": (begins + timedelta(hours=1)).isoformat()}],
    }  # fmt: skip
    booked, conflicts = (
        sample("fusionops_bookings_total", outcome="booked"),
        sample("fusionops_bookings_total", outcome="conflict"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert operator.post("/api/v1/allocate/", body, format="json").status_code == 201
    assert operator.post("/api/v1/allocate/", body, format="json").status_code == 409
    assert sample("fusionops_bookings_total", outcome="booked") == booked + 1
    assert sample("fusionops_bookings_total", outcome="conflict") == conflicts + 1


def test_refused_tokens_and_sign_ins_are_counted(api_client, client, settings):
    tokens, sign_ins = (
        sample("fusionops_auth_failures_total", kind="token"),
        sample("fusionops_auth_failures_total", kind="sign_in"),
    )
    api_client.credentials(HTTP_AUTHORIZATION="Bearer fo_not-a-real-token")
    assert api_client.get("/api/v1/settings/").status_code == 401
    client.post("/admin/login/", {"username": "nobody", "password": "wrong"})
    assert sample("fusionops_auth_failures_total", kind="token") == tokens + 1
    assert sample("fusionops_auth_failures_total", kind="sign_in") == sign_ins + 1


def test_stock_moves_by_kind_and_low_stock_crossings_once_each(
    django_capture_on_commit_callbacks,
):

    item, warehouse = ItemFactory(), WarehouseFactory()
    where = {"item_id": item.pk, "location_id": warehouse.pk, "actor": None}
    received, issued, crossings = (
        sample("fusionops_stock_moves_total", kind="receipt"),
        sample("fusionops_stock_moves_total", kind="issue"),
        sample("fusionops_low_stock_crossings_total"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        inventory.stock_receive(quantity=10, **where)
        inventory.stock_thresholds_set(reorder_point=5, reorder_qty=0, **where)
        inventory.stock_issue(quantity=6, **where)  # 10 -> 4: below 5, one crossing
        inventory.stock_issue(quantity=1, **where)  # still below: no second crossing
    assert sample("fusionops_stock_moves_total", kind="receipt") == received + 1
    assert sample("fusionops_stock_moves_total", kind="issue") == issued + 2
    assert sample("fusionops_low_stock_crossings_total") == crossings + 1


def test_orders_are_counted_by_how_they_ended(django_capture_on_commit_callbacks):

    item, warehouse = ItemFactory(unit_price=Decimal("2.50")), WarehouseFactory()
    cancelled = sample("fusionops_orders_finished_total", outcome="cancelled")
    with django_capture_on_commit_callbacks(execute=True):
        inventory.stock_receive(item_id=item.pk, location_id=warehouse.pk, quantity=5, actor=None)
        order = orders.order_place(
            customer_reference="ACME-9",
            lines=[LineRequest(item.pk, warehouse.pk, Decimal("1"))],
            actor=None,
        )
        orders.order_cancel(order_id=order.pk, actor=None, reason="changed their mind")
    assert sample("fusionops_orders_finished_total", outcome="cancelled") == cancelled + 1


def test_each_step_of_the_order_saga_is_timed(django_capture_on_commit_callbacks):
    def runs(step):
        name = "fusionops_subscriber_duration_seconds_count"
        return REGISTRY.get_sample_value(name, {"subscriber": step}) or 0

    steps = ["inventory.reserve_for_order", "orders.track_reservation", "payments.authorize",
             "orders.settle_payment"]  # fmt: skip
    before = {step: runs(step) for step in steps}
    item, warehouse = ItemFactory(unit_price=Decimal("2.50")), WarehouseFactory()
    inventory.stock_receive(item_id=item.pk, location_id=warehouse.pk, quantity=5, actor=None)
    order = orders.order_place(
        customer_reference="ACME-10",
        lines=[LineRequest(item.pk, warehouse.pk, Decimal("1"))],
        actor=None,
    )
    for _ in range(20):
        if not relay_batch().claimed:
            break
    order.refresh_from_db()
    assert order.status == "fulfilled"
    assert {step: runs(step) - before[step] for step in steps} == dict.fromkeys(steps, 1)
