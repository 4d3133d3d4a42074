import functools
import zoneinfo
from datetime import time
from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import ArrayField, DateTimeRangeField, RangeOperators
from django.contrib.postgres.indexes import GistIndex
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from apps.resources.choices import AllocationStatus, ResourceKind

WEEKDAYS = (1, 2, 3, 4, 5, 6, 7)  # ISO: Monday is 1


@functools.cache
def _time_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())  # reads the zone files: once


def is_time_zone(value: str) -> bool:
    return value in _time_zones()


def validate_timezone(value: str) -> None:
    if value not in _time_zones():
        raise ValidationError(_("%(value)s is not an IANA time zone."), params={"value": value})


def default_work_days() -> list[int]:
    return [1, 2, 3, 4, 5]


class Skill(models.Model):
    """Something a resource can do ("welding", "forklift licence", "CNC")."""

    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"),
                name="resources_skill_name_unique",
                violation_error_code="unique",
                violation_error_message=_("A skill with this name exists."),
            ),
            models.CheckConstraint(
                condition=~models.Q(name=""), name="resources_skill_name_not_empty"
            ),
        ]

    def __str__(self):
        return self.name


class Resource(models.Model):
    """A person, machine, vehicle or room that can be booked.

    Working hours are local to the resource's time zone, on the listed ISO weekdays; an end
    of 00:00 means midnight at the end of the day."""

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=ResourceKind.choices)
    skills = models.ManyToManyField(Skill, verbose_name=_("skills"), blank=True)
    # Unknown or free: 0, so a resource can be created before its cost is known.
    hourly_cost = models.DecimalField(
        _("hourly cost"), max_digits=10, decimal_places=2, default=Decimal("0")
    )
    timezone = models.CharField(
        _("time zone"), max_length=64, default="UTC", validators=[validate_timezone]
    )
    work_days = ArrayField(
        models.PositiveSmallIntegerField(),
        verbose_name=_("working days"),
        default=default_work_days,
        help_text=_("ISO weekdays: 1 is Monday, 7 is Sunday."),
    )
    work_start = models.TimeField(_("working hours start"), default=time(8, 0))
    work_end = models.TimeField(
        _("working hours end"), default=time(17, 0), help_text=_("00:00 means midnight.")
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=ResourceKind.values), name="resources_resource_kind"
            ),
            models.CheckConstraint(
                condition=models.Q(hourly_cost__gte=0), name="resources_resource_cost_not_negative"
            ),
            models.CheckConstraint(
                condition=models.Q(work_days__contained_by=list(WEEKDAYS)),
                name="resources_resource_work_days_iso",
            ),
            models.CheckConstraint(
                condition=models.Q(work_end__gt=models.F("work_start"))
                | models.Q(work_end=time(0, 0)),
                name="resources_resource_work_hours_order",
            ),
            models.CheckConstraint(
                condition=~models.Q(name=""), name="resources_resource_name_not_empty"
            ),
        ]
        indexes = [models.Index(fields=["kind", "active"], name="resources_kind_active_idx")]

    def __str__(self):
        return self.name


PROJECT_CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$"
PROJECT_CODE_MESSAGE = _("Use letters, digits, '_', '.' and '-', starting with a letter or digit.")


class Project(models.Model):
    """What bookings are for: a job, a customer order, a maintenance campaign."""

    code = models.CharField(
        _("code"),
        max_length=32,
        unique=True,
        validators=[
            RegexValidator(PROJECT_CODE_PATTERN.removesuffix("$") + r"\Z", PROJECT_CODE_MESSAGE)
        ],
    )
    name = models.CharField(_("name"), max_length=200)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(code__regex=PROJECT_CODE_PATTERN),
                name="resources_project_code_format",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.name}"


class Allocation(models.Model):
    """A resource booked for a project over a half-open period [from, to).

    The exclusion constraint is the guarantee against double-booking: two booked periods of
    one resource never overlap, whatever path wrote them. Touching periods do not overlap."""

    resource = models.ForeignKey(
        Resource, verbose_name=_("resource"), on_delete=models.PROTECT, related_name="allocations"
    )
    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="allocations"
    )
    period = DateTimeRangeField(_("period"))
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AllocationStatus.choices,
        default=AllocationStatus.BOOKED,
    )
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cancelled by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)

    class Meta:
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        ordering = ["-id"]
        constraints = [
            ExclusionConstraint(
                name="resources_allocation_no_overlap",
                expressions=[
                    ("resource", RangeOperators.EQUAL),
                    ("period", RangeOperators.OVERLAPS),
                ],
                condition=models.Q(status=AllocationStatus.BOOKED),
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=AllocationStatus.values),
                name="resources_allocation_status",
            ),
            # Bounded, non-empty and half-open: [from, to).
            models.CheckConstraint(
                condition=models.Q(
                    period__isempty=False,
                    period__lower_inc=True,
                    period__upper_inc=False,
                    period__lower_inf=False,
                    period__upper_inf=False,
                ),
                name="resources_allocation_period_half_open",
            ),
            models.CheckConstraint(
                condition=models.Q(status=AllocationStatus.BOOKED, cancelled_at__isnull=True)
                | models.Q(status=AllocationStatus.CANCELLED, cancelled_at__isnull=False),
                name="resources_allocation_cancelled_at",
            ),
        ]
        indexes = [
            models.Index(fields=["project", "id"], name="resources_alloc_project_idx"),
            # The exclusion constraint's index covers booked rows only; lists filter all.
            GistIndex(fields=["period"], name="resources_alloc_period_idx"),
        ]

    def __str__(self):
        return f"{self.resource}: {self.period.lower:%Y-%m-%d %H:%M} to {self.period.upper:%H:%M}"


class AllocationHistory(models.Model):
    """The allocation history projection: one row per booking or cancellation event, kept
    by a subscriber. Partitioned by month on `recorded_at` (see its migration), so it is
    unmanaged; the key is (event_id, recorded_at), which makes applying an event twice a
    no-op."""

    event_id = models.UUIDField(_("event"), primary_key=True)
    recorded_at = models.DateTimeField(_("recorded at"))
    allocation_id = models.BigIntegerField(_("allocation"))
    project_id = models.BigIntegerField(_("project"))
    resource_id = models.BigIntegerField(_("resource"))
    starts_at = models.DateTimeField(_("from"))
    ends_at = models.DateTimeField(_("to"))
    status = models.CharField(_("status"), max_length=10, choices=AllocationStatus.choices)
    actor = models.CharField(_("by"), max_length=150, blank=True)

    class Meta:
        managed = False
        db_table = "resources_allocation_history"
        verbose_name = _("allocation history entry")
        verbose_name_plural = _("allocation history")
        ordering = ["recorded_at", "event_id"]

    def __str__(self):
        return f"{self.allocation_id} {self.status} at {self.recorded_at:%Y-%m-%d %H:%M}"
