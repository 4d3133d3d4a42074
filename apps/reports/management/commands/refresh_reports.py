from django.core.management.base import BaseCommand, CommandError

from apps.reports.selectors import REPORTS
from apps.reports.services import reports_refresh


class Command(BaseCommand):
    help = "Refresh the reports (every one, or those named), concurrently: readers go on."

    def add_arguments(self, parser):
        parser.add_argument("names", nargs="*", help=f"Of: {', '.join(REPORTS)}.")

    def handle(self, *args, names, **options):
        unknown = sorted(set(names) - set(REPORTS))
        if unknown:
            raise CommandError(
                f"No such report: {', '.join(unknown)}. Reports: {', '.join(REPORTS)}."
            )
        for name, seconds in reports_refresh(names or None).items():
            self.stdout.write(f"{name}\t{seconds:.3f} s")
