"""Mutations call the services REST and the admin call: each success, and each problem as a
typed result that writes nothing. Idempotency keys are honoured as the REST header is."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from apps.core.models import IdempotencyKey
from apps.inventory import services as inventory
from apps.inventory.models import Reservation, StockLevel, StockMovement
from apps.orders.models import Order
from apps.resources import services as resources
from apps.resources.models import Allocation
from apps.resources.services import AllocationItem
from tests.graph.conftest import error_codes
from tests.inventory.factories import ItemFactory, WarehouseFactory
from tests.resources.factories import ProjectFactory, ResourceFactory, SkillFactory

pytestmark = pytest.mark.django_db

BOOK = """mutation Book($project: Int!, $items: [BookingItem!]!, $key: String) {
  book(project: $project, items: $items, idempotencyKey: $key) {
    __typename
    ... on Booked { replayed allocations { id from to resource { id } } }
    ... on AllocationConflict {
      code message conflicts { item allocation resource project from to }
    }
    ... on ValidationFailed { code fields { field messages } }
    ... on Problem { code message }
  }
}"""


def slot(resource, hour=8, hours=2):
    start = datetime(2027, 3, 1, hour, tzinfo=UTC)
    end = start + timedelta(hours=hours)
    return {"resource": resource.pk, "from": start.isoformat(), "to": end.isoformat()}


def test_booking_several_resources_at_once(graphql_as):
    project, crane, van = ProjectFactory(), ResourceFactory(), ResourceFactory()

    answer = graphql_as("Operator").data(BOOK, project=project.pk, items=[slot(crane), slot(van)])

    booked = answer["book"]
    assert booked["__typename"] == "Booked" and booked["replayed"] is False
    assert [a["resource"]["id"] for a in booked["allocations"]] == [crane.pk, van.pk]
    assert Allocation.objects.filter(project=project).count() == 2


def test_a_booking_in_the_way_is_an_allocation_conflict_listing_it_and_nothing_is_booked(
    graphql_as,
):
    project, crane, van = ProjectFactory(), ResourceFactory(), ResourceFactory()
    start = datetime(2027, 3, 1, 9, tzinfo=UTC)
    existing = resources.allocate(
        project_id=project.pk, items=[AllocationItem(crane.pk, start, start + timedelta(hours=1))],
        actor=None,
    )[0]  # fmt: skip

    answer = graphql_as("Operator").data(BOOK, project=project.pk, items=[slot(van), slot(crane)])

    conflict = answer["book"]
    assert conflict["__typename"] == "AllocationConflict"
    assert conflict["code"] == "allocation-conflict"
    assert conflict["conflicts"] == [{
        "item": 1, "allocation": existing.pk, "resource": crane.pk, "project": project.pk,
        "from": "2027-03-01T09:00:00+00:00", "to": "2027-03-01T10:00:00+00:00",
    }]  # fmt: skip
    assert not Allocation.objects.filter(resource=van).exists()


def test_an_invalid_booking_names_its_fields(graphql_as):
    project, crane = ProjectFactory(), ResourceFactory()
    backwards = {**slot(crane), "to": "2027-03-01T07:00:00+00:00"}

    answer = graphql_as("Operator").data(BOOK, project=project.pk, items=[backwards])

    assert answer["book"]["__typename"] == "ValidationFailed"
    assert {f["field"] for f in answer["book"]["fields"]} == {"items.0.to"}
    assert not Allocation.objects.exists()


def test_the_same_idempotency_key_books_once_and_answers_the_first_result_again(graphql_as):
    project, crane = ProjectFactory(), ResourceFactory()
    graphql = graphql_as("Operator")

    first = graphql.data(BOOK, project=project.pk, items=[slot(crane)], key="plan-7")["book"]
    again = graphql.data(BOOK, project=project.pk, items=[slot(crane)], key="plan-7")["book"]
    other = graphql.data(BOOK, project=project.pk, items=[slot(crane, 14)], key="plan-7")["book"]

    assert first["__typename"] == again["__typename"] == "Booked"
    assert (first["replayed"], again["replayed"]) == (False, True)
    assert again["allocations"] == first["allocations"]
    assert other["__typename"] == "IdempotencyKeyReused"
    assert Allocation.objects.count() == 1


def test_a_key_used_on_rest_is_the_same_callers_key_on_graphql(graphql_as):
    """One claim per caller and key, whichever API it came through."""
    project, crane = ProjectFactory(), ResourceFactory()
    graphql = graphql_as("Operator")
    rest = graphql.client.post(
        "/api/v1/allocate/", {"project": project.pk, "items": [slot(crane)]}, format="json",
        HTTP_IDEMPOTENCY_KEY="shared-1",
    )  # fmt: skip
    assert rest.status_code == 201

    answer = graphql.data(BOOK, project=project.pk, items=[slot(crane)], key="shared-1")["book"]

    assert answer["__typename"] == "IdempotencyKeyReused"
    assert IdempotencyKey.objects.filter(key="shared-1").count() == 1


def test_cancelling_a_booking_and_one_that_does_not_exist(graphql_as):
    project, crane = ProjectFactory(), ResourceFactory()
    start = datetime(2027, 3, 1, 9, tzinfo=UTC)
    booking = resources.allocate(
        project_id=project.pk, items=[AllocationItem(crane.pk, start, start + timedelta(hours=1))],
        actor=None,
    )[0]  # fmt: skip
    cancel = """mutation($id: Int!) { cancelBooking(id: $id, reason: "weather") {
      __typename ... on BookingCancelled { allocation { status cancelReason } }
      ... on Problem { code } } }"""
    graphql = graphql_as("Operator")

    assert graphql.data(cancel, id=booking.pk)["cancelBooking"] == {
        "__typename": "BookingCancelled",
        "allocation": {"status": "CANCELLED", "cancelReason": "weather"},
    }
    missing = graphql.data(cancel, id=999999)["cancelBooking"]
    assert missing == {"__typename": "NotFound", "code": "not-found"}


MATCH = """mutation($demands: [Demand!]!, $commit: Boolean!, $project: Int) {
  match(demands: $demands, commit: $commit, project: $project) {
    __typename
    ... on MatchPlan {
      committed totalCost assignments { demand resource allocation } unassigned { demand }
    }
    ... on Problem { code }
  }
}"""


def test_match_plans_and_committing_books_the_plan(graphql_as):
    welding = SkillFactory(name="welding")
    welder = ResourceFactory(kind="person", skills=[welding], hourly_cost=Decimal("40.00"))
    demand = {"key": "weld-1", "kind": "PERSON", "skills": ["welding"],
              "from": "2027-03-01T08:00:00Z", "to": "2027-03-01T10:00:00Z"}  # fmt: skip
    project = ProjectFactory()

    plan = graphql_as("Viewer").data(MATCH, demands=[demand], commit=False)["match"]
    assert plan["__typename"] == "MatchPlan" and plan["committed"] is False
    assert plan["assignments"] == [{"demand": "weld-1", "resource": welder.pk, "allocation": None}]
    assert plan["totalCost"] == 80.0

    refused = graphql_as("Viewer")(MATCH, demands=[demand], commit=True, project=project.pk)
    assert error_codes(refused) == ["FORBIDDEN"]

    booked = graphql_as("Operator").data(MATCH, demands=[demand], commit=True, project=project.pk)
    allocation = booked["match"]["assignments"][0]["allocation"]
    assert Allocation.objects.get(pk=allocation).resource_id == welder.pk


STOCK = """
fragment Outcome on StockMoveResult {
  __typename
  ... on StockMoved { replayed movement { kind quantity onHandAfter } }
  ... on InsufficientStock { code shortages { item location requested available } }
  ... on ValidationFailed { fields { field } }
  ... on Problem { code }
}
mutation($item: Int!, $location: Int!, $quantity: Decimal!, $key: String) {
  receive: receiveStock(item: $item, location: $location, quantity: $quantity,
                        idempotencyKey: $key) { ...Outcome }
}
"""


def test_receiving_stock_once_per_key(graphql_as):
    item, shelf = ItemFactory(), WarehouseFactory()
    graphql = graphql_as("Warehouse")
    for replayed in (False, True):
        answer = graphql.data(STOCK, item=item.pk, location=shelf.pk, quantity="5", key="grn-1")
        assert answer["receive"] == {
            "__typename": "StockMoved", "replayed": replayed,
            "movement": {"kind": "RECEIPT", "quantity": "5.000", "onHandAfter": "5.000"},
        }  # fmt: skip
    assert StockLevel.objects.get(item=item).on_hand == 5


def test_issuing_more_than_is_available_is_insufficient_stock_and_moves_nothing(graphql_as):
    item, shelf = ItemFactory(), WarehouseFactory()
    inventory.stock_receive(item_id=item.pk, location_id=shelf.pk, quantity=2, actor=None)
    issue = """mutation($item: Int!, $location: Int!) {
      issueStock(item: $item, location: $location, quantity: "3") {
        __typename ... on InsufficientStock { shortages { item location requested available } }
      } }"""

    answer = graphql_as("Warehouse").data(issue, item=item.pk, location=shelf.pk)

    assert answer["issueStock"] == {
        "__typename": "InsufficientStock",
        "shortages": [
            {"item": item.pk, "location": shelf.pk, "requested": "3.000", "available": "2.000"}
        ],
    }
    assert StockMovement.objects.filter(kind="issue").count() == 0


def test_adjusting_needs_a_reason_and_transferring_moves_both_sides(graphql_as):
    item, north, south = ItemFactory(), WarehouseFactory(), WarehouseFactory()
    inventory.stock_receive(item_id=item.pk, location_id=north.pk, quantity=10, actor=None)
    graphql = graphql_as("Warehouse")

    adjusted = graphql.data(
        """mutation($item: Int!, $location: Int!) {
          adjustStock(item: $item, location: $location, quantity: "-1", reason: "  ") {
            __typename ... on ValidationFailed { fields { field } } } }""",
        item=item.pk, location=north.pk,
    )  # fmt: skip
    assert adjusted["adjustStock"] == {
        "__typename": "ValidationFailed", "fields": [{"field": "reason"}]
    }  # fmt: skip

    moved = graphql.data(
        """mutation($item: Int!, $from: Int!, $to: Int!) {
          transferStock(item: $item, source: $from, destination: $to, quantity: "4") {
            __typename ... on StockTransferred { out { onHandAfter } in { onHandAfter } } } }""",
        item=item.pk, **{"from": north.pk, "to": south.pk},
    )  # fmt: skip
    assert moved["transferStock"] == {
        "__typename": "StockTransferred",
        "out": {"onHandAfter": "6.000"},
        "in": {"onHandAfter": "4.000"},
    }


def test_reserving_is_all_or_nothing_and_lists_every_short_line_then_release(graphql_as):
    bolt, nut, shelf = ItemFactory(), ItemFactory(), WarehouseFactory()
    inventory.stock_receive(item_id=bolt.pk, location_id=shelf.pk, quantity=5, actor=None)
    inventory.stock_receive(item_id=nut.pk, location_id=shelf.pk, quantity=1, actor=None)
    reserve = """mutation($lines: [StockLineInput!]!) {
      reserveStock(lines: $lines, reference: "JOB-9") {
        __typename
        ... on StockReserved { reservations { item quantity status } }
        ... on InsufficientStock { shortages { item requested } } } }"""
    graphql = graphql_as("Warehouse")

    short = graphql.data(reserve, lines=[
        {"item": bolt.pk, "location": shelf.pk, "quantity": "9"},
        {"item": nut.pk, "location": shelf.pk, "quantity": "2"},
    ])["reserveStock"]  # fmt: skip
    assert short == {"__typename": "InsufficientStock", "shortages": [
        {"item": bolt.pk, "requested": "9.000"}, {"item": nut.pk, "requested": "2.000"},
    ]}  # fmt: skip
    assert not Reservation.objects.exists()

    reserved = graphql.data(reserve, lines=[
        {"item": bolt.pk, "location": shelf.pk, "quantity": "5"},
    ])["reserveStock"]  # fmt: skip
    assert reserved == {"__typename": "StockReserved", "reservations": [
        {"item": bolt.pk, "quantity": "5.000", "status": "active"},
    ]}  # fmt: skip

    released = graphql.data(
        'mutation { releaseStock(reference: "JOB-9") { ... on StockReleased { released } } }'
    )
    assert released == {"releaseStock": {"released": 1}}


PLACE = """mutation($lines: [StockLineInput!]!, $key: String!) {
  placeOrder(customerReference: "ACME-1", lines: $lines, idempotencyKey: $key) {
    __typename
    ... on OrderPlaced { replayed order { id number status total lines { sku quantity } } }
    ... on Problem { code }
  }
}"""


def test_an_order_is_placed_once_per_key_and_cancelled(graphql_as):
    item, shelf = ItemFactory(unit_price=Decimal("3.00")), WarehouseFactory()
    lines = [{"item": item.pk, "location": shelf.pk, "quantity": "2"}]
    placer = graphql_as("Integration")

    first = placer.data(PLACE, lines=lines, key="po-77")["placeOrder"]
    again = placer.data(PLACE, lines=lines, key="po-77")["placeOrder"]

    assert first["__typename"] == "OrderPlaced" and first["replayed"] is False
    assert again["replayed"] is True and again["order"]["id"] == first["order"]["id"]
    assert first["order"]["lines"] == [{"sku": item.sku, "quantity": "2.000"}]
    assert first["order"]["total"] == "6.00"
    assert Order.objects.count() == 1

    cancelled = graphql_as("Operator").data(
        """mutation($id: Int!) { cancelOrder(id: $id) {
          __typename ... on OrderCancelled { order { status } } } }""",
        id=first["order"]["id"],
    )
    assert cancelled["cancelOrder"] == {
        "__typename": "OrderCancelled", "order": {"status": "CANCELLED"}
    }  # fmt: skip


def test_placing_an_order_without_a_key_is_refused_by_the_schema(graphql_as):
    answer = graphql_as("Integration")(
        'mutation { placeOrder(customerReference: "X", lines: []) { __typename } }'
    )
    assert answer["errors"] and "idempotencyKey" in answer["errors"][0]["message"]
    assert not Order.objects.exists()


def test_an_invalid_key_is_refused_as_rest_refuses_it(graphql_as):
    item, shelf = ItemFactory(), WarehouseFactory()
    lines = [{"item": item.pk, "location": shelf.pk, "quantity": "1"}]
    answer = graphql_as("Integration").data(PLACE, lines=lines, key="no\nnewlines")
    assert answer["placeOrder"] == {
        "__typename": "ValidationFailed",
        "code": "invalid-idempotency-key",
    }
    assert not Order.objects.exists()
