"""How far the sealed audit log has been published to websocket clients."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class StreamCursor(models.Model):
    """One row: the last seal position published to the stream group.

    Publishing continues from here, so every position is published once in seal order,
    whichever worker publishes and however often they restart (a publish whose
    transaction did not commit is published again: clients drop positions they have)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    position = models.BigIntegerField(_("published through position"), default=0)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        verbose_name = _("stream cursor")
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="stream_cursor_one_row")
        ]

    def __str__(self):
        return f"published through #{self.position}"
