from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.events.choices import DeliveryStatus


class Delivery(models.Model):
    """One event to hand to one subscriber: the transactional outbox.

    Written in the same transaction as the event; the relay claims due rows with
    FOR UPDATE SKIP LOCKED, runs the subscriber, and marks the row done, schedules a retry,
    or makes it a dead letter after the last attempt.
    """

    event_id = models.UUIDField(_("event"))
    # The log is partitioned by recording time: knowing it finds the event in one partition.
    event_recorded_at = models.DateTimeField(_("event recorded at"))
    event_type = models.CharField(_("event type"), max_length=200)
    subscriber = models.CharField(_("subscriber"), max_length=100)
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"))
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["subscriber", "event_id"], name="events_delivery_once_per_subscriber"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=DeliveryStatus.values),
                name="events_delivery_status_valid",
            ),
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                name="events_delivery_due_idx",
                condition=models.Q(status="pending"),
            ),
            models.Index(
                fields=["-updated_at"],
                name="events_delivery_dead_idx",
                condition=models.Q(status="dead"),
            ),
        ]

    def __str__(self):
        return f"{self.event_type} → {self.subscriber} ({self.status})"


class ProcessedMarker(models.Model):
    """A subscriber's effects for an event were committed: a redelivery is a no-op.

    Written in the same transaction as the subscriber's own writes.
    """

    pk = models.CompositePrimaryKey("subscriber", "event_id")
    subscriber = models.CharField(max_length=100)
    event_id = models.UUIDField()
    processed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("processed marker")
        verbose_name_plural = _("processed markers")

    def __str__(self):
        return f"{self.subscriber} processed {self.event_id}"
