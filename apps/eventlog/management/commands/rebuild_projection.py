from django.core.management.base import BaseCommand, CommandError

from apps.eventlog.projections import RebuildRunning, projection_rebuild
from apps.eventlog.registry import registry


class Command(BaseCommand):
    help = "Rebuild a projection (a read model kept from events) from the audit log."

    def add_arguments(self, parser):
        parser.add_argument("name", help="The projection's name.")

    def handle(self, *args, name, **options):
        projection = registry.get_projection(name)
        if projection is None:
            known = ", ".join(p.name for p in registry.all_projections()) or "none"
            raise CommandError(f"There is no projection {name!r} (known: {known}).")
        try:
            applied = projection_rebuild(projection)
        except RebuildRunning as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Rebuilt {name} from {applied} event(s).")
