"""Signing in at the admin's own form (local accounts), and the audit of every sign-in."""

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from apps.audit.services import event_emit


def _client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "") if request is not None else ""


def _failure_keys(request, username: str) -> list[str]:
    address = _client_address(request)
    return [
        f"accounts:login-failures:{address}:{(username or '').lower()}",
        f"accounts:login-failures:{address}",
    ]


class LocalLoginForm(AdminAuthenticationForm):
    """The admin's username and password form: refused while local login is off, and for
    a while after repeated failures from one address (for one username, or for any)."""

    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "local_login_off": _("Sign in with SSO: local accounts are switched off."),
        "throttled": _("Too many failed sign-ins. Try again later."),
    }

    def clean(self):
        if not settings.FUSIONOPS_LOCAL_LOGIN:
            raise ValidationError(self.error_messages["local_login_off"], code="local_login_off")
        per_user, per_address = _failure_keys(self.request, self.cleaned_data.get("username"))
        allowed = settings.LOCAL_LOGIN_FAILURES_ALLOWED
        counts = cache.get_many([per_user, per_address])
        if counts.get(per_user, 0) >= allowed or counts.get(per_address, 0) >= 4 * allowed:
            raise ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            return super().clean()
        except ValidationError:
            for key in (per_user, per_address):
                cache.add(key, 0, settings.LOCAL_LOGIN_LOCKOUT_SECONDS)
                cache.incr(key)
            raise


def _logged_in(sender, request, user, **kwargs):
    method = "oidc" if getattr(user, "backend", "").endswith("OidcBackend") else "password"
    with transaction.atomic():
        event_emit(
            type="accounts.user.logged_in",
            aggregate_type="accounts.user",
            aggregate_id=user.pk,
            payload={
                "username": user.get_username(),
                "method": method,
                "address": _client_address(request),
            },
            actor=user,
        )


def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    with transaction.atomic():
        event_emit(
            type="accounts.user.login_failed",
            aggregate_type="accounts.user",
            aggregate_id=username or "-",
            payload={"username": username, "address": _client_address(request)},
            actor=None,
        )


def connect() -> None:
    user_logged_in.connect(_logged_in, dispatch_uid="accounts-audit-login")
    user_login_failed.connect(_login_failed, dispatch_uid="accounts-audit-login-failed")
