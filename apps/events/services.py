"""Writes of the event backbone that people make: replaying dead letters."""

from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.audit.services import event_emit
from apps.events.choices import DeliveryStatus
from apps.events.exceptions import NotADeadLetter
from apps.events.models import Delivery, ProcessedMarker


@transaction.atomic
def dead_letters_replay(*, deliveries: QuerySet[Delivery], actor) -> list[Delivery]:
    """Give dead letters a fresh set of attempts, due now; returns those replayed.

    Deliveries that are not (or no longer) dead letters are left alone."""
    letters = list(
        deliveries.select_for_update(skip_locked=True)
        .filter(status=DeliveryStatus.DEAD)
        .order_by("pk")
    )
    if not letters:
        return []
    now = timezone.now()
    Delivery.objects.filter(pk__in=[letter.pk for letter in letters]).update(
        status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=now, updated_at=now
    )
    for letter in letters:
        event_emit(
            type="events.dead_letter.replayed",
            aggregate_type="events.delivery",
            aggregate_id=letter.pk,
            payload={
                "delivery": letter.pk,
                "subscriber": letter.subscriber,
                "event_id": str(letter.event_id),
                "event_type": letter.event_type,
                "attempts": letter.attempts,
                "last_error": letter.last_error,
            },
            actor=actor,
        )
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_notify('fusionops_outbox', '')")  # sent at commit
    for letter in letters:
        letter.refresh_from_db()
    return letters


def dead_letter_replay(*, delivery: Delivery, actor) -> Delivery:
    replayed = dead_letters_replay(deliveries=Delivery.objects.filter(pk=delivery.pk), actor=actor)
    if not replayed:
        raise NotADeadLetter(
            _("Delivery %(id)s is %(status)s, not a dead letter.")
            % {"id": delivery.pk, "status": delivery.get_status_display()}
        )
    return replayed[0]


PURGE_CHUNK = 5000


def deliveries_purge(*, older_than: timedelta | None = None) -> int:
    """Delete settled deliveries (and their processed markers) older than the retention,
    in chunks of their own transactions (no long lock, no huge transaction).

    Dead letters and pending deliveries are kept whatever their age; the audit log keeps
    every event for good. Returns how many deliveries were deleted."""
    age = older_than or timedelta(days=settings.EVENTS_DELIVERY_RETENTION_DAYS)
    cutoff = timezone.now() - age
    deleted = 0
    for model, old in (
        (Delivery, {"status": DeliveryStatus.DONE, "completed_at__lt": cutoff}),
        (ProcessedMarker, {"processed_at__lt": cutoff}),
    ):
        while True:
            with transaction.atomic():
                chunk = list(model.objects.filter(**old).values_list("pk", flat=True)[:PURGE_CHUNK])
                if not chunk:
                    break
                count, _details = model.objects.filter(pk__in=chunk).delete()
                if model is Delivery:
                    deleted += count
    return deleted
