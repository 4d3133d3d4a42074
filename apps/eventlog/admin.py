import json

from django.contrib import admin, messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from apps.eventlog import selectors, services
from apps.eventlog.models import Delivery, Event
from apps.platform.admin_mixins import ReadOnlyAdminMixin


class RecentValuesFilter(admin.SimpleListFilter):
    """Choices from the latest events only: listing every distinct value would scan the
    whole log on each page view."""

    field: str

    def lookups(self, request, model_admin):
        return [(value, value) for value in selectors.recent_values(self.field)]

    def queryset(self, request, queryset):
        return queryset.filter(**{self.field: self.value()}) if self.value() else queryset


class TypeFilter(RecentValuesFilter):
    title = _("type")
    parameter_name = "type"
    field = "type"


class AggregateTypeFilter(RecentValuesFilter):
    title = _("aggregate type")
    parameter_name = "aggregate_type"
    field = "aggregate_type"


class ActorFilter(RecentValuesFilter):
    title = _("actor")
    parameter_name = "actor"
    field = "actor__username"

    def queryset(self, request, queryset):
        return selectors.events_by_actor(queryset, self.value()) if self.value() else queryset


@admin.register(Event)
class EventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The audit log: read-only for everyone, superusers included."""

    list_display = ["seq", "recorded_at", "type", "aggregate", "actor_name", "correlation_id"]
    list_filter = [TypeFilter, AggregateTypeFilter, ActorFilter, "recorded_at"]
    search_fields = ["=aggregate_id", "=correlation_id", "=id"]
    readonly_fields = ["pretty_payload", "pretty_actor"]
    exclude = ["payload", "actor", "signature"]
    show_full_result_count = False

    @admin.display(description=_("aggregate"))
    def aggregate(self, event):
        return f"{event.aggregate_type}:{event.aggregate_id}"

    @admin.display(description=_("actor"))
    def actor_name(self, event):
        return f"{event.actor.get('username')} ({event.actor.get('auth')})"

    @admin.display(description=_("payload"))
    def pretty_payload(self, event):
        return format_html("<pre>{}</pre>", json.dumps(event.payload, indent=2, ensure_ascii=False))

    @admin.display(description=_("actor"))
    def pretty_actor(self, event):
        return format_html("<pre>{}</pre>", json.dumps(event.actor, indent=2, ensure_ascii=False))

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Event._meta.fields if field.name not in self.exclude] + [
            *self.readonly_fields
        ]


class AuditHistoryMixin:
    """The admin's History button opens the object's events in the audit log."""

    audit_aggregate_type: str

    def history_view(self, request, object_id, extra_context=None):
        query = urlencode({"aggregate_type": self.audit_aggregate_type, "aggregate_id": object_id})
        return redirect(f"{reverse('admin:eventlog_event_changelist')}?{query}")


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    """Deliveries are written by the event backbone; people look at them and replay
    dead letters."""

    list_display = ["id", "subscriber", "event_type", "status", "attempts", "updated_at"]
    list_filter = ["status", "subscriber", "event_type"]
    search_fields = ["=event_id", "subscriber", "event_type", "last_error"]
    readonly_fields = [field.name for field in Delivery._meta.fields]
    actions = ["replay"]
    date_hierarchy = "updated_at"

    @admin.action(description=_("Replay selected dead letters"), permissions=["change"])
    def replay(self, request, queryset):
        replayed = services.dead_letters_replay(deliveries=queryset, actor=request.user)
        self.message_user(
            request,
            ngettext(
                "Replayed %(count)d dead letter.", "Replayed %(count)d dead letters.", len(replayed)
            )
            % {"count": len(replayed)},
            messages.SUCCESS,
        )

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
