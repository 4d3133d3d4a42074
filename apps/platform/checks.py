"""System checks of the platform."""

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.db import connections

from apps.platform.db_roles import privileged_connection_problem


@register(Tags.database)
def database_role(app_configs, databases=None, **kwargs):
    """`check --database default` says when a process meant to serve connects as a
    superuser or as the tables' owner (with DATABASE_REFUSE_PRIVILEGED, as in production;
    migrations run with DATABASE_ROLE=owner)."""
    if (
        not settings.DATABASE_REFUSE_PRIVILEGED
        or settings.DATABASE_ROLE == "owner"
        or not databases
        or "default" not in databases
    ):
        return []
    problem = privileged_connection_problem(connections["default"])
    if problem is None:
        return []
    return [
        Error(
            f"The portal would serve while {problem}.",
            hint="Connect web, ws and worker as DATABASE_RUNTIME_ROLE; run migrations "
            "with DATABASE_ROLE=owner.",
            obj="DATABASE_URL",
            id="platform.E001",
        )
    ]
