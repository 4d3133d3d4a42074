from datetime import timedelta

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import ApiToken, User
from apps.accounts.selectors import (
    TOKEN_TOMBSTONE,
    TOKEN_TOMBSTONE_TTL_SECONDS,
    api_token_cache_key,
    api_token_use_gate_key,
)
from apps.accounts.tokens import encode_token
from apps.audit.services import event_emit

# Recording every use would add a write to every API call; once a minute is enough to see
# which tokens are still in use.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@transaction.atomic
def api_token_issue(
    *, user: User, ttl: timedelta, actor: User | None, name: str = ""
) -> tuple[ApiToken, str]:
    """Create a token for `user` valid for `ttl` (negative for an already expired one).

    Returns the stored token and its secret form, which is shown once and never stored.
    """
    if not user.is_active:
        raise ValidationError(
            _("%(user)s is inactive: no token can be issued.") % {"user": user.get_username()}
        )
    now = timezone.now()
    token = ApiToken.objects.create(
        user=user, name=name, created_at=now, created_by=actor, expires_at=now + ttl
    )
    event_emit(
        type="accounts.token.issued",
        aggregate_type="accounts.api_token",
        aggregate_id=token.pk,
        # Never the secret itself: the log records that a token exists, not how to use it.
        payload={
            "token_id": str(token.pk),
            "user": user.get_username(),
            "name": name,
            "expires_at": token.expires_at.isoformat(),
        },
        actor=actor,
    )
    return token, encode_token(token_id=token.pk, user_id=user.pk, expires_at=token.expires_at)


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: User | None) -> ApiToken:
    """Revoke a token; revoking it again changes nothing."""
    locked = ApiToken.objects.select_for_update().get(pk=token.pk)
    if locked.revoked_at is None:
        locked.revoked_at = timezone.now()
        locked.revoked_by = actor
        locked.save(update_fields=["revoked_at", "revoked_by"])
        event_emit(
            type="accounts.token.revoked",
            aggregate_type="accounts.api_token",
            aggregate_id=locked.pk,
            payload={"token_id": str(locked.pk), "user": locked.user.get_username()},
            actor=actor,
        )
    return locked


def api_token_forget(*, token_ids) -> None:
    """Stop trusting cached copies of these tokens (they or their user changed)."""
    keys = [api_token_cache_key(token_id) for token_id in token_ids]
    if keys:
        cache.set_many(dict.fromkeys(keys, TOKEN_TOMBSTONE), TOKEN_TOMBSTONE_TTL_SECONDS)


def api_token_record_use(*, token: ApiToken) -> None:
    now = timezone.now()
    if getattr(token, "use_recorded_recently", False) or (
        token.last_used_at is not None and now - token.last_used_at < LAST_USED_RESOLUTION
    ):
        return
    # The token may come from the cache with an old last_used_at: one writer per minute.
    gate = api_token_use_gate_key(token.pk)
    if cache.add(gate, True, int(LAST_USED_RESOLUTION.total_seconds())):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
