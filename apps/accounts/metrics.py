"""Refused credentials (web's metrics port)."""

from prometheus_client import Counter

from apps.platform.metrics import start_at_zero

auth_failures = Counter(
    "fusionops_auth_failures",
    "Refused credentials: bearer tokens (token) and sign-ins with a password (sign_in).",
    ["kind"],
)
start_at_zero(auth_failures, ("token", "sign_in"))
