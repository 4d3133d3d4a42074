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
    description="The identity provider gave someone other roles.",
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
