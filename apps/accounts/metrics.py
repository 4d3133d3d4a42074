"""Refused credentials (web's metrics port)."""

from prometheus_client import Counter

auth_failures = Counter(
    "fusionops_auth_failures",
    "Refused credentials: bearer tokens (token) and sign-ins with a password (sign_in).",
    ["kind"],
)
# Every label value known in advance is exported from the start (at 0), so that rates and
# alerts see a series before the first occurrence.
for _value in ("token", "sign_in"):
    auth_failures.labels(_value)
