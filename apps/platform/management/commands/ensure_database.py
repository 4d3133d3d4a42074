from django.core.management.base import BaseCommand
from django.db import connections
from psycopg import sql

from apps.platform.db import raw_connection


class Command(BaseCommand):
    help = "Create the configured PostgreSQL database if it does not exist yet."

    def handle(self, *args, **options):
        name = connections["default"].settings_dict["NAME"]
        # Connect to the maintenance database: the target may not exist yet.
        with raw_connection(dbname="postgres") as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            if exists:
                self.stdout.write(f"Database {name} exists.")
                return
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        self.stdout.write(self.style.SUCCESS(f"Created database {name}."))
