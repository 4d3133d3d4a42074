import json

from django.contrib import admin
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from apps.audit.models import Event
from apps.core.admin_mixins import ReadOnlyAdminMixin


class ActorFilter(admin.SimpleListFilter):
    title = _("actor")
    parameter_name = "actor"

    def lookups(self, request, model_admin):
        # The most active users of the last events only: the log may hold millions.
        recent = Event.objects.order_by("-seq").values_list("actor__username", flat=True)[:2000]
        return [(name, name) for name in sorted({name for name in recent if name})]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(actor__username=self.value())
        return queryset


@admin.register(Event)
class EventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The audit log: read-only for everyone, superusers included."""

    list_display = ["seq", "recorded_at", "type", "aggregate", "actor_name", "correlation_id"]
    list_filter = ["type", "aggregate_type", ActorFilter, "recorded_at"]
    search_fields = ["=aggregate_id", "=correlation_id", "=id"]
    date_hierarchy = "recorded_at"
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
        return redirect(f"{reverse('admin:audit_event_changelist')}?{query}")
