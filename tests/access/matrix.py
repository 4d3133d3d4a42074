"""Who may call what: the declared access table of the API and of the websocket topics.

Every operation of the API schema must be listed (a new endpoint that is not fails the
role-matrix test), with the roles that may call it; everyone else gets 403, and callers
without credentials 401. A superuser passes every check and is not listed.
"""

from apps.platform.roles import ADMIN, AUDIT_VIEWER, INTEGRATION, OPERATOR, VIEWER, WAREHOUSE

ANONYMOUS = "anonymous"

ADMIN_ONLY = frozenset({ADMIN})
PLANNERS = frozenset({ADMIN, OPERATOR})  # keep resources and book them
PLANNING_READERS = frozenset({ADMIN, OPERATOR, VIEWER})
HISTORY_READERS = frozenset({ADMIN, OPERATOR, VIEWER, AUDIT_VIEWER})
STOCK_KEEPERS = frozenset({ADMIN, WAREHOUSE})
STOCK_READERS = frozenset({ADMIN, OPERATOR, WAREHOUSE, VIEWER})
AUDITORS = frozenset({ADMIN, AUDIT_VIEWER})
ORDER_TAKERS = frozenset({ADMIN, OPERATOR, INTEGRATION})
ORDER_READERS = frozenset({ADMIN, OPERATOR, VIEWER, INTEGRATION})
SETTINGS_READERS = frozenset({ADMIN, VIEWER})
WEBHOOK_KEEPERS = frozenset({ADMIN, INTEGRATION})  # an integration keeps its own
EVERY_ROLE = frozenset({ADMIN, OPERATOR, WAREHOUSE, AUDIT_VIEWER, VIEWER, INTEGRATION})


def catalogue(path: str, *, readers: frozenset, keepers: frozenset) -> dict:
    """A reference-data collection and its items: list, create, read, replace, change, delete."""
    return {
        (f"{path}/", "GET"): readers,
        (f"{path}/", "POST"): keepers,
        (f"{path}/{{id}}/", "GET"): readers,
        (f"{path}/{{id}}/", "PUT"): keepers,
        (f"{path}/{{id}}/", "PATCH"): keepers,
        (f"{path}/{{id}}/", "DELETE"): keepers,
    }


API = "/api/v1"
API_ACCESS: dict[tuple[str, str], frozenset[str]] = {
    # System settings
    (f"{API}/settings/", "GET"): SETTINGS_READERS,
    (f"{API}/settings/{{key}}/", "GET"): SETTINGS_READERS,
    (f"{API}/settings/{{key}}/", "PUT"): ADMIN_ONLY,
    (f"{API}/settings/{{key}}/", "DELETE"): ADMIN_ONLY,
    # The audit log and the event backbone
    (f"{API}/events/", "GET"): AUDITORS,
    (f"{API}/events/", "POST"): frozenset({INTEGRATION}),
    (f"{API}/events/{{id}}/", "GET"): AUDITORS,
    (f"{API}/events/export/", "GET"): AUDITORS,
    (f"{API}/events/catalogue/", "GET"): EVERY_ROLE,
    (f"{API}/audit/verify/", "POST"): AUDITORS,  # what integrations receive
    (f"{API}/ops/dead-letters/", "GET"): ADMIN_ONLY,
    (f"{API}/ops/dead-letters/{{id}}/replay/", "POST"): ADMIN_ONLY,
    # Resources and bookings
    **catalogue(f"{API}/skills", readers=PLANNING_READERS, keepers=PLANNERS),
    **catalogue(f"{API}/resources", readers=PLANNING_READERS, keepers=PLANNERS),
    **catalogue(f"{API}/projects", readers=PLANNING_READERS, keepers=PLANNERS),
    (f"{API}/resources/availability/", "GET"): PLANNING_READERS,
    (f"{API}/projects/allocations/", "GET"): PLANNING_READERS,
    (f"{API}/allocate/", "POST"): PLANNERS,
    (f"{API}/match/", "POST"): PLANNING_READERS,  # planning; committing needs booking rights
    (f"{API}/allocations/", "GET"): PLANNING_READERS,
    (f"{API}/allocations/{{id}}/", "GET"): PLANNING_READERS,
    (f"{API}/allocations/{{id}}/cancel/", "POST"): PLANNERS,
    (f"{API}/audit/allocations/{{project_id}}/", "GET"): HISTORY_READERS,
    # Inventory
    **catalogue(f"{API}/items", readers=STOCK_READERS, keepers=STOCK_KEEPERS),
    **catalogue(f"{API}/locations", readers=STOCK_READERS, keepers=STOCK_KEEPERS),
    (f"{API}/stock/", "GET"): STOCK_READERS,
    (f"{API}/stock/movements/", "GET"): STOCK_READERS,
    (f"{API}/stock/receive/", "POST"): STOCK_KEEPERS,
    (f"{API}/stock/issue/", "POST"): STOCK_KEEPERS,
    (f"{API}/stock/adjust/", "POST"): STOCK_KEEPERS,
    (f"{API}/stock/transfer/", "POST"): STOCK_KEEPERS,
    (f"{API}/stock/thresholds/", "PUT"): STOCK_KEEPERS,
    (f"{API}/replenishments/", "GET"): STOCK_READERS,
    (f"{API}/replenishments/{{id}}/receive/", "POST"): STOCK_KEEPERS,
    (f"{API}/replenishments/{{id}}/cancel/", "POST"): STOCK_KEEPERS,
    # Orders
    (f"{API}/orders/", "GET"): ORDER_READERS,
    (f"{API}/orders/", "POST"): ORDER_TAKERS,
    (f"{API}/orders/{{id}}/", "GET"): ORDER_READERS,
    (f"{API}/orders/{{id}}/workflow/", "GET"): ORDER_READERS,
    (f"{API}/orders/{{id}}/cancel/", "POST"): PLANNERS,
    # Reports: for those who may read what they are made of
    (f"{API}/reports/resource-utilisation/", "GET"): PLANNING_READERS,
    (f"{API}/reports/stock-daily/", "GET"): STOCK_READERS,
    (f"{API}/reports/order-throughput/", "GET"): frozenset({ADMIN, OPERATOR, VIEWER}),
    # API tokens: everyone issues and revokes their own
    (f"{API}/tokens/", "GET"): EVERY_ROLE,
    (f"{API}/tokens/", "POST"): EVERY_ROLE,
    (f"{API}/tokens/{{id}}/revoke/", "POST"): EVERY_ROLE,
    # Webhooks
    (f"{API}/webhooks/endpoints/", "GET"): WEBHOOK_KEEPERS,
    (f"{API}/webhooks/endpoints/", "POST"): WEBHOOK_KEEPERS,
    (f"{API}/webhooks/endpoints/{{id}}/", "GET"): WEBHOOK_KEEPERS,
    (f"{API}/webhooks/endpoints/{{id}}/", "PATCH"): WEBHOOK_KEEPERS,
    (f"{API}/webhooks/endpoints/{{id}}/", "DELETE"): WEBHOOK_KEEPERS,
    (f"{API}/webhooks/endpoints/{{id}}/rotate-secret/", "POST"): WEBHOOK_KEEPERS,
    (f"{API}/webhooks/endpoints/{{id}}/test/", "POST"): WEBHOOK_KEEPERS,
    (f"{API}/webhooks/endpoints/{{id}}/replay/", "POST"): WEBHOOK_KEEPERS,
    (f"{API}/webhooks/endpoints/{{id}}/deliveries/", "GET"): WEBHOOK_KEEPERS,
}

# /ws/notify/ topics (project:<id> stands for every project's topic). Without an identity
# the socket is closed with 4401; a topic the roles do not allow is refused with an error.
TOPIC_ACCESS: dict[str, frozenset[str]] = {
    "allocations": PLANNING_READERS,
    "project:<id>": PLANNING_READERS,
    "inventory": frozenset({ADMIN, WAREHOUSE, VIEWER}),
    "orders": PLANNERS,
    "orders:mine": ORDER_TAKERS,
    "audit": AUDITORS,
}

# GraphQL (/graphql/ and /ws/graphql/): each root field with the roles that may use it,
# the same as the REST endpoint (or topic) for the same thing. Without credentials the
# request is a 401 problem; a role not listed gets a FORBIDDEN error.
GRAPHQL_ACCESS: dict[tuple[str, str], frozenset[str]] = {
    **{("query", field): PLANNING_READERS for field in (
        "skills", "skill", "resources", "resource", "projects", "project", "allocations",
        "allocation", "availability",
    )},
    **{("query", field): STOCK_READERS for field in (
        "items", "item", "locations", "location", "stockLevels", "stockMovements",
        "replenishments",
    )},
    ("query", "orders"): ORDER_READERS,
    ("query", "order"): ORDER_READERS,
    ("query", "events"): AUDITORS,
    ("query", "event"): AUDITORS,
    ("query", "settings"): SETTINGS_READERS,
    ("query", "setting"): SETTINGS_READERS,
    ("mutation", "book"): PLANNERS,
    ("mutation", "cancelBooking"): PLANNERS,
    ("mutation", "match"): PLANNING_READERS,  # planning; committing needs booking rights
    **{("mutation", field): STOCK_KEEPERS for field in (
        "receiveStock", "issueStock", "adjustStock", "transferStock", "reserveStock",
        "releaseStock",
    )},
    ("mutation", "placeOrder"): ORDER_TAKERS,
    ("mutation", "cancelOrder"): PLANNERS,
    # Subscriptions follow the websocket topics, with their roles.
    ("subscription", "allocations"): TOPIC_ACCESS["allocations"],
    ("subscription", "project"): TOPIC_ACCESS["project:<id>"],
    ("subscription", "inventory"): TOPIC_ACCESS["inventory"],
    ("subscription", "orders"): TOPIC_ACCESS["orders"],
    ("subscription", "myOrders"): TOPIC_ACCESS["orders:mine"],
    ("subscription", "audit"): TOPIC_ACCESS["audit"],
}  # fmt: skip
