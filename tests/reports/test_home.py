"""The admin home: per role, each figure a link to the list it counts, charts that add up,
the figures its script reads on every live message, and a query count that does not grow
with the data."""

import json
import re
import zoneinfo
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from apps.inventory import services as inventory
from apps.orders.services import LineRequest, order_place
from apps.reports.selectors import home_overview
from apps.resources.services import AllocationItem, allocate
from tests.factories import UserFactory
from tests.inventory.factories import ItemFactory, WarehouseFactory
from tests.resources.factories import ProjectFactory, ResourceFactory

pytestmark = pytest.mark.django_db

HOME = "/admin/"


def staff(*roles) -> Client:
    client = Client()
    client.user = UserFactory(roles=list(roles), is_staff=True)
    client.force_login(client.user)
    return client


def config_of(response) -> dict:
    found = re.search(
        r'<script id="home-config" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    return json.loads(found.group(1))


def book(resource, *, at_hour: int = 8, hours: int = 2, project=None):
    """Book `resource` today from `at_hour`."""
    starts = timezone.make_aware(datetime.combine(timezone.localdate(), datetime.min.time()))
    starts += timedelta(hours=at_hour)
    return allocate(
        project_id=(project or ProjectFactory()).pk,
        items=[AllocationItem(resource_id=resource.pk, starts_at=starts,
                              ends_at=starts + timedelta(hours=hours))],
        actor=None,
    )  # fmt: skip


def low_level(*, on_hand="3", point="5"):
    item, warehouse = ItemFactory(unit_price=Decimal("2.50")), WarehouseFactory()
    inventory.stock_receive(item_id=item.pk, location_id=warehouse.pk, quantity=on_hand, actor=None)
    inventory.stock_thresholds_set(
        item_id=item.pk, location_id=warehouse.pk, reorder_point=point, reorder_qty="10", actor=None
    )
    return item, warehouse


@pytest.mark.parametrize(
    ("role", "sections"),
    [
        ("Admin", {"bookings", "stock", "orders", "operations"}),
        ("Operator", {"bookings", "stock", "orders"}),
        ("Warehouse", {"stock"}),
        ("Viewer", {"bookings", "stock", "orders"}),
        ("AuditViewer", set()),
    ],
)
def test_each_role_sees_the_figures_of_what_it_may_read(role, sections):
    response = staff(role).get(HOME)
    assert response.status_code == 200
    shown = {section.key for section in response.context["home_sections"]}
    assert shown == sections
    cards = config_of(response)["cards"]
    assert ("dead-letters" in cards) == ("operations" in sections)


def test_each_figure_links_to_the_filtered_list_it_counts():
    admin = staff("Admin")
    resource = ResourceFactory()
    book(resource)
    book(resource, at_hour=12)
    low_level()
    low_level(on_hand="9")  # above its point
    cards = config_of(admin.get(HOME))["cards"]
    assert cards["bookings-today"]["value"] == "2"
    for key in ("bookings-today", "bookings-week", "stock-below-reorder", "open-replenishments",
                "orders-placed", "dead-letters"):  # fmt: skip
        listed = admin.get(cards[key]["url"])
        assert listed.status_code == 200, key
        assert str(listed.context["cl"].result_count) == cards[key]["value"], key
    assert cards["stock-below-reorder"]["value"] == "1"
    assert cards["stock-below-reorder"]["alert"] is True


def test_the_figures_endpoint_answers_what_changed_since_the_page_was_drawn():
    keeper = staff("Warehouse")
    before = keeper.get("/admin/home/figures").json()["cards"]["stock-below-reorder"]["value"]
    low_level()
    after = keeper.get("/admin/home/figures")
    assert after["Cache-Control"].startswith("max-age=0") or "no-cache" in after["Cache-Control"]
    assert (before, after.json()["cards"]["stock-below-reorder"]["value"]) == ("0", "1")
    assert Client().get("/admin/home/figures").status_code == 302  # to the login page


def test_the_page_follows_the_topics_its_viewer_may_read():
    assert config_of(staff("Admin").get(HOME))["topics"] == [
        "allocations", "inventory", "orders", "audit",
    ]  # fmt: skip
    assert config_of(staff("Warehouse").get(HOME))["topics"] == ["inventory"]


def test_utilisation_counts_booked_hours_against_each_kinds_day():
    person, _idle = ResourceFactory(kind="person"), ResourceFactory(kind="person")
    vehicle = ResourceFactory(kind="vehicle")
    today = timezone.localdate()
    midnight = timezone.make_aware(datetime.combine(today, datetime.min.time()))
    for resource, hours in ((person, 12), (vehicle, 6)):
        allocate(
            project_id=ProjectFactory().pk,
            items=[AllocationItem(resource_id=resource.pk, starts_at=midnight,
                                  ends_at=midnight + timedelta(hours=hours))],
            actor=None,
        )  # fmt: skip
    bookings = home_overview(UserFactory(is_superuser=True)).bookings
    assert dict(bookings["utilisation_by_kind"]) == {"person": 0.25, "vehicle": 0.25}
    assert bookings["utilisation_today"] == pytest.approx(18 / 72)
    per_day = dict(bookings["per_day"])
    assert (per_day[today], per_day[today + timedelta(days=1)]) == (2, 0)


def test_a_day_is_the_viewers_day_even_when_the_clocks_change():
    # Berlin's clocks went back on 2026-10-25: that day had 25 hours.
    berlin = zoneinfo.ZoneInfo("Europe/Berlin")
    crane = ResourceFactory()
    starts = datetime(2026, 10, 25, 0, 0, tzinfo=berlin)
    allocate(
        project_id=ProjectFactory().pk,
        items=[AllocationItem(resource_id=crane.pk, starts_at=starts,
                              ends_at=datetime(2026, 10, 26, 0, 0, tzinfo=berlin))],
        actor=None,
    )  # fmt: skip
    bookings = home_overview(
        UserFactory(is_superuser=True), today=date(2026, 10, 25), zone=berlin
    ).bookings
    assert dict(bookings["utilisation_by_kind"])[crane.kind] == 1.0
    assert dict(bookings["per_day"])[date(2026, 10, 24)] == 0


def test_the_stock_value_trend_walks_back_from_todays_value():
    item, warehouse = ItemFactory(unit_price=Decimal("2.00")), WarehouseFactory()
    inventory.stock_receive(item_id=item.pk, location_id=warehouse.pk, quantity="10", actor=None)
    inventory.stock_issue(item_id=item.pk, location_id=warehouse.pk, quantity="4", actor=None)
    stock = home_overview(UserFactory(is_superuser=True)).stock
    assert stock["value"] == Decimal("12.00")
    trend = [value for _day, value in stock["value_trend"]]
    # Everything moved today: each earlier close was before any of it.
    assert trend[-1] == Decimal("12.00") and set(trend[:-1]) == {Decimal("0")}


def test_orders_are_counted_by_status_and_hour():
    item, warehouse = ItemFactory(), WarehouseFactory()
    inventory.stock_receive(item_id=item.pk, location_id=warehouse.pk, quantity="10", actor=None)
    for _ in range(3):
        order_place(
            customer_reference="C-1",
            lines=[LineRequest(item_id=item.pk, location_id=warehouse.pk, quantity=Decimal("1"))],
            actor=None,
        )
    orders = home_overview(UserFactory(is_superuser=True)).orders
    assert orders["by_status"]["placed"] == 3 and orders["open"] == 3
    assert orders["per_hour"][-1][1] == 3 and sum(n for _h, n in orders["per_hour"]) == 3


def test_the_home_page_reads_a_fixed_number_of_queries_whatever_the_data(
    django_assert_max_num_queries,
):
    admin = staff("Admin")
    admin.get(HOME)  # the session and permission caches, as on any later visit
    with django_assert_max_num_queries(HOME_QUERIES) as empty:
        admin.get(HOME)
    for _ in range(5):
        book(ResourceFactory(), project=ProjectFactory())
        low_level()
    with django_assert_max_num_queries(len(empty.captured_queries)):
        assert admin.get(HOME).status_code == 200


# The baseline: session and user, the socket's position, the figures (three of bookings,
# two of stock, two of orders, four of operations), the viewer's roles, the portal's name
# and the recent actions.
HOME_QUERIES = 17
