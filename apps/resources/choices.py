from django.db import models
from django.utils.translation import gettext_lazy as _


class ResourceKind(models.TextChoices):
    PERSON = "person", _("person")
    EQUIPMENT = "equipment", _("equipment")
    VEHICLE = "vehicle", _("vehicle")
    ROOM = "room", _("room")


class AllocationStatus(models.TextChoices):
    BOOKED = "booked", _("booked")
    CANCELLED = "cancelled", _("cancelled")


class MatchStrategy(models.TextChoices):
    HUNGARIAN = "hungarian", _("optimal (Hungarian)")
    GREEDY = "greedy", _("greedy")
