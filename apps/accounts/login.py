"""Signing in at the admin's own form (local accounts), and the audit of every sign-in."""

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from apps.accounts.services import login_failure_record, user_login_record


def _client_address(request) -> str:
    return request.META.get("REMOTE_ADDR", "") if request is not None else ""


def _failure_keys(request, username: str) -> list[str]:
    """Failure counters: of this username from this address, of this address, and of
    this username from anywhere (guessing from many addresses)."""
    address, name = _client_address(request), (username or "").lower()
    return [
        f"accounts:login-failures:{address}:{name}",
        f"accounts:login-failures:{address}",
        f"accounts:login-failures:user:{name}",
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
        keys = _failure_keys(self.request, self.cleaned_data.get("username"))
        allowed = settings.LOCAL_LOGIN_FAILURES_ALLOWED
        limits = dict(zip(keys, (allowed, 4 * allowed, 4 * allowed), strict=True))
        counts = cache.get_many(keys)
        if any(counts.get(key, 0) >= limit for key, limit in limits.items()):
            raise ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            return super().clean()
        except ValidationError:
            for key in keys:
                if not cache.add(key, 1, settings.LOCAL_LOGIN_LOCKOUT_SECONDS):
                    try:
                        cache.incr(key)
                    except ValueError:  # expired in between: start again
                        cache.add(key, 1, settings.LOCAL_LOGIN_LOCKOUT_SECONDS)
            raise


def _logged_in(sender, request, user, **kwargs):
    method = "oidc" if getattr(user, "backend", "").endswith("OidcBackend") else "password"
    user_login_record(user=user, method=method, address=_client_address(request))


def _login_failed(sender, credentials, request=None, **kwargs):
    login_failure_record(
        username=str(credentials.get("username", "")), address=_client_address(request)
    )


def connect() -> None:
    user_logged_in.connect(_logged_in, dispatch_uid="accounts-audit-login")
    user_login_failed.connect(_login_failed, dispatch_uid="accounts-audit-login-failed")
