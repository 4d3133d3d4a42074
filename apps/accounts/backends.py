"""ModelBackend with each user's permission set cached in Redis.

Every API call checks model permissions; computing them costs two queries. The cached set
is tagged with a generation that any change of groups, memberships or grants replaces, so a
role change takes effect on the very next request, in every process.
"""

import uuid

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache

GENERATION_KEY = "accounts:permissions:generation"
ENTRY_TTL_SECONDS = 300


def _entry_key(user_id) -> str:
    return f"accounts:permissions:user:{user_id}"


def permission_cache_keys(user_id) -> list[str]:
    """The cache keys a user's permission check reads; fetch them with other keys at once
    and hand the result to `prime_permissions` to save a round trip."""
    return [GENERATION_KEY, _entry_key(user_id)]


def invalidate_all_permission_sets() -> None:
    """Make every cached permission set stale (a role's grants or a membership changed)."""
    cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)


def _valid_entry(user, found: dict) -> set[str] | None:
    generation = found.get(GENERATION_KEY)
    entry = found.get(_entry_key(user.pk))
    if generation and entry and entry[0] == generation and entry[1] == user.is_superuser:
        return set(entry[2])
    return None


def prime_permissions(user, found: dict) -> None:
    """Give `user` the permission set from already fetched cache values, if still valid."""
    permissions = _valid_entry(user, found)
    if permissions is not None and user.is_active:
        user._perm_cache = permissions


class CachedPermissionsBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        # Passwords are checked only while local login is on (off in production, where
        # people sign in through the identity provider).
        if not settings.FUSIONOPS_LOCAL_LOGIN:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            user_obj._perm_cache = self._cached_permissions(user_obj)
        return user_obj._perm_cache

    def _cached_permissions(self, user_obj) -> set[str]:
        found = cache.get_many(permission_cache_keys(user_obj.pk))
        permissions = _valid_entry(user_obj, found)
        if permissions is not None:
            return permissions
        generation = found.get(GENERATION_KEY)
        if generation is None:
            # Another process may have set one meanwhile: use whichever is stored.
            cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
            generation = cache.get(GENERATION_KEY)
        permissions = {
            *self.get_user_permissions(user_obj),
            *self.get_group_permissions(user_obj),
        }
        cache.set(
            _entry_key(user_obj.pk),
            (generation, user_obj.is_superuser, sorted(permissions)),
            ENTRY_TTL_SECONDS,
        )
        return permissions
