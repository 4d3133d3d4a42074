from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from apps.core.validators import SETTING_KEY_MAX_LENGTH, validate_setting_key


class SystemSetting(models.Model):
    """Portal configuration kept in the database, changed at run time by admins."""

    key = models.CharField(
        _("key"),
        primary_key=True,
        max_length=SETTING_KEY_MAX_LENGTH,
        validators=[validate_setting_key],
    )
    value = models.JSONField(_("value"))
    description = models.TextField(_("description"), blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("system setting")
        verbose_name_plural = _("system settings")
        ordering = ["key"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(key__regex=r"^[a-z0-9][a-z0-9_.-]{0,127}$"),
                name="core_systemsetting_key_format",
            ),
        ]

    def __str__(self):
        return self.key

    @property
    def updated_by_username(self) -> str | None:
        return self.updated_by.username if self.updated_by_id else None


class DemoFixture(models.Model):
    """A demo fixture already loaded by `load_demo_data`: later runs leave edits alone."""

    name = models.CharField(_("fixture"), max_length=200, primary_key=True)
    loaded_at = models.DateTimeField(_("loaded at"), auto_now=True)

    class Meta:
        verbose_name = _("demo fixture")
        verbose_name_plural = _("demo fixtures")

    def __str__(self):
        return self.name


class SettingChange(models.Model):
    """One change of a system setting, as the audit log tells it (a projection)."""

    event_id = models.UUIDField(_("event"), primary_key=True)
    key = models.CharField(_("key"), max_length=128, db_index=True)
    value = models.JSONField(_("value"), null=True, blank=True)
    deleted = models.BooleanField(_("deleted"), default=False)
    changed_by = models.CharField(_("changed by"), max_length=150)
    changed_at = models.DateTimeField(_("changed at"))

    class Meta:
        verbose_name = _("setting change")
        verbose_name_plural = _("setting changes")
        ordering = ["key", "-changed_at"]

    def __str__(self):
        return f"{self.key} @ {self.changed_at:%Y-%m-%d %H:%M}"


class IdempotencyKey(models.Model):
    """A client's `Idempotency-Key` for one POST: who sent it, a hash of the request, and
    the response, written in the transaction of the write it protects (so a key exists
    exactly when its write committed)."""

    owner = models.CharField(_("caller"), max_length=64)
    key = models.CharField(_("key"), max_length=255)
    request_hash = models.CharField(_("request hash"), max_length=64)
    status_code = models.PositiveSmallIntegerField(_("status"), null=True)
    response_body = models.TextField(_("response"), blank=True)
    response_headers = models.JSONField(_("response headers"), default=dict)
    created_at = models.DateTimeField(_("created at"))
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(fields=["owner", "key"], name="core_idempotency_key_unique")
        ]
        indexes = [models.Index(fields=["expires_at"], name="core_idempotency_expiry_idx")]

    def __str__(self):
        return f"{self.owner}: {self.key}"
