from collections.abc import Callable

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils.module_loading import import_string, module_has_submodule

from apps.core.models import DemoFixture


def demo_steps() -> list[tuple[str, Callable[[], str]]]:
    """The steps each app's demo.py lists in STEPS (name → function returning a line that
    says what it did), by name: demo data that fixtures cannot express (bookings in the
    current week, made through the services so they have their events too)."""
    steps = {}
    for config in apps.get_app_configs():
        if module_has_submodule(config.module, "demo"):
            steps.update(import_string(f"{config.name}.demo.STEPS"))
    return sorted(steps.items())


class Command(BaseCommand):
    help = (
        "Load each demo fixture in fixtures/ once, then run each app's demo steps once "
        "(nothing is loaded twice)."
    )

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
            steps = [(name, step) for name, step in demo_steps() if f"step:{name}" not in loaded]
            for name, step in steps:
                self.stdout.write(step())
                DemoFixture.objects.update_or_create(name=f"step:{name}")
            pending += steps
        if not pending:
            self.stdout.write("Demo data already loaded.")
