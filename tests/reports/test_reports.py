"""Reports: materialized views over bookings, stock and orders, refreshed concurrently
(by the worker's job and `manage.py refresh_reports`), served with filters and the time of
their last refresh."""

import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import psycopg
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connections

from apps.eventlog.registry import registry
from apps.eventlog.relay import relay_batch
from apps.inventory import services as inventory
from apps.orders import services as orders
from apps.reports.services import reports_refresh
from apps.resources.services import AllocationItem, allocate
from tests.inventory.factories import ItemFactory, WarehouseFactory
from tests.resources.factories import ProjectFactory, ResourceFactory

pytestmark = pytest.mark.django_db

DAY = datetime(2027, 4, 6, tzinfo=UTC)


def test_utilisation_splits_a_booking_over_the_days_it_touches(client_as):
    crane, _idle = ResourceFactory(kind="equipment"), ResourceFactory(kind="equipment")
    allocate(
        project_id=ProjectFactory().pk,
        items=[AllocationItem(crane.pk, DAY + timedelta(hours=22), DAY + timedelta(hours=28))],
        actor=None,
    )
    reports_refresh(["resource-utilisation"])
    response = client_as("Viewer").get(
        "/api/v1/reports/resource-utilisation/",
        {"kind": "equipment", "day_from": "2027-04-06", "day_to": "2027-04-07"},
    )
    assert response.status_code == 200 and response["Report-Refreshed-At"]
    rows = {row["day"]: row for row in response.json()["results"]}
    assert rows["2027-04-06"]["booked_hours"] == "2.00"
    assert rows["2027-04-07"]["booked_hours"] == "4.00"
    active = sum(
        1 for _ in ResourceFactory._meta.model.objects.filter(kind="equipment", active=True)
    )
    assert rows["2027-04-07"]["resources"] == active
    assert Decimal(rows["2027-04-07"]["utilisation"]) == round(Decimal(4) / (active * 24), 4)


def test_stock_per_day_has_what_came_in_went_out_and_what_was_left_and_worth(client_as):
    item, warehouse = ItemFactory(unit_price=Decimal("2.50")), WarehouseFactory()
    inventory.stock_receive(item_id=item.pk, location_id=warehouse.pk, quantity=10, actor=None)
    inventory.stock_issue(item_id=item.pk, location_id=warehouse.pk, quantity=3, actor=None)
    reports_refresh(["stock-daily"])
    (row,) = (
        client_as("Warehouse")
        .get("/api/v1/reports/stock-daily/", {"item": item.pk})
        .json()["results"]
    )
    assert (row["quantity_in"], row["quantity_out"], row["on_hand_at_close"]) == (
        "10.000", "3.000", "7.000"
    )  # fmt: skip
    assert (row["movements"], row["value_at_close"]) == (2, "17.50")


def test_order_throughput_counts_each_hours_orders_by_outcome(client_as):
    item, warehouse = ItemFactory(), WarehouseFactory()
    inventory.stock_receive(item_id=item.pk, location_id=warehouse.pk, quantity=5, actor=None)
    for quantity in ("2", "9"):  # one fulfilled, one short of stock: rejected
        orders.order_place(
            customer_reference="R",
            lines=[orders.LineRequest(item.pk, warehouse.pk, Decimal(quantity))],
            actor=None,
        )
    while relay_batch().claimed:
        pass
    reports_refresh()
    rows = client_as("Operator").get("/api/v1/reports/order-throughput/").json()["results"]
    newest = rows[0]
    assert (newest["fulfilled"], newest["rejected"]) >= (1, 1)
    assert newest["placed"] >= 2 and newest["seconds_to_fulfil"] is not None


def test_reports_are_refreshed_by_the_worker_and_by_the_command(settings):
    job = next(job for job in registry._jobs.values() if job.name == "reports.refresh")
    assert job.run() == 3
    out = io.StringIO()
    call_command("refresh_reports", "stock-daily", stdout=out)
    assert out.getvalue().startswith("stock-daily\t")
    with pytest.raises(CommandError, match="No such report: sales"):
        call_command("refresh_reports", "sales")


def test_a_report_is_read_only_for_those_who_may_read_its_source(client_as):
    assert client_as("Integration").get("/api/v1/reports/order-throughput/").status_code == 403
    assert client_as("Warehouse").get("/api/v1/reports/resource-utilisation/").status_code == 403


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_runtime_role_refreshes_through_the_function_only():
    db = connections["default"].settings_dict
    with psycopg.connect(
        host=db["HOST"], port=db["PORT"], dbname=db["NAME"], user=settings.DATABASE_RUNTIME_ROLE,
        autocommit=True,
    ) as runtime:  # fmt: skip
        runtime.execute("SELECT reports_refresh('reports_stock_daily')")
        runtime.execute("SELECT reports_refresh('reports_stock_daily')")  # concurrently now
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            runtime.execute("REFRESH MATERIALIZED VIEW reports_stock_daily")
        with pytest.raises(psycopg.errors.InvalidParameterValue):
            runtime.execute("SELECT reports_refresh('audit_event')")


def test_the_admin_shows_a_report_with_its_refresh_time_and_exports_it_as_csv(client):
    from django.contrib.admin import helpers

    from tests.factories import UserFactory

    item, warehouse = ItemFactory(sku="CSV-1"), WarehouseFactory()
    inventory.stock_receive(item_id=item.pk, location_id=warehouse.pk, quantity=4, actor=None)
    client.force_login(UserFactory(roles=["Warehouse"], is_staff=True))
    assert "Not refreshed yet" in client.get("/admin/reports/stockdaily/").content.decode()
    reports_refresh(["stock-daily"])
    page = client.get("/admin/reports/stockdaily/", {"q": "CSV-1"})
    assert "Refreshed at" in page.content.decode() and "CSV-1" in page.content.decode()
    key = page.context["cl"].result_list[0].pk
    exported = client.post(
        "/admin/reports/stockdaily/", {"action": "export_csv", helpers.ACTION_CHECKBOX_NAME: [key]}
    )
    lines = b"".join(exported.streaming_content).decode().splitlines()
    assert lines[0].startswith("day,item,location,movements")
    assert lines[1].split(",")[3:5] == ["1", "4.000"]
    assert client.get("/admin/reports/orderthroughput/").status_code == 403
    # The admin's index lists the reports this user may read, and only those.
    index = client.get("/admin/").content.decode()
    assert "/admin/reports/stockdaily/" in index and "/admin/reports/orderthroughput/" not in index


def staff_client(role: str):
    from django.test import Client

    from tests.factories import UserFactory

    client = Client()
    client.force_login(UserFactory(roles=[role], is_staff=True))
    return client


def test_a_reports_chart_sums_the_rows_its_filters_leave():
    person, vehicle = ResourceFactory(kind="person"), ResourceFactory(kind="vehicle")
    for resource, day, hours in ((person, 0, 4), (vehicle, 0, 2), (person, 1, 6)):
        starts = DAY + timedelta(days=day, hours=8)
        allocate(
            project_id=ProjectFactory().pk,
            items=[AllocationItem(resource.pk, starts, starts + timedelta(hours=hours))],
            actor=None,
        )
    reports_refresh(["resource-utilisation"])
    viewer = staff_client("Viewer")
    chart = viewer.get("/admin/reports/resourceutilisation/").context["report_chart"]
    assert chart["labels"] == ["Tue 6 Apr", "Wed 7 Apr"]
    assert {d["label"]: d["data"] for d in chart["datasets"]} == {
        "person": [4.0, 6.0], "vehicle": [2.0, 0.0],
    }  # fmt: skip
    filtered = viewer.get("/admin/reports/resourceutilisation/", {"kind": "vehicle"})
    assert [d["data"] for d in filtered.context["report_chart"]["datasets"]] == [[2.0]]
    assert 'canvas data-chart="resource-utilisation"' in filtered.content.decode()


@pytest.mark.parametrize(
    ("url", "role"),
    [
        ("/admin/reports/resourceutilisation/", "Viewer"),
        ("/admin/reports/stockdaily/", "Warehouse"),
        ("/admin/reports/orderthroughput/", "Operator"),
    ],
)
def test_a_report_page_reads_a_fixed_number_of_queries_whatever_the_rows(
    url, role, django_assert_max_num_queries
):
    client = staff_client(role)
    item, warehouse = ItemFactory(), WarehouseFactory()

    def add_rows(days: range) -> None:
        for n in days:
            starts = DAY + timedelta(days=n)
            allocate(
                project_id=ProjectFactory().pk,
                items=[AllocationItem(ResourceFactory().pk, starts, starts + timedelta(hours=3))],
                actor=None,
            )
            inventory.stock_receive(item_id=ItemFactory().pk, location_id=warehouse.pk,
                                    quantity=2, actor=None)  # fmt: skip
            orders.order_place(
                customer_reference=f"C-{n}",
                lines=[orders.LineRequest(item_id=item.pk, location_id=warehouse.pk,
                                          quantity=Decimal(1))],
                actor=None,
            )  # fmt: skip
        reports_refresh()

    add_rows(range(2))
    client.get(url)
    with django_assert_max_num_queries(REPORT_PAGE_QUERIES) as few:
        assert client.get(url).status_code == 200
    add_rows(range(2, 8))
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = client.get(url)
    assert page.context["cl"].result_count > 0


# The baseline: session and user, the report's refresh time, the list's rows and its
# count, the filters' choices, the chart's keys and sums, the roles, the portal's name.
REPORT_PAGE_QUERIES = 11
