from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from apps.eventlog.selectors import audit_partitions
from apps.eventlog.services import audit_partitions_ensure


class Command(BaseCommand):
    help = "Create the audit log's monthly partitions from this month on."

    def add_arguments(self, parser):
        parser.add_argument(
            "--months",
            type=int,
            default=settings.AUDIT_PARTITION_MONTHS,
            help="How many months, this one included (default %(default)s).",
        )

    def handle(self, *args, months, **options):
        if months < 1:
            raise CommandError("--months must be at least 1.")
        created = audit_partitions_ensure(months=months)
        monthly = [name for name in audit_partitions() if name != "audit_event_default"]
        self.stdout.write(
            f"Created {created} partition(s); {len(monthly)} monthly partitions, "
            f"{monthly[0]} to {monthly[-1]}."
        )
