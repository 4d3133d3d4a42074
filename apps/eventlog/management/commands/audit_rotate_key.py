import json
import secrets

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from apps.eventlog.keys import KEY_ID


class Command(BaseCommand):
    help = (
        "Make a new audit key and print the two settings that make it the one that signs: "
        "AUDIT_SIGNING_KEYS with every current key kept (they go on verifying what they "
        "signed) and AUDIT_SIGNING_KEY_ID. Put them where the deployment keeps its "
        "secrets and restart the processes; nothing is written to the database."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--id", dest="key_id", help="The new key's id (default: audit-YYYYMMDD)."
        )

    def handle(self, *args, key_id=None, **options):
        key_id = key_id or f"audit-{timezone.now():%Y%m%d}"
        if not KEY_ID.match(key_id):
            raise CommandError(f"{key_id!r} is not a key id: lowercase letters, digits, . _ -.")
        if key_id in settings.AUDIT_SIGNING_KEYS:
            raise CommandError(f"There is a key {key_id!r} already: choose another --id.")
        keys = {**settings.AUDIT_SIGNING_KEYS, key_id: secrets.token_urlsafe(48)}
        self.stdout.write(f"AUDIT_SIGNING_KEYS={json.dumps(keys, separators=(',', ':'))}")
        self.stdout.write(f"AUDIT_SIGNING_KEY_ID={key_id}")
