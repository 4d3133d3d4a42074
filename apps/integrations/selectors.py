"""Reads of the integrations app: endpoints as their owners (or an Admin) see them, and
each endpoint's delivery log."""

from django.db import connection
from django.db.models import FloatField, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.fields.json import KT
from django.db.models.functions import Cast

from apps.eventlog.choices import DeliveryStatus
from apps.eventlog.models import Delivery, Seal
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


def webhook_delivery_list(endpoint: WebhookEndpoint) -> QuerySet[Delivery]:
    """The endpoint's deliveries, newest first: status, attempts, the event's position, the
    last attempt's response code and duration, its error."""
    position = Seal.objects.filter(event_id=OuterRef("event_id")).values("position")[:1]
    return (
        Delivery.objects.filter(subscriber=endpoint.subscriber)
        .annotate(
            position=Subquery(position),
            status_code=Cast(KT("last_outcome__status_code"), IntegerField()),
            duration_ms=Cast(KT("last_outcome__duration_ms"), FloatField()),
        )
        .order_by("-id")
    )
