"""No N+1: the heaviest screens read in a fixed number of queries, however many rows they
show (the optimizer joins and prefetches what the query selects)."""

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.graph.schema import schema
from apps.inventory import services as inventory
from apps.resources import services as resources
from apps.resources.services import AllocationItem
from tests.factories import UserFactory
from tests.inventory.factories import ItemFactory, WarehouseFactory
from tests.resources.factories import ProjectFactory, ResourceFactory, SkillFactory

pytestmark = pytest.mark.django_db

PROJECT_SCREEN = """query($id: Int!) {
  project(id: $id) {
    code name
    allocations(first: 100) {
      totalCount
      edges { node { id from to status note createdBy
                     resource { id name kind hourlyCost skills { name } } } }
    }
  }
}"""

ITEM_SCREEN = """query($id: Int!) {
  item(id: $id) {
    sku name
    levels(first: 20) {
      edges { node { onHand reserved available belowReorder location { code name } } }
    }
    movements(first: 50) {
      edges { node { kind quantity onHandAfter reference actor createdAt location { code } } }
    }
  }
}"""


def run(query: str, user, **variables) -> tuple[dict, int]:
    """The answer and how many queries it took (the user's permissions already read)."""
    user.has_perm("resources.view_project")  # fills the permission cache, as a request does
    context = SimpleNamespace(request=SimpleNamespace(user=user))
    with CaptureQueriesContext(connection) as captured:
        answer = schema.execute_sync(query, variable_values=variables, context_value=context)
    assert answer.errors is None, answer.errors
    return answer.data, len(captured.captured_queries)


def project_with_bookings(count: int):
    project = ProjectFactory()
    skill = SkillFactory()
    start = datetime(2027, 3, 1, tzinfo=UTC)
    items = [
        AllocationItem(ResourceFactory(skills=[skill]).pk, start, start + timedelta(hours=1))
        for _ in range(count)
    ]
    resources.allocate(project_id=project.pk, items=items, actor=UserFactory())
    return project


def test_a_project_with_100_bookings_and_their_resources_reads_in_as_many_queries_as_with_3():
    viewer = UserFactory(roles=["Viewer"])
    small, large = project_with_bookings(3), project_with_bookings(100)

    few, small_queries = run(PROJECT_SCREEN, viewer, id=small.pk)
    many, large_queries = run(PROJECT_SCREEN, viewer, id=large.pk)

    assert len(few["project"]["allocations"]["edges"]) == 3
    assert len(many["project"]["allocations"]["edges"]) == 100
    # The object, then one query per nested list level (a window per parent), whatever N.
    assert large_queries == small_queries == 3


def item_with_levels(levels: int, movements_each: int):
    item = ItemFactory()
    for _ in range(levels):
        location = WarehouseFactory()
        for _ in range(movements_each):
            inventory.stock_receive(
                item_id=item.pk, location_id=location.pk, quantity=1, actor=None
            )
    return item


def test_an_item_with_20_levels_and_its_last_50_movements_reads_in_as_many_queries_as_with_2():
    keeper = UserFactory(roles=["Warehouse"])
    small, large = item_with_levels(2, 1), item_with_levels(20, 3)

    few, small_queries = run(ITEM_SCREEN, keeper, id=small.pk)
    many, large_queries = run(ITEM_SCREEN, keeper, id=large.pk)

    assert len(few["item"]["levels"]["edges"]) == 2
    assert len(many["item"]["levels"]["edges"]) == 20
    assert len(many["item"]["movements"]["edges"]) == 50
    # The object, then one query per nested list level (a window per parent), whatever N.
    assert large_queries == small_queries == 3
