"""One counter per audit mechanism compared, the same fields and the same writes; one more
with no audit at all is the baseline every ratio is taken against."""

import pghistory
from auditlog.registry import auditlog
from django.db import models
from simple_history.models import HistoricalRecords


class Counter(models.Model):
    sku = models.CharField(max_length=32)
    quantity = models.IntegerField(default=0)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.sku}: {self.quantity}"


class PlainCounter(Counter):
    """No audit."""


class EmittedCounter(Counter):
    """Audited the portal's way: event_emit in the writer's transaction."""


class SimpleHistoryCounter(Counter):
    """django-simple-history: a historical row from post_save."""

    history = HistoricalRecords()


class AuditlogCounter(Counter):
    """django-auditlog: a LogEntry with the changed fields, from pre_save/post_save."""


auditlog.register(AuditlogCounter)


@pghistory.track()
class PghistoryCounter(Counter):
    """django-pghistory: an event row written by a PostgreSQL trigger."""
