import json

from django.core.management.base import BaseCommand

from apps.eventlog.registry import registry
from apps.eventlog.selectors import event_catalogue


class Command(BaseCommand):
    help = (
        "List the declared event types: type, version, live topics and the fields of the "
        "public payload (internal: never leaves the portal). --json prints what "
        "GET /api/v1/events/catalogue serves, with each payload's JSON Schema."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="The catalogue as JSON."
        )

    def handle(self, *args, as_json: bool = False, **options):
        if as_json:
            self.stdout.write(json.dumps(event_catalogue(), indent=2, ensure_ascii=False))
            return
        for event_type in registry.event_types():
            topics = ",".join(event_type.live.topics) if event_type.live else "-"
            public = ",".join(event_type.public_fields()) if event_type.public else "(internal)"
            self.stdout.write(f"{event_type.name}\tv{event_type.version}\t{topics}\t{public}")
