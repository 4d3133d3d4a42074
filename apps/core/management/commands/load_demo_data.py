from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection, transaction

from apps.core.models import DemoFixture


class Command(BaseCommand):
    help = "Load each demo fixture in fixtures/ once (a fixture is never loaded twice)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Load every fixture again.")

    def handle(self, *args, force=False, **options):
        fixtures = sorted((settings.BASE_DIR / "fixtures").glob("*.json"))
        with transaction.atomic():
            # One loader at a time: two `make run`s must not both load a fixture.
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(hashtext('fusionops.demo_data'))")
            loaded = set() if force else set(DemoFixture.objects.values_list("name", flat=True))
            pending = [path for path in fixtures if path.name not in loaded]
            for path in pending:
                call_command("loaddata", str(path), verbosity=0)
                DemoFixture.objects.update_or_create(name=path.name)
                self.stdout.write(f"Loaded demo data {path.name}.")
        if not pending:
            self.stdout.write("Demo data already loaded.")
