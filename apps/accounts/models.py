import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from apps.accounts.token_cache import api_token_forget

# Fields whose change cannot affect what a cached token or permission set says.
_HARMLESS_FIELDS = frozenset({"last_login", "last_used_at"})


def _forget_tokens(token_ids) -> None:
    api_token_forget(token_ids=list(token_ids))


class UserQuerySet(models.QuerySet):
    def update(self, **kwargs):
        # Bulk updates send no signals: forget the users' cached tokens here.
        if set(kwargs) - _HARMLESS_FIELDS:
            _forget_tokens(ApiToken.objects.filter(user__in=self).values_list("pk", flat=True))
        return super().update(**kwargs)


class PortalUserManager(UserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    """A person or a service account. Roles are the user's groups."""

    # The identity provider's stable id for the person (`sub`): it survives changes of
    # name and email, which are refreshed from the provider at every login.
    oidc_subject = models.CharField(
        _("identity provider subject"), max_length=255, unique=True, null=True, blank=True
    )
    # When the provider's claims last set name, email and roles (a token issued before
    # that, still valid, must not set older roles again).
    claims_synced_at = models.DateTimeField(_("claims synced at"), null=True, blank=True)

    objects = PortalUserManager()

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"


class ApiTokenQuerySet(models.QuerySet):
    def update(self, **kwargs):
        # Bulk updates send no signals: forget the cached copies here.
        if set(kwargs) - _HARMLESS_FIELDS:
            _forget_tokens(self.values_list("pk", flat=True))
        return super().update(**kwargs)


class ApiToken(models.Model):
    """A bearer token issued to a user. The token itself is signed; its id is stored here
    so that an admin can list and revoke it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("revoked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "-created_at"])]
        permissions = [
            ("issue_own_apitoken", _("Can issue API tokens for themselves")),
            ("issue_any_apitoken", _("Can issue API tokens for any user (service accounts)")),
        ]

    def __str__(self):
        return f"{self.user} · {self.name or self.id}"

    def is_active_at(self, moment) -> bool:
        return self.revoked_at is None and self.expires_at > moment
