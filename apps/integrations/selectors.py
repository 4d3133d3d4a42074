"""Reads of the integrations app: endpoints as their owners (or an Admin) see them, and
each endpoint's delivery log."""

import json

from django.db import connection
from django.db.models import QuerySet

from apps.eventlog.choices import DeliveryStatus
from apps.integrations.models import WebhookEndpoint

MANAGE_ANY = "integrations.manage_any_webhookendpoint"


def webhook_endpoints_for(user) -> QuerySet[WebhookEndpoint]:
    """Every endpoint for those who manage any; otherwise the caller's own."""
    endpoints = WebhookEndpoint.objects.select_related("owner")
    if user.has_perm(MANAGE_ANY):
        return endpoints
    return endpoints.filter(owner=user) if user.is_authenticated else endpoints.none()


def dead_letters_since_enabled() -> dict[int, int]:
    """Each active endpoint's dead letters since it was (re-)enabled, in one query (endpoints
    without any are left out)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT w.id, count(*)
            FROM integrations_webhookendpoint w
            JOIN events_delivery d ON d.subscriber = 'webhook:' || w.id
            WHERE w.active AND d.status = %s AND d.updated_at >= w.enabled_at
            GROUP BY w.id
            """,
            [DeliveryStatus.DEAD],
        )
        return dict(cursor.fetchall())


def webhook_deliveries(endpoint: WebhookEndpoint, *, limit: int = 200) -> list[dict]:
    """The endpoint's latest deliveries, newest position first: status, attempts, the last
    attempt's response code and duration, its error."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT d.id, s.position, d.event_id, d.event_type, d.status, d.attempts,
                   d.last_outcome, d.last_error, d.next_attempt_at, d.updated_at
            FROM events_delivery d
            LEFT JOIN audit_seal s ON s.event_id = d.event_id
            WHERE d.subscriber = %s
            ORDER BY s.position DESC NULLS FIRST, d.id DESC
            LIMIT %s
            """,
            [endpoint.subscriber, limit],
        )
        columns = [column.name for column in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    for row in rows:
        outcome = row.pop("last_outcome") or {}
        if isinstance(outcome, str):  # Django's backend loads jsonb as text
            outcome = json.loads(outcome)
        row["status_code"] = outcome.get("status_code")
        row["duration_ms"] = outcome.get("duration_ms")
    return rows
