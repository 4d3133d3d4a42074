from django.core.management.base import BaseCommand, CommandError

from apps.eventlog.backups import restore_check


class Command(BaseCommand):
    help = (
        "Prove a backup: check its sha256 against the manifest, restore it into a scratch "
        "database (dropped afterwards), run verify_audit there and compare the chain's head "
        "with the manifest's (and with the checkpoints up to it). Prints the verdict; exit "
        "status 1 when it fails."
    )

    def add_arguments(self, parser):
        parser.add_argument("backup", help="The .dump file (its manifest lies beside it).")
        parser.add_argument("--checkpoints", help="A checkpoint directory, as verify_audit.")

    def handle(self, *args, backup, checkpoints=None, **options):
        check = restore_check(backup, checkpoints=checkpoints)
        for finding in check.findings:
            self.stdout.write(f"- {finding}")
        if not check.ok:
            raise CommandError("FAILED: the backup cannot be shown to restore whole.")
        self.stdout.write("PASSED: the backup restores whole and its audit log verifies.")
