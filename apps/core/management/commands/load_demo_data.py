from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from apps.core.models import SystemSetting

# Which fixture files have been loaded, so that later runs leave edited demo data alone.
LOADED_MARKER = "portal.demo_data"


class Command(BaseCommand):
    help = "Load each demo fixture in fixtures/ once (a fixture is never loaded twice)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Load every fixture again.")

    def handle(self, *args, force=False, **options):
        fixtures = sorted((settings.BASE_DIR / "fixtures").glob("*.json"))
        with transaction.atomic():
            marker, _created = SystemSetting.objects.select_for_update().get_or_create(
                key=LOADED_MARKER,
                defaults={
                    "value": {"loaded": []},
                    "description": "Demo fixtures already loaded (load_demo_data).",
                },
            )
            loaded = set() if force else set(marker.value.get("loaded", []))
            pending = [path for path in fixtures if path.name not in loaded]
            for path in pending:
                call_command("loaddata", str(path), verbosity=0)
                loaded.add(path.name)
                self.stdout.write(f"Loaded demo data {path.name}.")
            if pending:
                marker.value = {"loaded": sorted(loaded), "at": timezone.now().isoformat()}
                marker.save(update_fields=["value", "updated_at"])
            else:
                self.stdout.write("Demo data already loaded.")
