from datetime import timedelta

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from apps.events.choices import DeliveryStatus
from apps.events.models import Delivery


def outbox_lag_seconds() -> float:
    """Age of the oldest delivery that is due now (0 when none is waiting)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXTRACT(EPOCH FROM now() - min(next_attempt_at)) FROM events_delivery "
            "WHERE status = 'pending' AND next_attempt_at <= now()"
        )
        lag = cursor.fetchone()[0]
    return max(float(lag or 0), 0.0)


def seconds_until_next_due(*, ceiling: float) -> float:
    """How long the relay may sleep before a delivery (a retry) falls due."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXTRACT(EPOCH FROM min(next_attempt_at) - clock_timestamp()) "
            "FROM events_delivery WHERE status = 'pending'"
        )
        due_in = cursor.fetchone()[0]
    return ceiling if due_in is None else min(max(float(due_in), 0.0), ceiling)


def dead_letter_list(*, since: timedelta | None = None, subscriber: str | None = None) -> QuerySet:
    """Dead letters, newest first."""
    letters = Delivery.objects.filter(status=DeliveryStatus.DEAD).order_by("-updated_at", "-id")
    if since is not None:
        letters = letters.filter(updated_at__gte=timezone.now() - since)
    if subscriber:
        letters = letters.filter(subscriber=subscriber)
    return letters


def dead_letter_count() -> int:
    return Delivery.objects.filter(status=DeliveryStatus.DEAD).count()
