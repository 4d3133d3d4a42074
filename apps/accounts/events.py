"""The events of the accounts app. They are the portal's security record: kept in the
audit log for auditors, never sent to other systems or browsers (public=None)."""

from apps.eventlog.registry import registry

TOKEN_ISSUED = registry.declare(
    "accounts.token.issued",
    aggregate_type="accounts.api_token",
    description="An API token was issued (its secret is never recorded).",
    public=None,
    example={
        "token_id": "5a3c4f0e-2b1d-4a57-9a4e-8f1f2d9c7b60",
        "user": "erp-sync",
        "name": "ERP sync",
        "expires_at": "2026-12-31T00:00:00+00:00",
    },
)
TOKEN_REVOKED = registry.declare(
    "accounts.token.revoked",
    aggregate_type="accounts.api_token",
    description="An API token was revoked.",
    public=None,
    example={"token_id": "5a3c4f0e-2b1d-4a57-9a4e-8f1f2d9c7b60", "user": "erp-sync"},
)
USER_CREATED = registry.declare(
    "accounts.user.created",
    aggregate_type="accounts.user",
    description="Someone signed in through the identity provider for the first time.",
    public=None,
    example={"username": "anna.keller", "oidc_subject": "f3a1c2", "source": "oidc"},
)
USER_ROLES_CHANGED = registry.declare(
    "accounts.user.roles_changed",
    aggregate_type="accounts.user",
    description="Someone got other roles (groups): from the identity provider (source oidc) "
    "or from a person in the admin (source admin, the actor says who), or from "
    "`manage.py create_user` on the server (source command).",
    public=None,
    example={
        "username": "anna.keller",
        "before": ["Viewer"],
        "after": ["Operator"],
        "source": "oidc",
    },
)
USER_LOGGED_IN = registry.declare(
    "accounts.user.logged_in",
    aggregate_type="accounts.user",
    description="Someone signed in (method: oidc or password).",
    public=None,
    example={"username": "anna.keller", "method": "oidc", "address": "10.0.4.17"},
)
USER_LOGIN_FAILED = registry.declare(
    "accounts.user.login_failed",
    aggregate_type="accounts.user",
    description="A sign-in failed: who was tried, from where (never the password).",
    public=None,
    example={"username": "anna.keller", "address": "10.0.4.17"},
)

# --- Users, groups and permissions changed by people (the admin, services) ---------------

_WHO = {"user_id": 12, "username": "bob"}
USER_ADDED = registry.declare(
    "accounts.user.added",
    aggregate_type="accounts.user",
    description="Someone created a user (in the admin or by a command).",
    public=None,
    example={**_WHO, "fields": {"email": "bob@example.com", "is_staff": False}},
)
USER_CHANGED = registry.declare(
    "accounts.user.changed",
    aggregate_type="accounts.user",
    description="Someone changed a user's fields: each changed one before and after.",
    public=None,
    example={
        **_WHO,
        "before": {"is_staff": False},
        "after": {"is_staff": True},
        "password_changed": False,
    },
)
USER_PERMISSIONS_CHANGED = registry.declare(
    "accounts.user.permissions_changed",
    aggregate_type="accounts.user",
    description="Someone granted or withdrew permissions of a user's own.",
    public=None,
    example={**_WHO, "before": [], "after": ["inventory.change_item"]},
)
USER_DELETED = registry.declare(
    "accounts.user.deleted",
    aggregate_type="accounts.user",
    description="Someone deleted a user.",
    public=None,
    example={**_WHO, "groups": ["Viewer"]},
)
GROUP_SAVED = registry.declare(
    "accounts.group.saved",
    aggregate_type="accounts.group",
    description="Someone created or changed a role (group): its name and permissions.",
    public=None,
    example={
        "group_id": 3,
        "created": False,
        "before": {"name": "Operator", "permissions": ["resources.add_allocation"]},
        "after": {"name": "Operator", "permissions": []},
    },
)
GROUP_DELETED = registry.declare(
    "accounts.group.deleted",
    aggregate_type="accounts.group",
    description="Someone deleted a role (group).",
    public=None,
    example={"group_id": 3, "name": "Operator", "permissions": []},
)
