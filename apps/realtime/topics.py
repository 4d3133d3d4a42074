"""The topics a websocket client may subscribe to, and the roles that may read each.

This table is the single statement of websocket access; the role matrix test walks it.
"""

import re

from apps.platform import roles

ALLOCATIONS = "allocations"
INVENTORY = "inventory"
ORDERS = "orders"
# The caller's own orders (the ones it placed), whoever it is.
MY_ORDERS = "orders:mine"
AUDIT = "audit"
PROJECT_PREFIX = "project:"

TOPIC_ROLES: dict[str, frozenset[str]] = {
    ALLOCATIONS: frozenset({roles.ADMIN, roles.OPERATOR, roles.VIEWER}),
    INVENTORY: frozenset({roles.ADMIN, roles.WAREHOUSE, roles.VIEWER}),
    ORDERS: frozenset({roles.ADMIN, roles.OPERATOR}),
    MY_ORDERS: frozenset({roles.ADMIN, roles.OPERATOR, roles.INTEGRATION}),
    AUDIT: frozenset({roles.ADMIN, roles.AUDIT_VIEWER}),
    # project:<id>: one project's bookings.
    PROJECT_PREFIX: frozenset({roles.ADMIN, roles.OPERATOR, roles.VIEWER}),
}

_PROJECT_TOPIC = re.compile(r"^project:([1-9][0-9]{0,17})$")


def project_topic(project_id: int) -> str:
    return f"{PROJECT_PREFIX}{project_id}"


def kind_of(topic: str) -> str:
    """The topic as a metric label: one label for every project's topic."""
    return "project" if topic.startswith(PROJECT_PREFIX) else topic


def project_id_of(topic: str) -> int | None:
    """The project id of a well-formed `project:<id>` topic, else None."""
    match = _PROJECT_TOPIC.match(topic)
    return int(match.group(1)) if match else None


def topic_key(topic: str) -> str | None:
    """The TOPIC_ROLES key that governs `topic`, or None for an unknown topic."""
    if topic in TOPIC_ROLES and topic != PROJECT_PREFIX:
        return topic
    if project_id_of(topic) is not None:
        return PROJECT_PREFIX
    return None


def template_key(template: str) -> str | None:
    """The TOPIC_ROLES key of a topic as events declare it: `project:{project_id}` stands
    for every project's topic."""
    key = template.split("{", 1)[0]
    return key if key in TOPIC_ROLES else None


def may_read(user_roles: frozenset[str], *, superuser: bool, topic: str) -> bool:
    key = topic_key(topic)
    return key is not None and (superuser or bool(TOPIC_ROLES[key] & user_roles))
