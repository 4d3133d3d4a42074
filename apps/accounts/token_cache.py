"""Where verified API tokens are cached, and how a change makes the cache forget them.

A verified token and its user are cached briefly, so authentication needs no query. Any
change of a token or its user replaces the entry with a tombstone that outlives every
in-flight request; entries are only ever added (never overwritten), so a request that read
the old state cannot cache it over the tombstone."""

import functools
import hashlib

import django
from django.apps import apps
from django.core.cache import cache

TOKEN_CACHE_TTL_SECONDS = 60
TOKEN_TOMBSTONE_TTL_SECONDS = 2 * TOKEN_CACHE_TTL_SECONDS
TOKEN_TOMBSTONE = "changed"  # noqa: S105  a marker, not a secret


@functools.cache
def _cached_shape() -> str:
    """Changes whenever the pickled token and user would: a deploy that adds a field or
    upgrades Django never unpickles an entry written by the previous code."""
    # By the app registry, not an import: the models forget tokens through this module.
    models = (apps.get_model("accounts", "ApiToken"), apps.get_model("accounts", "User"))
    fields = [f.attname for model in models for f in model._meta.concrete_fields]
    return hashlib.sha256(repr((django.VERSION, fields)).encode()).hexdigest()[:12]


def api_token_cache_key(token_id) -> str:
    return f"accounts:api-token:{_cached_shape()}:{token_id}"


def api_token_use_gate_key(token_id) -> str:
    return f"accounts:api-token-used:{token_id}"


def api_token_forget(*, token_ids) -> None:
    """Stop trusting cached copies of these tokens (they or their user changed)."""
    keys = [api_token_cache_key(token_id) for token_id in token_ids]
    if keys:
        cache.set_many(dict.fromkeys(keys, TOKEN_TOMBSTONE), TOKEN_TOMBSTONE_TTL_SECONDS)
