"""Query: every list the REST API has, as a cursor connection with the same filters and
ordering, each one-item read, and the availability of resources. Each field needs the
permission its REST endpoint needs."""

import base64
from datetime import datetime, timedelta
from typing import Annotated
from uuid import UUID

import strawberry
import strawberry_django
from django.db.models import QuerySet
from django.http import QueryDict
from graphql import GraphQLError
from rest_framework.exceptions import ValidationError
from strawberry import relay
from strawberry_django.optimizer import optimize
from strawberry_django.relay import DjangoCursorConnection

from apps.core.models import SystemSetting
from apps.eventlog import selectors as eventlog
from apps.eventlog.models import Event
from apps.graph import filters as lists
from apps.graph.context import user_of
from apps.graph.filters import BAD_USER_INPUT, ResourceKindEnum
from apps.graph.permissions import requires
from apps.graph.types import (
    AllocationType,
    EventType,
    FreeSlotType,
    ItemType,
    LocationType,
    OrderType,
    ProjectType,
    ReplenishmentType,
    ResourceAvailabilityType,
    ResourceType,
    SkillType,
    StockLevelType,
    StockMovementType,
    SystemSettingType,
)
from apps.inventory import selectors as inventory
from apps.inventory.models import Item, Location
from apps.orders import selectors as orders
from apps.platform.api.validation import validated
from apps.platform.exceptions import NotFound
from apps.platform.problems import flatten_errors
from apps.resources import selectors as resources
from apps.resources.api.serializers import AvailabilityQuerySerializer
from apps.resources.models import Project, Resource, Skill


def _one(queryset: QuerySet, info: strawberry.Info, **lookup):
    return optimize(queryset.filter(**lookup), info).first()


def _bad_input(error: ValidationError) -> GraphQLError:
    errors = flatten_errors(error.detail)
    return GraphQLError(
        "; ".join(f"{name}: {' '.join(messages)}" for name, messages in errors.items()),
        extensions={"code": BAD_USER_INPUT, "errors": errors},
    )


@strawberry.type(name="ResourceAvailabilityEdge")
class AvailabilityEdge:
    cursor: str
    node: ResourceAvailabilityType


@strawberry.type(name="ResourceAvailabilityConnection")
class AvailabilityConnection:
    edges: list[AvailabilityEdge]
    page_info: relay.PageInfo


def _resource_cursor(resource_id: int) -> str:
    return base64.b64encode(f"resource:{resource_id}".encode()).decode()


def _after_resource(cursor: str | None) -> int:
    if cursor is None:
        return 0
    try:
        kind, _, number = base64.b64decode(cursor, validate=True).decode().partition(":")
        if kind == "resource" and number.isdigit():
            return int(number)
    except (ValueError, UnicodeDecodeError):
        pass
    raise GraphQLError("after: not a cursor of this list.", extensions={"code": BAD_USER_INPUT})


@strawberry.type
class Query:
    # --- Resources and bookings ---------------------------------------------------------

    @strawberry_django.connection(
        DjangoCursorConnection[SkillType], permission_classes=[requires("resources.view_skill")]
    )
    def skills(
        self,
        filters: lists.SkillFilter | None = None,
        order_by: lists.SKILLS.order_field | None = None,
        descending: bool = False,
    ) -> QuerySet[Skill]:
        return lists.SKILLS.apply(Skill.objects.all(), filters, order_by, descending)

    @strawberry_django.field(permission_classes=[requires("resources.view_skill")])
    def skill(self, info: strawberry.Info, id: int) -> SkillType | None:
        return _one(Skill.objects.all(), info, pk=id)

    @strawberry_django.connection(
        DjangoCursorConnection[ResourceType],
        permission_classes=[requires("resources.view_resource")],
    )
    def resources(
        self,
        filters: lists.ResourceFilter | None = None,
        order_by: lists.RESOURCES.order_field | None = None,
        descending: bool = False,
    ) -> QuerySet[Resource]:
        return lists.RESOURCES.apply(Resource.objects.all(), filters, order_by, descending)

    @strawberry_django.field(permission_classes=[requires("resources.view_resource")])
    def resource(self, info: strawberry.Info, id: int) -> ResourceType | None:
        return _one(Resource.objects.all(), info, pk=id)

    @strawberry_django.connection(
        DjangoCursorConnection[ProjectType],
        permission_classes=[requires("resources.view_project")],
    )
    def projects(
        self,
        filters: lists.ProjectFilter | None = None,
        order_by: lists.PROJECTS.order_field | None = None,
        descending: bool = False,
    ) -> QuerySet[Project]:
        return lists.PROJECTS.apply(Project.objects.all(), filters, order_by, descending)

    @strawberry_django.field(permission_classes=[requires("resources.view_project")])
    def project(self, info: strawberry.Info, id: int) -> ProjectType | None:
        return _one(Project.objects.all(), info, pk=id)

    @strawberry_django.connection(
        DjangoCursorConnection[AllocationType],
        permission_classes=[requires("resources.view_allocation")],
    )
    def allocations(
        self,
        filters: lists.AllocationFilter | None = None,
        order_by: lists.ALLOCATIONS.order_field | None = None,
        descending: bool = False,
    ) -> QuerySet:
        return lists.ALLOCATIONS.apply(resources.allocation_list(), filters, order_by, descending)

    @strawberry_django.field(permission_classes=[requires("resources.view_allocation")])
    def allocation(self, info: strawberry.Info, id: int) -> AllocationType | None:
        return _one(resources.allocation_list(), info, pk=id)

    @strawberry.field(
        permission_classes=[requires("resources.view_resource")],
        description="Free slots per active resource within a window (at most 31 days), "
        "resources by id; as GET /api/v1/resources/availability/.",
    )
    def availability(
        self,
        from_: Annotated[datetime, strawberry.argument(name="from")],
        to: datetime,
        resources_: Annotated[list[int] | None, strawberry.argument(name="resources")] = None,
        kind: ResourceKindEnum | None = None,
        skills: Annotated[
            list[str] | None,
            strawberry.argument(description="Skill ids or names: resources with all of them."),
        ] = None,
        min_duration: Annotated[
            str | None, strawberry.argument(description="The shortest slot, e.g. 01:30:00.")
        ] = None,
        working_hours: bool = False,
        first: int = 50,
        after: str | None = None,
    ) -> AvailabilityConnection:
        query = QueryDict(mutable=True)
        query.update({"from": from_.isoformat(), "to": to.isoformat()})
        query["working_hours"] = "true" if working_hours else "false"
        if resources_:
            query["resources"] = ",".join(str(pk) for pk in resources_)
        if kind is not None:
            query["kind"] = kind.value
        if skills:
            query["skill"] = ",".join(skills)
        if min_duration is not None:
            query["min_duration"] = min_duration
        try:
            asked = validated(AvailabilityQuerySerializer, query)
        except ValidationError as error:
            raise _bad_input(error) from None
        if not 1 <= first <= 100:
            raise GraphQLError("first: 1 to 100.", extensions={"code": BAD_USER_INPUT})
        skill_ids = resources.skill_ids_by_field({"skill": asked.get("skill", [])})["skill"]
        page = list(
            resources.resources_matching(
                ids=asked.get("resources"), kind=asked.get("kind"), skills=skill_ids
            )
            .filter(active=True, pk__gt=_after_resource(after))
            .prefetch_related("skills")
            .order_by("id")[: first + 1]
        )
        more, page = len(page) > first, page[:first]
        slots = resources.free_slots(
            resource_ids=[resource.pk for resource in page],
            starts_at=asked["from"],
            ends_at=asked["to"],
            min_duration=asked.get("min_duration") or timedelta(0),
            working_hours=asked["working_hours"],
        )
        edges = [
            AvailabilityEdge(
                cursor=_resource_cursor(resource.pk),
                node=ResourceAvailabilityType(
                    resource=resource,
                    slots=[FreeSlotType(from_=s["from"], to=s["to"]) for s in slots[resource.pk]],
                ),
            )
            for resource in page
        ]
        return AvailabilityConnection(
            edges=edges,
            page_info=relay.PageInfo(
                has_next_page=more,
                has_previous_page=after is not None,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=edges[-1].cursor if edges else None,
            ),
        )

    # --- Inventory ----------------------------------------------------------------------

    @strawberry_django.connection(
        DjangoCursorConnection[ItemType], permission_classes=[requires("inventory.view_item")]
    )
    def items(
        self,
        filters: lists.ItemFilter | None = None,
        order_by: lists.ITEMS.order_field | None = None,
        descending: bool = False,
    ) -> QuerySet[Item]:
        return lists.ITEMS.apply(Item.objects.all(), filters, order_by, descending)

    @strawberry_django.field(permission_classes=[requires("inventory.view_item")])
    def item(self, info: strawberry.Info, id: int) -> ItemType | None:
        return _one(Item.objects.all(), info, pk=id)

    @strawberry_django.connection(
        DjangoCursorConnection[LocationType],
        permission_classes=[requires("inventory.view_location")],
    )
    def locations(
        self,
        filters: lists.LocationFilter | None = None,
        order_by: lists.LOCATIONS.order_field | None = None,
        descending: bool = False,
    ) -> QuerySet[Location]:
        return lists.LOCATIONS.apply(Location.objects.all(), filters, order_by, descending)

    @strawberry_django.field(permission_classes=[requires("inventory.view_location")])
    def location(self, info: strawberry.Info, id: int) -> LocationType | None:
        return _one(Location.objects.all(), info, pk=id)

    @strawberry_django.connection(
        DjangoCursorConnection[StockLevelType],
        permission_classes=[requires("inventory.view_stocklevel")],
    )
    def stock_levels(
        self,
        filters: lists.StockLevelFilter | None = None,
        order_by: lists.STOCK_LEVELS.order_field | None = None,
        descending: bool = False,
    ) -> QuerySet:
        return lists.STOCK_LEVELS.apply(inventory.stock_level_list(), filters, order_by, descending)

    @strawberry_django.connection(
        DjangoCursorConnection[StockMovementType],
        permission_classes=[requires("inventory.view_stockmovement")],
    )
    def stock_movements(
        self,
        filters: lists.StockMovementFilter | None = None,
        order_by: lists.MOVEMENTS.order_field | None = None,
        descending: bool = False,
    ) -> QuerySet:
        return lists.MOVEMENTS.apply(inventory.movement_list(), filters, order_by, descending)

    @strawberry_django.connection(
        DjangoCursorConnection[ReplenishmentType],
        permission_classes=[requires("inventory.view_replenishment")],
    )
    def replenishments(
        self,
        filters: lists.ReplenishmentFilter | None = None,
        order_by: lists.REPLENISHMENTS.order_field | None = None,
        descending: bool = False,
    ) -> QuerySet:
        return lists.REPLENISHMENTS.apply(
            inventory.replenishment_list(), filters, order_by, descending
        )

    # --- Orders -------------------------------------------------------------------------

    @strawberry_django.connection(
        DjangoCursorConnection[OrderType], permission_classes=[requires("orders.view_order")]
    )
    def orders(
        self,
        info: strawberry.Info,
        filters: lists.OrderFilter | None = None,
        order_by: lists.ORDERS.order_field | None = None,
        descending: bool = False,
    ) -> QuerySet:
        return lists.ORDERS.apply(orders.order_list(user_of(info)), filters, order_by, descending)

    @strawberry_django.field(permission_classes=[requires("orders.view_order")])
    def order(self, info: strawberry.Info, id: int) -> OrderType | None:
        return _one(orders.order_list(user_of(info)), info, pk=id)

    # --- The log and the settings -------------------------------------------------------

    @strawberry_django.connection(
        DjangoCursorConnection[EventType], permission_classes=[requires("eventlog.view_event")]
    )
    def events(
        self,
        filters: lists.EventFilter | None = None,
        order_by: lists.EVENTS.order_field | None = None,
        descending: bool = False,
    ) -> QuerySet[Event]:
        events = lists.EVENTS.apply(eventlog.event_list(), filters, order_by, descending)
        if order_by is None and filters and filters.since_position not in (None, strawberry.UNSET):
            return events.order_by("position")  # resuming reads forwards, in commit order
        return events

    @strawberry_django.field(permission_classes=[requires("eventlog.view_event")])
    def event(self, info: strawberry.Info, id: UUID) -> EventType | None:
        try:
            return eventlog.event_get(event_id=id)
        except NotFound:
            return None

    @strawberry_django.connection(
        DjangoCursorConnection[SystemSettingType],
        permission_classes=[requires("core.view_systemsetting")],
    )
    def settings(
        self,
        filters: lists.SystemSettingFilter | None = None,
        order_by: lists.SETTINGS.order_field | None = None,
        descending: bool = False,
    ) -> QuerySet[SystemSetting]:
        return lists.SETTINGS.apply(SystemSetting.objects.all(), filters, order_by, descending)

    @strawberry_django.field(permission_classes=[requires("core.view_systemsetting")])
    def setting(self, info: strawberry.Info, key: str) -> SystemSettingType | None:
        return _one(SystemSetting.objects.all(), info, key=key)
