"""What the reports app runs in the worker: the refresh of every report, on a schedule."""

from django.conf import settings

from apps.eventlog.registry import registry
from apps.reports.services import reports_refresh


@registry.periodic("reports.refresh", every_seconds=lambda: settings.REPORTS_REFRESH_SECONDS)
def refresh_reports() -> int:
    return len(reports_refresh())
