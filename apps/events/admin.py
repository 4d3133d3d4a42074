from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from apps.events import services
from apps.events.models import Delivery


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
