"""The audit log: one immutable row per business event (the event envelope).

The tables are created by SQL in the migrations (Django cannot declare partitioned tables
or the triggers that make them append-only), so these models are unmanaged.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


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
    sealed_at = models.DateTimeField()

    class Meta:
        managed = False
        db_table = "audit_seal"
        verbose_name = _("seal")
        verbose_name_plural = _("seals")
        ordering = ["position"]

    def __str__(self):
        return f"seal #{self.position}"
