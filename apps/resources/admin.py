import zoneinfo
from datetime import UTC, date, datetime, timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from apps.core.admin_mixins import CatalogueAdminMixin
from apps.eventlog.admin import AuditHistoryMixin
from apps.platform.exceptions import DomainError
from apps.resources import selectors, services
from apps.resources.choices import AllocationStatus
from apps.resources.exceptions import AllocationConflict
from apps.resources.models import Allocation, Project, Resource, Skill
from apps.resources.services import AllocationItem
from apps.resources.timeline import timeline_bar


class CatalogueAdmin(CatalogueAdminMixin, AuditHistoryMixin, admin.ModelAdmin):
    """Skills, resources and projects are written through the catalogue service."""


@admin.register(Skill)
class SkillAdmin(CatalogueAdmin):
    audit_aggregate_type = "resources.skill"
    list_display = ["name", "description"]
    search_fields = ["name"]


@admin.register(Resource)
class ResourceAdmin(CatalogueAdmin):
    audit_aggregate_type = "resources.resource"
    list_display = ["name", "kind", "hourly_cost", "timezone", "active", "timeline_link"]
    list_filter = ["kind", "active", "skills"]
    search_fields = ["name"]
    filter_horizontal = ["skills"]

    @admin.display(description=_("timeline"))
    def timeline_link(self, resource):
        url = reverse("admin:resources_resource_timeline", args=[resource.pk])
        return format_html('<a href="{}">{}</a>', url, _("Timeline"))

    def get_urls(self):
        return [
            path(
                "<int:resource_id>/timeline/",
                self.admin_site.admin_view(self.timeline_view),
                name="resources_resource_timeline",
            ),
            *super().get_urls(),
        ]

    def timeline_view(self, request, resource_id):
        """A resource's bookings as bars over a day or a week, in its own time zone."""
        resource = get_object_or_404(Resource, pk=resource_id)
        if not self.has_view_permission(request, resource):
            raise admin.sites.PermissionDenied
        span = "day" if request.GET.get("span") == "day" else "week"
        zone = zoneinfo.ZoneInfo(resource.timezone)
        try:
            first = date.fromisoformat(request.GET.get("date", ""))
            if not date(1900, 1, 1) <= first <= date(9000, 1, 1):
                raise ValueError(first)
        except ValueError:
            first = timezone.localdate(timezone=zone)
        if span == "week":
            first -= timedelta(days=first.weekday())
        days = [first + timedelta(days=n) for n in range(1 if span == "day" else 7)]
        lanes = []
        for day in days:
            # Local midnights, in UTC for the arithmetic: a DST day lasts 23 or 25 hours.
            start = datetime.combine(day, datetime.min.time(), tzinfo=zone).astimezone(UTC)
            end = datetime.combine(day + timedelta(days=1), datetime.min.time(), tzinfo=zone)
            end = end.astimezone(UTC)
            bars = []
            for allocation in selectors.resource_bookings(
                resource_id=resource.pk, starts_at=start, ends_at=end
            ):
                bar = timeline_bar(allocation, starts_at=start, ends_at=end)
                label = (
                    f"{allocation.project.code} "
                    f"{bar.starts_at.astimezone(zone):%H:%M}-{bar.ends_at.astimezone(zone):%H:%M}"
                )
                bars.append({"bar": bar, "label": label})
            lanes.append({"day": day, "bars": bars})
        step = timedelta(days=1 if span == "day" else 7)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Timeline of %(name)s") % {"name": resource.name},
            "resource": resource,
            "span": span,
            "lanes": lanes,
            "hours": range(0, 24, 3),
            "previous": (first - step).isoformat(),
            "next": (first + step).isoformat(),
            "first": first.isoformat(),
        }
        return TemplateResponse(request, "admin/resources/timeline.html", context)


@admin.register(Project)
class ProjectAdmin(CatalogueAdmin):
    audit_aggregate_type = "resources.project"
    list_display = ["code", "name", "active", "created_at"]
    list_filter = ["active"]
    search_fields = ["code", "name"]


class DayFilter(admin.SimpleListFilter):
    """Allocations that touch a given day (the portal's time zone)."""

    title = _("day")
    parameter_name = "day"

    def lookups(self, request, model_admin):
        today = timezone.localdate()
        return [
            ((today + timedelta(days=n)).isoformat(), label)
            for n, label in [(-1, _("Yesterday")), (0, _("Today")), (1, _("Tomorrow"))]
        ] + [
            ((today + timedelta(days=n)).isoformat(), f"{today + timedelta(days=n):%a %d %b}")
            for n in range(2, 7)
        ]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        try:
            day = date.fromisoformat(self.value())
            start = timezone.make_aware(datetime.combine(day, datetime.min.time()))
            end = start + timedelta(days=1)
        except (ValueError, OverflowError):
            return queryset.none()
        return queryset.filter(period__overlap=(start, end))


class AllocationAddForm(forms.ModelForm):
    """Booking from the admin goes through the booking service, so the same rules, events
    and conflict messages apply as in the API."""

    starts_at = forms.SplitDateTimeField(label=_("from"), widget=AdminSplitDateTime)
    ends_at = forms.SplitDateTimeField(label=_("to"), widget=AdminSplitDateTime)
    actor = None  # set per request by the admin

    class Meta:
        model = Allocation
        fields = ["resource", "project", "starts_at", "ends_at", "note"]

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        try:
            # The admin's view runs in one transaction: this booking commits with it.
            [self.booked] = services.allocate(
                project_id=cleaned["project"].pk,
                items=[
                    AllocationItem(cleaned["resource"].pk, cleaned["starts_at"], cleaned["ends_at"])
                ],
                note=cleaned.get("note", ""),
                actor=self.actor,
            )
        except ValidationError as error:
            raise ValidationError(
                [message for messages_ in error.message_dict.values() for message in messages_]
            ) from None
        except AllocationConflict as error:
            raise ValidationError(
                [error.detail]
                + [
                    _("In the way: %(resource)s, %(start)s to %(end)s (booking %(id)s).")
                    % {
                        "resource": c["resource_name"],
                        "start": timezone.localtime(c["from"]).strftime("%Y-%m-%d %H:%M"),
                        "end": timezone.localtime(c["to"]).strftime("%Y-%m-%d %H:%M"),
                        "id": c["allocation"],
                    }
                    for c in error.conflicts
                ]
            ) from None
        except DomainError as error:
            raise ValidationError(error.detail) from None
        return cleaned

    def _post_clean(self):
        pass  # the service validated and saved the booking


@admin.register(Allocation)
class AllocationAdmin(AuditHistoryMixin, admin.ModelAdmin):
    audit_aggregate_type = "resources.allocation"
    list_display = ["id", "resource", "project", "starts", "ends", "status", "created_by"]
    list_filter = ["status", DayFilter, "project", "resource"]
    list_select_related = ["resource", "project", "created_by"]
    search_fields = ["resource__name", "project__code", "note"]
    actions = ["cancel_allocations"]

    @admin.display(description=_("from"), ordering="period")
    def starts(self, allocation):
        return allocation.period.lower

    @admin.display(description=_("to"))
    def ends(self, allocation):
        return allocation.period.upper

    def get_form(self, request, obj=None, **kwargs):
        if obj is not None:
            return super().get_form(request, obj, **kwargs)
        form = super().get_form(request, obj, form=AllocationAddForm, **kwargs)
        form.actor = request.user
        return form

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["resource", "project", "starts_at", "ends_at", "note"]
        return [
            "resource", "project", "period", "status", "note", "created_by", "created_at",
            "cancelled_at", "cancelled_by", "cancel_reason",
        ]  # fmt: skip

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj) if obj is not None else []

    def save_form(self, request, form, change):
        # Nothing of a booking is edited here (all fields are read-only): it is cancelled.
        return form.instance if change else form.booked

    def save_model(self, request, obj, form, change):
        pass  # booked by the service in the form's validation

    def save_related(self, request, form, formsets, change):
        pass

    def has_delete_permission(self, request, obj=None):
        return False  # bookings are cancelled, never deleted: they are history

    @admin.action(description=_("Cancel selected allocations"), permissions=["change"])
    def cancel_allocations(self, request, queryset):
        booked = list(queryset.filter(status=AllocationStatus.BOOKED).values_list("pk", flat=True))
        for pk in booked:
            services.allocation_cancel(
                allocation_id=pk, actor=request.user, reason=str(_("Cancelled in the admin"))
            )
        self.message_user(
            request,
            ngettext(
                "Cancelled %(count)d allocation.", "Cancelled %(count)d allocations.", len(booked)
            )
            % {"count": len(booked)},
            messages.SUCCESS,
        )
