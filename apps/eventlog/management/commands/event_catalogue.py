import json

from django.core.management.base import BaseCommand

from apps.eventlog.registry import registry
from apps.eventlog.selectors import event_catalogue
from apps.eventlog.services import portal_domains


def public_events_markdown() -> str:
    """The portal's own public event types, as README.md lists them."""
    domains = portal_domains()
    rows = [
        "| type | v | live message (topics) | public fields | what happened |",
        "| --- | --- | --- | --- | --- |",
    ]
    for event_type in registry.event_types():
        if event_type.public is None or event_type.name.split(".", 1)[0] not in domains:
            continue
        live = event_type.live
        topics = [*live.topics, *([live.own_topic] if live.own_topic else [])] if live else []
        message = f"`{live.message}` ({', '.join(topics)})" if live else ""
        fields = ", ".join(event_type.public_fields())
        rows.append(
            f"| `{event_type.name}` | {event_type.version} | {message} | {fields} |"
            f" {event_type.description} |"
        )
    return "\n".join(rows)


class Command(BaseCommand):
    help = (
        "List the declared event types: type, version, live topics and the fields of the "
        "public payload (internal: never leaves the portal). --json prints what "
        "GET /api/v1/events/catalogue/ serves, with each payload's JSON Schema; --markdown "
        "the table of the portal's public events that README.md carries."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="The catalogue as JSON."
        )
        parser.add_argument(
            "--markdown", action="store_true", help="The public events as a Markdown table."
        )

    def handle(self, *args, as_json: bool = False, markdown: bool = False, **options):
        if as_json:
            self.stdout.write(json.dumps(event_catalogue(), indent=2, ensure_ascii=False))
            return
        if markdown:
            self.stdout.write(public_events_markdown())
            return
        for event_type in registry.event_types():
            topics = ",".join(event_type.live.topics) if event_type.live else "-"
            public = ",".join(event_type.public_fields()) if event_type.public else "(internal)"
            self.stdout.write(f"{event_type.name}\tv{event_type.version}\t{topics}\t{public}")
