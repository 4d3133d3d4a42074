from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.eventlog.backups import backup_create, manifest_of


class Command(BaseCommand):
    help = (
        "Back the database up: pg_dump in custom format, and beside it a manifest with the "
        "dump's sha256, the schema version and the audit chain's head (signed). "
        "manage.py restore_check proves a backup restores whole."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dir", default=settings.BACKUP_DIR, help="Default: BACKUP_DIR.")
        parser.add_argument(
            "--keep", type=int, default=None, help="Keep only the newest N backups there."
        )

    def handle(self, *args, dir, keep=None, **options):
        if not dir:
            raise CommandError("Say where: --dir, or BACKUP_DIR.")
        dump = backup_create(directory=dir, keep=keep)
        self.stdout.write(f"{dump}\n{manifest_of(dump)}")
