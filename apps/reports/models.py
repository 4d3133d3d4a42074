"""The reports: each a materialized view (created by the migrations), read through an
unmanaged model; and when each was last refreshed."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportRefresh(models.Model):
    """When a report was last refreshed, and how long that took."""

    name = models.CharField(_("report"), max_length=100, primary_key=True)
    refreshed_at = models.DateTimeField(_("refreshed at"))
    seconds = models.FloatField(_("seconds taken"))

    class Meta:
        verbose_name = _("report refresh")
        verbose_name_plural = _("report refreshes")

    def __str__(self):
        return f"{self.name} at {self.refreshed_at:%Y-%m-%d %H:%M:%S}"


class ResourceUtilisation(models.Model):
    """Booked hours per day (UTC) and resource kind, against the hours the kind's active
    resources had."""

    key = models.CharField(max_length=40, primary_key=True)
    day = models.DateField(_("day"))
    kind = models.CharField(_("kind"), max_length=20)
    booked_hours = models.DecimalField(_("booked hours"), max_digits=14, decimal_places=2)
    resources_booked = models.IntegerField(_("resources booked"))
    resources = models.IntegerField(_("active resources"))
    utilisation = models.DecimalField(_("utilisation"), max_digits=7, decimal_places=4)

    class Meta:
        managed = False
        db_table = "reports_resource_utilisation"
        verbose_name = _("resource utilisation")
        verbose_name_plural = _("resource utilisation")
        ordering = ["-day", "kind"]

    def __str__(self):
        return f"{self.day} {self.kind}"


class StockDaily(models.Model):
    """Stock movements per day (UTC), item and location, and what was on hand, and worth,
    at the day's last movement."""

    key = models.CharField(max_length=60, primary_key=True)
    day = models.DateField(_("day"))
    item = models.ForeignKey("inventory.Item", on_delete=models.DO_NOTHING, verbose_name=_("item"))
    location = models.ForeignKey(
        "inventory.Location", on_delete=models.DO_NOTHING, verbose_name=_("location")
    )
    movements = models.IntegerField(_("movements"))
    quantity_in = models.DecimalField(_("in"), max_digits=14, decimal_places=3)
    quantity_out = models.DecimalField(_("out"), max_digits=14, decimal_places=3)
    on_hand_at_close = models.DecimalField(_("on hand at close"), max_digits=14, decimal_places=3)
    value_at_close = models.DecimalField(_("value at close"), max_digits=16, decimal_places=2)

    class Meta:
        managed = False
        db_table = "reports_stock_daily"
        verbose_name = _("stock per day")
        verbose_name_plural = _("stock per day")
        ordering = ["-day", "item", "location"]

    def __str__(self):
        return f"{self.day} {self.item_id}@{self.location_id}"


class OrderThroughput(models.Model):
    """Orders placed per hour (UTC), by where their saga ended (or stands)."""

    hour = models.DateTimeField(_("hour"), primary_key=True)
    placed = models.IntegerField(_("placed"))
    fulfilled = models.IntegerField(_("fulfilled"))
    rejected = models.IntegerField(_("rejected"))
    cancelled = models.IntegerField(_("cancelled"))
    in_progress = models.IntegerField(_("in progress"))
    seconds_to_fulfil = models.FloatField(_("mean seconds to fulfil"), null=True)

    class Meta:
        managed = False
        db_table = "reports_order_throughput"
        verbose_name = _("order throughput")
        verbose_name_plural = _("order throughput")
        ordering = ["-hour"]

    def __str__(self):
        return f"{self.hour:%Y-%m-%d %H:00}"
