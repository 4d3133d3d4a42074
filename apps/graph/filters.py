"""Filters and ordering of GraphQL lists: the REST API's own FilterSets and ordering fields.

Each list's filter input has exactly the parameters of the FilterSet its REST list uses
(camelCased; a test holds them equal), and is applied by that FilterSet, so a filter means
the same, and is refused for the same reasons, on both. `orderBy` takes the fields REST's
`ordering` takes; ties keep the list's own order, then the primary key, as on REST.
"""

import enum
from dataclasses import fields
from datetime import datetime

import strawberry
from django.db.models import QuerySet
from django.http import QueryDict
from graphql import GraphQLError

from apps.core.api.views import SystemSettingListView
from apps.eventlog.api.views import EventListView
from apps.inventory.api import views as inventory
from apps.inventory.choices import LocationKind, MovementKind, ReplenishmentStatus
from apps.orders.api.views import OrderListView
from apps.orders.choices import OrderStatus
from apps.platform.problems import flatten_errors
from apps.resources.api import views as resources
from apps.resources.choices import AllocationStatus, ResourceKind

BAD_USER_INPUT = "BAD_USER_INPUT"

ResourceKindEnum = strawberry.enum(ResourceKind, name="ResourceKind")
AllocationStatusEnum = strawberry.enum(AllocationStatus, name="AllocationStatus")
LocationKindEnum = strawberry.enum(LocationKind, name="LocationKind")
MovementKindEnum = strawberry.enum(MovementKind, name="MovementKind")
ReplenishmentStatusEnum = strawberry.enum(ReplenishmentStatus, name="ReplenishmentStatus")
OrderStatusEnum = strawberry.enum(OrderStatus, name="OrderStatus")


@strawberry.input
class SkillFilter:
    name: str | None = strawberry.UNSET


@strawberry.input
class ResourceFilter:
    name: str | None = strawberry.UNSET
    kind: list[ResourceKindEnum] | None = strawberry.UNSET
    skill: list[int] | None = strawberry.UNSET
    active: bool | None = strawberry.UNSET


@strawberry.input
class ProjectFilter:
    code: str | None = strawberry.UNSET
    name: str | None = strawberry.UNSET
    active: bool | None = strawberry.UNSET


@strawberry.input
class AllocationFilter:
    resource: list[int] | None = strawberry.UNSET
    project: list[int] | None = strawberry.UNSET
    status: list[AllocationStatusEnum] | None = strawberry.UNSET
    overlaps_from: datetime | None = strawberry.UNSET
    overlaps_to: datetime | None = strawberry.UNSET


@strawberry.input
class ItemFilter:
    sku: str | None = strawberry.UNSET
    name: str | None = strawberry.UNSET
    active: bool | None = strawberry.UNSET


@strawberry.input
class LocationFilter:
    kind: list[LocationKindEnum] | None = strawberry.UNSET
    parent: list[int] | None = strawberry.UNSET


@strawberry.input
class StockLevelFilter:
    item: list[int] | None = strawberry.UNSET
    location: list[int] | None = strawberry.UNSET
    below_reorder: bool | None = strawberry.UNSET


@strawberry.input
class StockMovementFilter:
    item: list[int] | None = strawberry.UNSET
    location: list[int] | None = strawberry.UNSET
    kind: list[MovementKindEnum] | None = strawberry.UNSET
    reference: str | None = strawberry.UNSET
    created_after: datetime | None = strawberry.UNSET
    created_before: datetime | None = strawberry.UNSET


@strawberry.input
class ReplenishmentFilter:
    status: list[ReplenishmentStatusEnum] | None = strawberry.UNSET
    item: list[int] | None = strawberry.UNSET
    location: list[int] | None = strawberry.UNSET


@strawberry.input
class OrderFilter:
    status: list[OrderStatusEnum] | None = strawberry.UNSET
    customer: str | None = strawberry.UNSET
    created_after: datetime | None = strawberry.UNSET
    created_before: datetime | None = strawberry.UNSET


@strawberry.input
class SystemSettingFilter:
    prefix: str | None = strawberry.UNSET
    updated_after: datetime | None = strawberry.UNSET


@strawberry.input
class EventFilter:
    type: str | None = strawberry.UNSET
    aggregate_type: str | None = strawberry.UNSET
    aggregate_id: str | None = strawberry.UNSET
    actor: str | None = strawberry.UNSET
    correlation_id: str | None = strawberry.UNSET
    since_position: int | None = strawberry.UNSET
    recorded_after: datetime | None = strawberry.UNSET
    recorded_before: datetime | None = strawberry.UNSET


def _ordering_enum(name: str, fields: tuple[str, ...]):
    return strawberry.enum(enum.Enum(name, {field.upper(): field for field in fields}))


class Listing:
    """One list as its REST view serves it: the view's FilterSet, ordering fields and own
    order (`default_order` where the view's depends on the request)."""

    def __init__(self, view, filter_input, *, default_order: tuple[str, ...] | None = None):
        self.filterset = view.filterset_class
        self.filter_input = filter_input
        self.ordering_fields = tuple(view.ordering_fields)
        self.default_order = default_order or tuple(view.pagination_ordering)
        name = filter_input.__name__.removesuffix("Filter") + "OrderField"
        self.order_field = _ordering_enum(name, self.ordering_fields)

    def apply(self, queryset: QuerySet, given, order_by=None, descending: bool = False):
        """`queryset` filtered by the FilterSet from the input `given`, in order."""
        if given:
            filterset = self.filterset(data=query_of(given), queryset=queryset)
            if not filterset.is_valid():
                errors = flatten_errors(filterset.errors)
                raise GraphQLError(
                    "; ".join(f"{name}: {' '.join(messages)}" for name, messages in errors.items()),
                    extensions={"code": BAD_USER_INPUT, "errors": errors},
                )
            queryset = filterset.qs
        return queryset.order_by(*self.ordering(order_by, descending, queryset.model))

    def ordering(self, order_by, descending: bool, model) -> tuple[str, ...]:
        pk = model._meta.pk.name
        ties = [*self.default_order, pk]
        if order_by is None:
            return tuple(dict.fromkeys(ties))
        field = order_by.value
        first = f"-{field}" if descending else field
        return (first, *dict.fromkeys(f for f in ties if f.lstrip("-") != field))


def query_of(given) -> QueryDict:
    """A filter input as the query parameters REST would have been sent."""
    query = QueryDict(mutable=True)
    for field in fields(given):
        value = getattr(given, field.name)
        if value is strawberry.UNSET or value is None:
            continue
        for one in value if isinstance(value, list) else [value]:
            query.appendlist(field.name, _parameter(one))
    return query


def _parameter(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return str(value.value)
    return str(value)


SKILLS = Listing(resources.SkillListView, SkillFilter)
RESOURCES = Listing(resources.ResourceListView, ResourceFilter)
PROJECTS = Listing(resources.ProjectListView, ProjectFilter)
ALLOCATIONS = Listing(resources.AllocationListView, AllocationFilter)
ITEMS = Listing(inventory.ItemListView, ItemFilter)
LOCATIONS = Listing(inventory.LocationListView, LocationFilter)
STOCK_LEVELS = Listing(inventory.StockLevelListView, StockLevelFilter)
MOVEMENTS = Listing(inventory.StockMovementListView, StockMovementFilter)
REPLENISHMENTS = Listing(inventory.ReplenishmentListView, ReplenishmentFilter)
ORDERS = Listing(OrderListView, OrderFilter)
SETTINGS = Listing(SystemSettingListView, SystemSettingFilter)
# REST reads the log newest first, or in commit order when resuming from a position.
EVENTS = Listing(EventListView, EventFilter, default_order=("-seq",))
