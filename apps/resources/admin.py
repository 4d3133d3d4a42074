import zoneinfo
from datetime import UTC, date, datetime, timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export.admin import ExportMixin

from apps.core.admin_mixins import CatalogueAdminMixin, ImportExportThroughServicesMixin
from apps.eventlog.admin import AuditHistoryMixin
from apps.platform.exceptions import DomainError
from apps.resources import imports, selectors, services
from apps.resources.admin_forms import (
    CancelForm,
    DemandFormSet,
    MatchForm,
    MultiBookingForm,
    refusal_messages,
)
from apps.resources.choices import AllocationStatus
from apps.resources.models import Allocation, Project, Resource, Skill
from apps.resources.services import AllocationItem
from apps.resources.timeline import timeline_bar


class CatalogueAdmin(
    ImportExportThroughServicesMixin, CatalogueAdminMixin, AuditHistoryMixin, admin.ModelAdmin
):
    """Skills, resources and projects are written through the catalogue service, one by
    one or imported in bulk."""


@admin.register(Skill)
class SkillAdmin(CatalogueAdmin):
    audit_aggregate_type = "resources.skill"
    resource_classes = [imports.SkillResource]
    list_display = ["name", "description"]
    search_fields = ["name"]


@admin.register(Resource)
class ResourceAdmin(CatalogueAdmin):
    audit_aggregate_type = "resources.resource"
    resource_classes = [imports.ResourceResource]
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
    resource_classes = [imports.ProjectResource]
    list_display = ["code", "name", "active", "created_at"]
    list_filter = ["active"]
    search_fields = ["code", "name"]


class _OverlapFilter(admin.SimpleListFilter):
    """Allocations that touch the `length` days from the chosen one (the current time zone)."""

    length: int

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        try:
            first = date.fromisoformat(self.value())
            start = timezone.make_aware(datetime.combine(first, datetime.min.time()))
            end = timezone.make_aware(
                datetime.combine(first + timedelta(days=self.length), datetime.min.time())
            )
        except (ValueError, OverflowError):
            return queryset.none()
        return queryset.filter(period__overlap=(start, end))


class DayFilter(_OverlapFilter):
    title = _("day")
    parameter_name = "day"
    length = 1

    def lookups(self, request, model_admin):
        today = timezone.localdate()
        return [
            ((today + timedelta(days=n)).isoformat(), label)
            for n, label in [(-1, _("Yesterday")), (0, _("Today")), (1, _("Tomorrow"))]
        ] + [
            (
                (today + timedelta(days=n)).isoformat(),
                date_format(today + timedelta(days=n), "D j M"),
            )
            for n in range(2, 7)
        ]


class WeekFilter(_OverlapFilter):
    """The week from a Monday."""

    title = _("week")
    parameter_name = "week"
    length = 7

    def lookups(self, request, model_admin):
        today = timezone.localdate()
        monday = today - timedelta(days=today.weekday())
        return [
            ((monday + timedelta(days=7 * n)).isoformat(), label)
            for n, label in [(-1, _("Last week")), (0, _("This week")), (1, _("Next week"))]
        ]


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
        except (ValidationError, DomainError) as error:
            raise ValidationError(refusal_messages(error)) from None
        return cleaned

    def _post_clean(self):
        pass  # the service validated and saved the booking


@admin.register(Allocation)
class AllocationAdmin(ExportMixin, AuditHistoryMixin, admin.ModelAdmin):
    audit_aggregate_type = "resources.allocation"
    change_list_template = "admin/resources/allocation/change_list.html"
    resource_classes = [imports.AllocationExport]
    list_display = ["id", "resource", "project", "starts", "ends", "status", "created_by"]
    list_filter = ["status", DayFilter, WeekFilter, "project", "resource"]
    list_select_related = ["resource", "project", "created_by"]
    search_fields = ["resource__name", "project__code", "note"]
    actions = ["cancel_allocations"]

    def get_urls(self):
        return [
            path("book/", self.admin_site.admin_view(self.book_view),
                 name="resources_allocation_book"),
            path("match/", self.admin_site.admin_view(self.match_view),
                 name="resources_allocation_match"),
            *super().get_urls(),
        ]  # fmt: skip

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_book": self.has_add_permission(request),
        }
        return super().changelist_view(request, extra_context)

    def _page(self, request, template: str, title, **context):
        return TemplateResponse(
            request,
            f"admin/resources/{template}",
            {**self.admin_site.each_context(request), "opts": self.model._meta,
             "title": title, **context},
        )  # fmt: skip

    def book_view(self, request):
        """Several resources for one project and window, all or nothing."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = MultiBookingForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                booked = services.allocate(
                    project_id=data["project"].pk,
                    items=[
                        AllocationItem(resource.pk, data["starts_at"], data["ends_at"])
                        for resource in data["resources"]
                    ],
                    note=data["note"],
                    actor=request.user,
                )
            except (DomainError, ValidationError) as error:
                for message in refusal_messages(error):
                    form.add_error(None, message)
            else:
                self.message_user(
                    request,
                    ngettext("Booked %(count)d resource.", "Booked %(count)d resources.",
                             len(booked)) % {"count": len(booked)},
                    messages.SUCCESS,
                )  # fmt: skip
                return redirect("admin:resources_allocation_changelist")
        return self._page(request, "book.html", _("Book several resources"), form=form)

    def match_view(self, request):
        """Demands matched to resources by the solver; booked for a project when asked."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = MatchForm(request.POST or None)
        demands = DemandFormSet(request.POST or None, prefix="demands")
        plan = None
        if request.method == "POST" and form.is_valid() and demands.is_valid():
            project = form.cleaned_data["project"]
            if project is not None and not self.has_add_permission(request):
                raise PermissionDenied
            wanted = [d.demand() for d in demands if d.has_changed() and d.cleaned_data]
            if not wanted:
                form.add_error(None, _("Describe at least one demand."))
            else:
                try:
                    plan = services.match(
                        demands=wanted, resource_ids=None, strategy=form.cleaned_data["strategy"],
                        project_id=project.pk if project else None, actor=request.user,
                        note=form.cleaned_data["note"],
                    )  # fmt: skip
                except (DomainError, ValidationError) as error:
                    for message in refusal_messages(error):
                        form.add_error(None, message)
        rows = []
        if plan is not None:
            assigned = {row: (resource, cost) for row, resource, cost in plan.assignment.pairs}
            reasons = dict(plan.assignment.unassigned)
            for row, demand in enumerate(plan.demands):
                resource, cost = assigned.get(row, (None, None))
                rows.append({
                    "demand": demand, "resource": plan.names.get(resource), "cost": cost,
                    "reason": reasons.get(row, ""), "booking": plan.allocation_ids.get(row),
                })  # fmt: skip
        return self._page(
            request, "match.html", _("Find a match"), form=form, demands=demands, rows=rows,
            booked=bool(plan and plan.allocation_ids),
        )  # fmt: skip

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

    @admin.action(description=_("Cancel selected allocations…"), permissions=["change"])
    def cancel_allocations(self, request, queryset):
        """Asks why first; the reason is kept with each cancellation."""
        booked = list(queryset.filter(status=AllocationStatus.BOOKED).values_list("pk", flat=True))
        form = CancelForm(request.POST if "apply" in request.POST else None)
        if not ("apply" in request.POST and form.is_valid()):
            return self._page(
                request, "cancel.html", _("Cancel bookings"), form=form,
                allocations=queryset.filter(pk__in=booked).select_related("resource", "project"),
                selected=[str(pk) for pk in booked],
                action_checkbox_name=helpers.ACTION_CHECKBOX_NAME,
            )  # fmt: skip
        for pk in booked:
            services.allocation_cancel(
                allocation_id=pk, actor=request.user, reason=form.cleaned_data["reason"]
            )
        self.message_user(
            request,
            ngettext(
                "Cancelled %(count)d allocation.", "Cancelled %(count)d allocations.", len(booked)
            )
            % {"count": len(booked)},
            messages.SUCCESS,
        )
