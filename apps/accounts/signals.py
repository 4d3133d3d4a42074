"""Cache invalidation only (no business rules): cached permission sets and tokens must not
outlive a change of grants, memberships, tokens or users.

Covered: model saves and deletes, m2m changes, QuerySet.update() on tokens and users (their
querysets forget the affected tokens), and every `migrate`. Not covered: raw SQL and writes
to the through tables' rows themselves; there the cache entries' TTLs (60 s for tokens,
300 s for permission sets) bound how long the old state is honoured."""

import structlog
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save

from apps.accounts.backends import invalidate_all_permission_sets
from apps.accounts.models import ApiToken
from apps.accounts.token_cache import api_token_forget

logger = structlog.get_logger("fusionops.accounts")


def _permissions_changed(sender, **kwargs):
    action = kwargs.get("action")
    if action is None or action.startswith("post_"):
        # Now, and again after commit: a request that read the old grants in between must
        # not leave them cached under the current generation.
        invalidate_all_permission_sets()
        transaction.on_commit(invalidate_all_permission_sets)


def _token_changed(sender, instance, created=False, **kwargs):
    if not created:  # a new token cannot be cached yet
        api_token_forget(token_ids=[instance.pk])


def _user_changed(sender, instance, update_fields=None, **kwargs):
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return  # a login changes nothing a token depends on
    api_token_forget(token_ids=list(instance.api_tokens.values_list("pk", flat=True)))


def connect() -> None:
    user_model = get_user_model()
    for through in (
        user_model.groups.through,
        user_model.user_permissions.through,
        Group.permissions.through,
    ):
        m2m_changed.connect(_permissions_changed, sender=through, dispatch_uid=f"perms-{through}")
    for model in (Group, Permission):
        post_delete.connect(_permissions_changed, sender=model, dispatch_uid=f"perms-del-{model}")
    post_save.connect(_token_changed, sender=ApiToken, dispatch_uid="api-token-saved")
    post_delete.connect(_token_changed, sender=ApiToken, dispatch_uid="api-token-deleted")
    post_save.connect(_user_changed, sender=user_model, dispatch_uid="api-token-user-saved")
    post_migrate.connect(_after_migrate, dispatch_uid="permissions-after-migrate")


def _after_migrate(sender, **kwargs):
    # Data migrations change grants through historical models, which send no signals.
    try:
        invalidate_all_permission_sets()
    except Exception as exc:  # no Redis (yet): nothing can be cached there either
        logger.warning("accounts.permission_cache_not_reset", error=str(exc))
