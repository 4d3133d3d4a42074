from django.db import models
from django.utils.translation import gettext_lazy as _


class LocationKind(models.TextChoices):
    WAREHOUSE = "warehouse", _("warehouse")
    BIN = "bin", _("bin")


class MovementKind(models.TextChoices):
    RECEIPT = "receipt", _("receipt")
    ISSUE = "issue", _("issue")
    ADJUSTMENT = "adjustment", _("adjustment")
    TRANSFER_OUT = "transfer_out", _("transfer out")
    TRANSFER_IN = "transfer_in", _("transfer in")
    RESERVATION = "reservation", _("reservation")
    RELEASE = "release", _("release")


class ReplenishmentStatus(models.TextChoices):
    OPEN = "open", _("open")
    RECEIVED = "received", _("received")
    CANCELLED = "cancelled", _("cancelled")


class ReservationStatus(models.TextChoices):
    ACTIVE = "active", _("active")
    RELEASED = "released", _("released")
    ISSUED = "issued", _("issued")
