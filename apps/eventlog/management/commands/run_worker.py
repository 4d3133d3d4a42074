from django.core.management.base import BaseCommand

from apps.eventlog.worker import RelayWorker
from apps.platform.db_roles import refuse_privileged_connection
from apps.platform.metrics import serve_metrics


class Command(BaseCommand):
    help = (
        "Relay committed events to their subscribers: claims due deliveries, wakes on "
        "LISTEN/NOTIFY, retries with backoff, dead-letters after the last attempt. Any "
        "number of workers may run side by side."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Relay what is due, then exit.")
        parser.add_argument("--batch-size", type=int, default=None)

    def handle(self, *args, once=False, batch_size=None, **options):
        refuse_privileged_connection()
        if not once:
            serve_metrics()
        RelayWorker(batch_size=batch_size).run(once=once)
