"""Writes of the reports app: refreshing the materialized views."""

import time

from django.db import connection, transaction
from django.utils import timezone

from apps.reports.models import ReportRefresh
from apps.reports.selectors import REPORTS


def reports_refresh(names: list[str] | None = None) -> dict[str, float]:
    """Refresh the reports named (every one by default), each concurrently (readers are
    not blocked) in a transaction of its own, and record when; returns the seconds each
    took."""
    taken = {}
    for name in names or list(REPORTS):
        report = REPORTS[name]
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT reports_refresh(%s)", [report.view])
            seconds = time.perf_counter() - started
            ReportRefresh.objects.update_or_create(
                name=name, defaults={"refreshed_at": timezone.now(), "seconds": seconds}
            )
        taken[name] = seconds
    return taken
