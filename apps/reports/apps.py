from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """Reports: PostgreSQL materialized views over bookings, stock and orders, refreshed
    concurrently by the worker and by `manage.py refresh_reports`."""

    name = "apps.reports"
    label = "reports"
    verbose_name = _("Reports")
