"""Subscription: the live stream the websocket topics follow (the sealed log, in position
order), one field per topic with the topic's roles (realtime.topics), resumable from a
position: give `afterPosition` the last position seen, and what was missed is sent first
(or a `resync` message when it is more than is replayed: reload, then go on from there)."""

from collections.abc import AsyncGenerator
from datetime import datetime
from typing import Annotated
from uuid import UUID

import strawberry
from channels.db import database_sync_to_async
from graphql import GraphQLError
from strawberry.scalars import JSON

from apps.graph.context import user_of
from apps.graph.permissions import FORBIDDEN
from apps.realtime import following, topics
from apps.resources.models import Project

NOT_FOUND = "NOT_FOUND"
AfterPosition = Annotated[
    int | None,
    strawberry.argument(description="The last position seen: what came after it is sent first."),
]


@strawberry.type(name="LiveMessage")
class LiveMessage:
    type: str = strawberry.field(
        description="The message type, as /ws/notify/ names it (allocationCreated, ...), or resync."
    )
    position: int
    event_id: UUID | None
    occurred_at: datetime | None
    version: int | None
    data: JSON | None = strawberry.field(
        description="The event's public payload (on audit: the event as the log holds it)."
    )


def _message(message: dict) -> LiveMessage:
    occurred_at = message.get("occurred_at")
    return LiveMessage(
        type=message["type"],
        position=message["position"],
        event_id=message.get("event_id"),
        occurred_at=datetime.fromisoformat(occurred_at) if occurred_at else None,
        version=message.get("version"),
        data=message.get("data"),
    )


@database_sync_to_async
def _may_follow(user, topic: str) -> str | None:
    """Why `user` may not follow `topic`, or None."""
    roles = frozenset(user.groups.values_list("name", flat=True))
    if not topics.may_read(roles, superuser=user.is_superuser, topic=topic):
        return FORBIDDEN
    project_id = topics.project_id_of(topic)
    if project_id is not None and not Project.objects.filter(pk=project_id).exists():
        return NOT_FOUND
    return None


async def _follow(info: strawberry.Info, topic: str, after: int | None):
    user = user_of(info)
    refusal = await _may_follow(user, topic)
    if refusal == FORBIDDEN:
        raise GraphQLError(
            f"Your roles do not allow reading {topic!r}.", extensions={"code": FORBIDDEN}
        )
    if refusal == NOT_FOUND:
        raise GraphQLError(f"There is no {topic!r}.", extensions={"code": NOT_FOUND})
    if after is not None and after < 0:
        raise GraphQLError(
            "afterPosition: a position, 0 or more.", extensions={"code": "BAD_USER_INPUT"}
        )
    async with following.Following(
        user_id=user.pk,
        subscribed={topic},
        after=after,
        still_allowed=info.context["still_allowed"],
    ) as joined:
        messages = joined.messages()
        try:
            async for message in messages:
                if message is not None:  # a heartbeat: the connection keeps itself alive
                    yield _message(message)
        finally:
            await messages.aclose()


@strawberry.type
class Subscription:
    @strawberry.subscription(description="Bookings made and cancelled (the allocations topic).")
    async def allocations(
        self, info: strawberry.Info, after_position: AfterPosition = None
    ) -> AsyncGenerator[LiveMessage, None]:
        async for message in _follow(info, topics.ALLOCATIONS, after_position):
            yield message

    @strawberry.subscription(description="One project's bookings.")
    async def project(
        self, info: strawberry.Info, id: int, after_position: AfterPosition = None
    ) -> AsyncGenerator[LiveMessage, None]:
        async for message in _follow(info, topics.project_topic(id), after_position):
            yield message

    @strawberry.subscription(description="Stock movements, low stock and replenishments.")
    async def inventory(
        self, info: strawberry.Info, after_position: AfterPosition = None
    ) -> AsyncGenerator[LiveMessage, None]:
        async for message in _follow(info, topics.INVENTORY, after_position):
            yield message

    @strawberry.subscription(description="Every order's progress.")
    async def orders(
        self, info: strawberry.Info, after_position: AfterPosition = None
    ) -> AsyncGenerator[LiveMessage, None]:
        async for message in _follow(info, topics.ORDERS, after_position):
            yield message

    @strawberry.subscription(description="The progress of the orders the caller placed.")
    async def my_orders(
        self, info: strawberry.Info, after_position: AfterPosition = None
    ) -> AsyncGenerator[LiveMessage, None]:
        async for message in _follow(info, topics.MY_ORDERS, after_position):
            yield message

    @strawberry.subscription(description="Every event of the log, as auditors see it.")
    async def audit(
        self, info: strawberry.Info, after_position: AfterPosition = None
    ) -> AsyncGenerator[LiveMessage, None]:
        async for message in _follow(info, topics.AUDIT, after_position):
            yield message
