"""The GraphQL schema, served over HTTP by gunicorn (/graphql/, views.py) and over the
websocket process for subscriptions (/ws/graphql/, consumers.py)."""

import strawberry
from django.conf import settings
from strawberry.extensions import (
    AddValidationRules,
    DisableIntrospection,
    MaxAliasesLimiter,
    SchemaExtension,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.types.graphql import OperationType
from strawberry_django.optimizer import DjangoOptimizerExtension

from apps.graph.limits import query_limits_rule
from apps.graph.mutations import Mutation
from apps.graph.queries import Query
from apps.graph.subscriptions import Subscription


class SubscriptionsOnlyOverSockets(SchemaExtension):
    """The websocket process runs subscriptions; queries and mutations go to /graphql/ over
    HTTP (where the web process's database connections and throttles are)."""

    def on_execute(self):
        context = self.execution_context
        operation = context.operation_type
        if isinstance(context.context, dict) and operation != OperationType.SUBSCRIPTION:
            raise ValueError("Send queries and mutations to /graphql/ over HTTP.")
        yield


def build_schema(*, introspection: bool | None = None) -> strawberry.Schema:
    if introspection is None:
        introspection = settings.GRAPHQL_INTROSPECTION
    limits = query_limits_rule(
        max_depth=settings.GRAPHQL_MAX_DEPTH,
        max_cost=settings.GRAPHQL_MAX_COST,
        max_page_size=settings.GRAPHQL_MAX_PAGE_SIZE,
    )
    extensions = [
        DjangoOptimizerExtension,
        lambda: MaxAliasesLimiter(max_alias_count=settings.GRAPHQL_MAX_ALIASES),
        lambda: AddValidationRules([limits]),
        SubscriptionsOnlyOverSockets,
    ]
    if not introspection:
        extensions.append(DisableIntrospection)
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        config=StrawberryConfig(relay_max_results=settings.GRAPHQL_MAX_PAGE_SIZE),
        extensions=extensions,
    )


schema = build_schema()
