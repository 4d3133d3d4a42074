"""Webhook endpoints: where an integration wants the portal's public events POSTed."""

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _


class WebhookEndpoint(models.Model):
    """An URL that receives the public events matching `event_types`, signed with its
    secret the Standard Webhooks way. After a rotation the previous secret signs too,
    until `previous_secret_expires_at`, so that receivers can switch without a gap.

    Secrets are kept as they are given out (they must sign): the database and its backups
    are as sensitive as the secrets themselves."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="webhook_endpoints",
    )
    url = models.URLField(_("URL"), max_length=2000)
    event_types = ArrayField(
        models.CharField(max_length=200),
        verbose_name=_("event types"),
        help_text=_("Exact types, prefixes such as orders.* or * for every public event."),
    )
    description = models.CharField(_("description"), max_length=500, blank=True)
    active = models.BooleanField(_("active"), default=True)
    secret = models.CharField(_("secret"), max_length=100, editable=False)
    previous_secret = models.CharField(max_length=100, blank=True, editable=False)
    previous_secret_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Dead letters counted towards disabling the endpoint are those since this moment.
    enabled_at = models.DateTimeField(_("enabled at"))
    disabled_reason = models.CharField(_("why it was disabled"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["pk"]
        permissions = [("manage_any_webhookendpoint", _("Can manage every owner's endpoints"))]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(event_types=[]), name="integrations_endpoint_has_types"
            ),
            models.CheckConstraint(
                condition=models.Q(url__startswith="http://")
                | models.Q(url__startswith="https://"),
                name="integrations_endpoint_http_url",
            ),
        ]

    def __str__(self):
        return self.url

    @property
    def subscriber(self) -> str:
        """Its name in the outbox: each delivery to it is an outbox delivery."""
        return f"webhook:{self.pk}"


class FanOutCursor(models.Model):
    """How far the fan-out has read the sealed log (one row)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    position = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("fan-out cursor")
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="integrations_one_cursor")
        ]

    def __str__(self):
        return f"fan-out at {self.position}"
