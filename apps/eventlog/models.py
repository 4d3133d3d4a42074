"""The event log: one immutable row per business event (the event envelope), the seal
that chains it in commit order, and the outbox that hands each event to its subscribers.

The log's tables are created by SQL in the migrations (Django cannot declare partitioned
tables or the triggers that make them append-only), so those models are unmanaged. The
tables keep the names they had before the audit and outbox apps were one.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.eventlog.choices import DeliveryStatus


class Event(models.Model):
    """An event as recorded: what happened to which aggregate, who did it, and why.

    `seq` is drawn from a sequence when the event is written, so numbers are unique and
    increasing but may commit out of order; the seal (Seal.position) is the commit order.
    """

    id = models.UUIDField(primary_key=True)
    seq = models.BigIntegerField(_("sequence number"), editable=False)
    type = models.CharField(_("type"), max_length=200)
    version = models.PositiveIntegerField(_("version"), default=1)
    aggregate_type = models.CharField(_("aggregate type"), max_length=100)
    aggregate_id = models.CharField(_("aggregate id"), max_length=200)
    actor = models.JSONField(_("actor"))
    correlation_id = models.CharField(_("correlation id"), max_length=128, blank=True)
    causation_id = models.UUIDField(_("causation id"), null=True, blank=True)
    occurred_at = models.DateTimeField(_("occurred at"))
    recorded_at = models.DateTimeField(_("recorded at"))
    payload = models.JSONField(_("payload"))
    signature = models.CharField(_("signature"), max_length=64)
    key_id = models.CharField(_("key"), max_length=32)
    # The trace that recorded the event, continued by whatever handles it (not signed:
    # operational, not audited).
    traceparent = models.CharField(
        _("trace context"), max_length=55, blank=True, default="", editable=False
    )

    class Meta:
        managed = False
        db_table = "audit_event"
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-seq"]

    def __str__(self):
        return f"#{self.seq} {self.type} {self.aggregate_type}:{self.aggregate_id}"


class Seal(models.Model):
    """The hash chain over the log, in commit order: entry `position` covers one event.

    `digest` is the event's content hash; `chain` = sha256(previous chain || digest).
    `through_xid`: every transaction with a lower id had ended when this entry was sealed,
    so an unsealed event from such a transaction cannot be genuine.
    """

    position = models.BigIntegerField(primary_key=True)
    event_id = models.UUIDField(unique=True)
    event_recorded_at = models.DateTimeField()
    digest = models.BinaryField()
    chain = models.BinaryField()
    key_id = models.CharField(_("key"), max_length=32)
    sealed_at = models.DateTimeField()

    class Meta:
        managed = False
        db_table = "audit_seal"
        verbose_name = _("seal")
        verbose_name_plural = _("seals")
        ordering = ["position"]

    def __str__(self):
        return f"seal #{self.position}"


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
    # What the subscriber said of its last attempt (a webhook's response code and time).
    last_outcome = models.JSONField(_("last outcome"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"))
    updated_at = models.DateTimeField(_("updated at"))
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)

    class Meta:
        db_table = "events_delivery"
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
        db_table = "events_processedmarker"
        verbose_name = _("processed marker")
        verbose_name_plural = _("processed markers")

    def __str__(self):
        return f"{self.subscriber} processed {self.event_id}"


class WorkerHeartbeat(models.Model):
    """A relay worker's last sign of life, written every few seconds: web's readiness
    reports its age (the worker serves no HTTP of its own)."""

    worker = models.CharField(_("worker"), max_length=200, primary_key=True)
    beat_at = models.DateTimeField(_("beat at"))

    class Meta:
        db_table = "events_workerheartbeat"
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self):
        return f"{self.worker} at {self.beat_at:%Y-%m-%d %H:%M:%S}"
