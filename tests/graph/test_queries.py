"""Queries: the REST API's resources in one round trip, with the same filters, ordering and
cursor pagination, and the same refusals of bad filter values."""

from dataclasses import fields
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from apps.graph import filters as lists
from apps.inventory import services as inventory
from apps.resources import services as resources
from apps.resources.services import AllocationItem
from tests.factories import UserFactory
from tests.graph.conftest import error_codes
from tests.inventory.factories import ItemFactory, WarehouseFactory
from tests.resources.factories import ProjectFactory, ResourceFactory, SkillFactory

pytestmark = pytest.mark.django_db

MONDAY = datetime(2027, 3, 1, 8, tzinfo=UTC)


def book(project, resource, start, hours=2, actor=None):
    return resources.allocate(
        project_id=project.pk,
        items=[AllocationItem(resource.pk, start, start + timedelta(hours=hours))],
        actor=actor,
    )[0]


def test_a_project_screen_is_one_request_with_bookings_and_their_resources(graphql_as):
    project = ProjectFactory(code="PUMP-7", name="Pump overhaul")
    welder = ResourceFactory(name="Anna", kind="person", skills=[SkillFactory(name="welding")])
    booking = book(project, welder, MONDAY, actor=UserFactory(username="planner"))

    data = graphql_as("Viewer").data(
        """query Screen($id: Int!) {
          project(id: $id) {
            code name
            allocations(first: 10) {
              totalCount
              edges { node { id from to status createdBy resource { name kind skills { name } } } }
            }
          }
        }""",
        id=project.pk,
    )

    assert data["project"] == {
        "code": "PUMP-7",
        "name": "Pump overhaul",
        "allocations": {
            "totalCount": 1,
            "edges": [{"node": {
                "id": booking.pk, "from": "2027-03-01T08:00:00+00:00",
                "to": "2027-03-01T10:00:00+00:00", "status": "BOOKED", "createdBy": "planner",
                "resource": {"name": "Anna", "kind": "PERSON", "skills": [{"name": "welding"}]},
            }}],
        },
    }  # fmt: skip


def test_an_id_that_exists_nowhere_reads_as_null(graphql_as):
    data = graphql_as("Viewer").data("{ project(id: 999999) { id } resource(id: 999999) { id } }")
    assert data == {"project": None, "resource": None}


def test_lists_page_by_cursor_and_say_where_they_end(graphql_as):
    projects = [ProjectFactory() for _ in range(5)]
    graphql = graphql_as("Viewer")
    page = """query Page($after: String) {
      projects(first: 2, after: $after) {
        totalCount edges { node { id } } pageInfo { hasNextPage endCursor }
      }
    }"""

    seen, after = [], None
    while True:
        answer = graphql.data(page, after=after)["projects"]
        assert answer["totalCount"] == 5
        seen += [edge["node"]["id"] for edge in answer["edges"]]
        if not answer["pageInfo"]["hasNextPage"]:
            break
        after = answer["pageInfo"]["endCursor"]

    assert seen == [project.pk for project in projects]  # the REST list's own order: by id


def test_a_page_larger_than_allowed_is_refused(graphql_as):
    answer = graphql_as("Viewer")("{ projects(first: 101) { edges { node { id } } } }")
    assert answer["data"] is None
    assert "100" in answer["errors"][0]["message"]


def test_filters_mean_what_they_mean_on_rest_multiple_values_included(graphql_as):
    project, other = ProjectFactory(), ProjectFactory()
    crane, van = ResourceFactory(), ResourceFactory()
    kept = book(project, crane, MONDAY)
    cancelled = book(project, van, MONDAY)
    resources.allocation_cancel(allocation_id=cancelled.pk, actor=None)
    book(other, crane, MONDAY + timedelta(days=1))
    graphql = graphql_as("Viewer")
    query = """query Bookings($filters: AllocationFilter) {
      allocations(filters: $filters) { edges { node { id } } }
    }"""

    def ids(**filters):
        edges = graphql.data(query, filters=filters)["allocations"]["edges"]
        return {edge["node"]["id"] for edge in edges}

    assert ids(project=[project.pk], status=["BOOKED"]) == {kept.pk}
    assert ids(project=[project.pk], status=["BOOKED", "CANCELLED"]) == {kept.pk, cancelled.pk}
    assert ids(
        overlapsFrom="2027-03-01T09:00:00Z", overlapsTo="2027-03-01T09:30:00Z", resource=[crane.pk]
    ) == {kept.pk}


def test_a_filter_value_rest_refuses_is_refused_with_the_same_reason(graphql_as):
    answer = graphql_as("Viewer")(
        "{ allocations(filters: {resource: [0]}) { edges { node { id } } } }"
    )
    assert error_codes(answer) == ["BAD_USER_INPUT"]
    assert "resource" in answer["errors"][0]["extensions"]["errors"]


def test_ordering_takes_the_rest_fields_and_a_direction(graphql_as):
    cheap = ResourceFactory(hourly_cost=Decimal("10.00"))
    dear = ResourceFactory(hourly_cost=Decimal("90.00"))
    middle = ResourceFactory(hourly_cost=Decimal("50.00"))
    data = graphql_as("Viewer").data(
        "{ resources(orderBy: HOURLY_COST, descending: true) { edges { node { id hourlyCost } } } }"
    )
    assert [edge["node"]["id"] for edge in data["resources"]["edges"]] == [
        dear.pk, middle.pk, cheap.pk
    ]  # fmt: skip
    assert data["resources"]["edges"][0]["node"]["hourlyCost"] == "90.00"


def test_an_item_screen_has_its_levels_and_its_ledger(graphql_as):
    item = ItemFactory(sku="BOLT-M8")
    north, south = WarehouseFactory(code="N"), WarehouseFactory(code="S")
    inventory.stock_receive(item_id=item.pk, location_id=north.pk, quantity=10, actor=None)
    inventory.stock_receive(item_id=item.pk, location_id=south.pk, quantity=4, actor=None)
    inventory.stock_issue(item_id=item.pk, location_id=north.pk, quantity=3, actor=None)

    data = graphql_as("Warehouse").data(
        """query Item($id: Int!) {
          item(id: $id) {
            sku
            levels(first: 20) { edges { node { onHand available location { code } } } }
            movements(first: 50) { edges { node { kind quantity onHandAfter location { code } } } }
          }
        }""",
        id=item.pk,
    )["item"]

    levels = {
        e["node"]["location"]["code"]: e["node"]["available"] for e in data["levels"]["edges"]
    }
    assert levels == {"N": "7.000", "S": "4.000"}
    assert [
        (e["node"]["kind"], e["node"]["location"]["code"], e["node"]["onHandAfter"])
        for e in data["movements"]["edges"]
    ] == [("ISSUE", "N", "7.000"), ("RECEIPT", "S", "4.000"), ("RECEIPT", "N", "10.000")]


def test_free_slots_are_the_gaps_between_bookings(graphql_as):
    crane = ResourceFactory(name="Crane")
    book(ProjectFactory(), crane, MONDAY + timedelta(hours=2))
    data = graphql_as("Viewer").data(
        """{ availability(from: "2027-03-01T08:00:00Z", to: "2027-03-01T14:00:00Z") {
             edges { node { resource { name } slots { from to } } } } }"""
    )
    assert data["availability"]["edges"] == [{"node": {
        "resource": {"name": "Crane"},
        "slots": [
            {"from": "2027-03-01T08:00:00+00:00", "to": "2027-03-01T10:00:00+00:00"},
            {"from": "2027-03-01T12:00:00+00:00", "to": "2027-03-01T14:00:00+00:00"},
        ],
    }}]  # fmt: skip


def test_an_integration_sees_only_the_orders_it_placed(graphql_as, client_as):
    from apps.orders import services as orders

    item, warehouse = ItemFactory(), WarehouseFactory()
    line = [orders.LineRequest(item.pk, warehouse.pk, Decimal(1))]
    integration = graphql_as("Integration")
    mine = orders.order_place(customer_reference="MINE", lines=line, actor=integration.user)
    orders.order_place(customer_reference="THEIRS", lines=line, actor=UserFactory())

    data = integration.data("{ orders { edges { node { id customerReference lines { sku } } } } }")

    assert data["orders"]["edges"] == [
        {"node": {"id": mine.pk, "customerReference": "MINE", "lines": [{"sku": item.sku}]}}
    ]


def test_events_carry_their_public_payload_and_none_for_what_never_leaves(graphql_as):
    project = ProjectFactory()
    book(project, ResourceFactory(), MONDAY)
    data = graphql_as("AuditViewer").data(
        """{ events(first: 100) { edges { node { type aggregateType payload } } } }"""
    )
    by_type = {e["node"]["type"]: e["node"]["payload"] for e in data["events"]["edges"]}
    assert by_type["resources.allocation.created"]["project_id"] == project.pk
    assert by_type["accounts.token.issued"] is None  # the caller's own token: portal only


def test_settings_read_as_rest_lists_them(graphql_as):
    from apps.core import services as core

    core.system_setting_set(key="orders.max_lines", value=40, description="", actor=None)
    data = graphql_as("Viewer").data(
        '{ settings(filters: {prefix: "orders."}) { edges { node { key value } } }'
        ' setting(key: "orders.max_lines") { value } }'
    )
    assert data["settings"]["edges"] == [{"node": {"key": "orders.max_lines", "value": 40}}]
    assert data["setting"] == {"value": 40}


@pytest.mark.parametrize(
    "listing",
    [pytest.param(value, id=name) for name, value in vars(lists).items()
     if isinstance(value, lists.Listing)],
)  # fmt: skip
def test_each_filter_input_has_exactly_the_parameters_of_its_rest_filterset(listing):
    assert {field.name for field in fields(listing.filter_input)} == set(
        listing.filterset.base_filters
    )


def test_an_order_shows_its_workflow_and_a_relation_another_role_guards_is_null(graphql_as):
    from apps.orders import services as orders

    item, warehouse = ItemFactory(), WarehouseFactory()
    integration = graphql_as("Integration")
    order = orders.order_place(
        customer_reference="WF-1",
        lines=[orders.LineRequest(item.pk, warehouse.pk, Decimal(1))],
        actor=integration.user,
    )

    answer = integration(
        """query($id: Int!) { order(id: $id) {
             workflow { type deliveries { subscriber state } }
             lines { itemId sku item { sku } } } }""",
        id=order.pk,
    )

    workflow = answer["data"]["order"]["workflow"]
    assert workflow[0]["type"] == "orders.order.placed"
    assert {d["state"] for d in workflow[0]["deliveries"]} == {"pending"}
    # Integration may read its orders, not the stock catalogue: the line says which item,
    # the item itself is refused.
    assert answer["data"]["order"]["lines"] == [{"itemId": item.pk, "sku": item.sku, "item": None}]
    assert error_codes(answer) == ["FORBIDDEN"]
    assert answer["errors"][0]["path"] == ["order", "lines", 0, "item"]
