import psycopg
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import connections
from psycopg import sql

from apps.platform import db_roles


class Command(BaseCommand):
    help = (
        "Set up the portal's database with a superuser's connection (DATABASE_ADMIN_URL): "
        "the owner and runtime roles, the database owned by the owner (and everything in "
        "it, if it was migrated by someone else), and the guard that refuses DDL on the "
        "append-only tables outside migrations. Changes nothing that is in place already."
    )

    def handle(self, *args, **options):
        name = connections["default"].settings_dict["NAME"]
        owner, runtime = settings.DATABASE_OWNER_ROLE, settings.DATABASE_RUNTIME_ROLE
        with psycopg.connect(settings.DATABASE_ADMIN_URL, autocommit=True) as admin:
            for role in db_roles.ensure_roles(admin, owner=owner, runtime=runtime):
                self.stdout.write(f"Created the role {role}.")
            exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if exists.fetchone():
                self.stdout.write(f"Database {name} exists.")
            else:
                admin.execute(
                    sql.SQL("CREATE DATABASE {} OWNER {}").format(
                        sql.Identifier(name), sql.Identifier(owner)
                    )
                )
                self.stdout.write(self.style.SUCCESS(f"Created database {name}."))
        params = psycopg.conninfo.conninfo_to_dict(settings.DATABASE_ADMIN_URL)
        with psycopg.connect(**{**params, "dbname": name}, autocommit=True) as admin:
            adopted = db_roles.adopt_database(admin, database=name, owner=owner)
        if adopted:
            self.stdout.write(f"{owner} now owns {adopted} object(s) of {name}.")
