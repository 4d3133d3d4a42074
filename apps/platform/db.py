import psycopg
from django.db import connections


def raw_connection(*, alias: str = "default", dbname: str | None = None, autocommit=True):
    """A plain psycopg connection with the settings of a Django database (for LISTEN, or
    for the maintenance database before the portal's own exists)."""
    params = connections[alias].get_connection_params()
    for django_only in ("cursor_factory", "context", "prepare_threshold"):
        params.pop(django_only, None)
    if dbname is not None:
        params["dbname"] = dbname
    return psycopg.connect(autocommit=autocommit, **params)
