from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts import metrics, provider_tokens
from apps.accounts.events import (
    GROUP_DELETED,
    GROUP_SAVED,
    TOKEN_ISSUED,
    TOKEN_REVOKED,
    USER_ADDED,
    USER_CHANGED,
    USER_CREATED,
    USER_DELETED,
    USER_LOGGED_IN,
    USER_LOGIN_FAILED,
    USER_PERMISSIONS_CHANGED,
    USER_ROLES_CHANGED,
)
from apps.accounts.models import ApiToken, User
from apps.accounts.selectors import api_token_authenticate
from apps.accounts.token_cache import api_token_use_gate_key
from apps.accounts.tokens import TOKEN_PREFIX, InvalidToken, encode_token
from apps.eventlog.services import event_emit
from apps.platform import roles

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
        TOKEN_ISSUED,
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
            TOKEN_REVOKED,
            aggregate_id=locked.pk,
            payload={"token_id": str(locked.pk), "user": locked.user.get_username()},
            actor=actor,
        )
    return locked


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


# Roles that work in the admin: their holders are staff.
STAFF_ROLES = frozenset({roles.ADMIN, roles.OPERATOR, roles.WAREHOUSE, roles.AUDIT_VIEWER})


def roles_from_claims(claims: dict) -> set[str] | None:
    """The FusionOps roles the provider's roles claim grants; None if the claims carry no
    roles claim at all (then the roles held are left as they are).

    OIDC_ROLES_CLAIM names the claim, as a dotted path for nested ones
    (`realm_access.roles`). With OIDC_ROLE_MAP, provider roles map through it; without, a
    provider role spelled like a FusionOps role is that role. Anything else is ignored."""
    value = claims
    for part in settings.OIDC_ROLES_CLAIM.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if value is None:
        return None
    names = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    mapping = settings.OIDC_ROLE_MAP or {role: role for role in roles.ROLES}
    return {mapping[name] for name in names if isinstance(name, str) and name in mapping}


def _claim(claims: dict, name: str, length: int) -> str | None:
    value = claims.get(name)
    return value[:length] if isinstance(value, str) else None


def _free_username(claims: dict) -> str:
    wanted = (
        _claim(claims, "preferred_username", 140)
        or _claim(claims, "email", 140)
        or str(claims["sub"])[:140]
    )
    username, n = wanted, 1
    while User.objects.filter(username=username).exists():
        n += 1
        username = f"{wanted}-{n}"
    return username


def user_sync_from_claims(*, claims: dict, issued_at: datetime | None = None) -> User:
    """The user the provider's claims describe: found by subject, created on first sight,
    with name, email, staff status and roles refreshed from the claims, unless claims
    issued later were applied already. Creation and role changes are audited."""
    try:
        return _user_sync(claims, issued_at or timezone.now())
    except IntegrityError:
        # Two first logins of one person at once: the other created the user.
        return _user_sync(claims, issued_at or timezone.now())


@transaction.atomic
def _user_sync(claims: dict, issued_at: datetime) -> User:
    subject = str(claims["sub"])
    user = User.objects.select_for_update().filter(oidc_subject=subject).first()
    created = user is None
    if created:
        user = User(oidc_subject=subject, username=_free_username(claims))
        user.set_unusable_password()
    elif user.claims_synced_at is not None and issued_at <= user.claims_synced_at:
        return user
    for field, claim, length in (
        ("email", "email", 254),
        ("first_name", "given_name", 150),
        ("last_name", "family_name", 150),
    ):
        value = _claim(claims, claim, length)
        if value is not None:
            setattr(user, field, value)
    held = set() if created else set(user.groups.values_list("name", flat=True))
    granted = roles_from_claims(claims)
    if granted is None:
        granted = held
    user.is_staff = bool(granted & STAFF_ROLES) or user.is_superuser
    user.claims_synced_at = issued_at
    user.save()
    if created:
        event_emit(
            USER_CREATED,
            aggregate_id=user.pk,
            payload={"username": user.username, "oidc_subject": subject, "source": "oidc"},
            actor=user,
        )
    if granted != held:
        user.groups.set(Group.objects.filter(name__in=granted))
        event_emit(
            USER_ROLES_CHANGED,
            aggregate_id=user.pk,
            payload={
                "username": user.username,
                "before": sorted(held),
                "after": sorted(granted),
                "source": "oidc",
            },
            actor=user,
        )
    return user


def provider_token_user(raw: str) -> User:
    """The user an access token from the identity provider stands for (InvalidToken if it
    is not valid). The verdict is cached for a short while per token, so that calls in a
    burst verify and sync the user once."""
    key = provider_tokens.token_cache_key(raw, "user")
    user_id = cache.get(key)
    if user_id is not None:
        user = User.objects.filter(pk=user_id, is_active=True).first()
        if user is not None:
            return user
    claims, ttl = provider_tokens.provider_token_claims(raw)
    issued_at = claims.get("iat")
    user = user_sync_from_claims(
        claims=claims,
        issued_at=datetime.fromtimestamp(issued_at, tz=UTC) if isinstance(issued_at, int) else None,
    )
    if not user.is_active:
        raise InvalidToken("user inactive")
    cache.set(key, user.pk, ttl)
    return user


def bearer_token_user(raw: str) -> User:
    """The user behind any bearer token the portal accepts: its own API tokens and the
    identity provider's access tokens."""
    if raw.startswith(TOKEN_PREFIX):
        return api_token_authenticate(raw).user
    return provider_token_user(raw)


@transaction.atomic
def user_login_record(*, user: User, method: str, address: str) -> None:
    """Audit a sign-in (`method`: oidc or password)."""
    event_emit(
        USER_LOGGED_IN,
        aggregate_id=user.pk,
        payload={"username": user.get_username(), "method": method, "address": address},
        actor=user,
    )


@transaction.atomic
def login_failure_record(*, username: str, address: str) -> None:
    """Audit a failed sign-in: who was tried, from where (never the password)."""
    metrics.auth_failures.labels(kind="sign_in").inc()
    username = username[:150]
    event_emit(
        USER_LOGIN_FAILED,
        aggregate_id=username or "-",
        payload={"username": username, "address": address},
        actor=None,
    )


# --- Users, groups and permissions, as people change them --------------------------------

# The fields of a user an audit reader cares about (never the password hash).
AUDITED_USER_FIELDS = (
    "username", "first_name", "last_name", "email", "is_active", "is_staff", "is_superuser",
)  # fmt: skip


def _permission_names(permissions) -> list[str]:
    return sorted(f"{p.content_type.app_label}.{p.codename}" for p in permissions)


def _user_state(user: User) -> dict:
    return {
        "fields": {name: getattr(user, name) for name in AUDITED_USER_FIELDS},
        "password": user.password,
        "groups": sorted(user.groups.values_list("name", flat=True)),
        "permissions": _permission_names(user.user_permissions.select_related("content_type")),
    }


@transaction.atomic
def user_save(*, user: User, actor, groups=None, permissions=None, source="admin") -> User:
    """Save a user as changed by someone (the admin's form, or a command: `source`), with
    its roles and own permissions when given, and record what changed, before and after."""
    stored = User.objects.select_for_update().filter(pk=user.pk).first() if user.pk else None
    before = _user_state(stored) if stored is not None else None
    user.save()
    if groups is not None:
        user.groups.set(groups)
    if permissions is not None:
        user.user_permissions.set(permissions)
    after = _user_state(user)
    who = {"user_id": user.pk, "username": user.get_username()}
    if before is None:
        payload = {**who, "fields": after["fields"]}
        event_emit(USER_ADDED, aggregate_id=user.pk, payload=payload, actor=actor)
        before = {**after, "groups": [], "permissions": []}
    changed = [
        name for name in AUDITED_USER_FIELDS if before["fields"][name] != after["fields"][name]
    ]
    password_changed = before["password"] != after["password"]
    if changed or password_changed:
        event_emit(
            USER_CHANGED,
            aggregate_id=user.pk,
            payload={
                **who,
                "before": {name: before["fields"][name] for name in changed},
                "after": {name: after["fields"][name] for name in changed},
                "password_changed": password_changed,
            },
            actor=actor,
        )
    if before["groups"] != after["groups"]:
        payload = {
            "username": user.get_username(), "before": before["groups"],
            "after": after["groups"], "source": source,
        }  # fmt: skip
        event_emit(USER_ROLES_CHANGED, aggregate_id=user.pk, payload=payload, actor=actor)
    if before["permissions"] != after["permissions"]:
        payload = {**who, "before": before["permissions"], "after": after["permissions"]}
        event_emit(USER_PERMISSIONS_CHANGED, aggregate_id=user.pk, payload=payload, actor=actor)
    return user


@transaction.atomic
def user_delete(*, user: User, actor) -> None:
    groups = sorted(user.groups.values_list("name", flat=True))
    event_emit(
        USER_DELETED,
        aggregate_id=user.pk,
        payload={"user_id": user.pk, "username": user.get_username(), "groups": groups},
        actor=actor,
    )
    user.delete()


def _group_state(group: Group) -> dict:
    return {
        "name": group.name,
        "permissions": _permission_names(group.permissions.select_related("content_type")),
    }


@transaction.atomic
def group_save(*, group: Group, actor, permissions=None) -> Group:
    """Save a role (group) as someone changed it, with its permissions when given, and
    record its name and permissions before and after."""
    stored = Group.objects.select_for_update().filter(pk=group.pk).first() if group.pk else None
    before = _group_state(stored) if stored is not None else None
    group.save()
    if permissions is not None:
        group.permissions.set(permissions)
    after = _group_state(group)
    if before != after:
        event_emit(
            GROUP_SAVED,
            aggregate_id=group.pk,
            payload={
                "group_id": group.pk, "created": before is None,
                "before": before or {"name": "", "permissions": []}, "after": after,
            },
            actor=actor,
        )  # fmt: skip
    return group


@transaction.atomic
def group_delete(*, group: Group, actor) -> None:
    event_emit(
        GROUP_DELETED,
        aggregate_id=group.pk,
        payload={"group_id": group.pk, **_group_state(group)},
        actor=actor,
    )
    group.delete()
