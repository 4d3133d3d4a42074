from django.core.management.base import BaseCommand, CommandError

from apps.eventlog.sealing import RebaselineRefused, audit_rebaseline


class Command(BaseCommand):
    help = (
        "After restoring the database into another PostgreSQL cluster (pg_restore of a "
        "logical dump): seal every event the log holds and adopt this cluster, so that "
        "sealing and verification go on. Run it with the portal stopped; the worker says "
        "when it is needed (audit.sealing_stopped_in_another_cluster)."
    )

    def handle(self, *args, **options):
        try:
            sealed = audit_rebaseline()
        except RebaselineRefused as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Adopted this cluster; sealed {sealed} event(s) restored unsealed.")
