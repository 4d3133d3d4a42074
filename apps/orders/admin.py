from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export.admin import ExportMixin, messages

from apps.eventlog.admin import AuditHistoryMixin
from apps.orders import selectors, services
from apps.orders.choices import TERMINAL
from apps.orders.models import Order, OrderLine
from apps.platform.admin_mixins import ReadOnlyAdminMixin
from apps.platform.exceptions import DomainError


class OrderLineInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = OrderLine
    fields = ["item", "location", "quantity", "unit_price", "line_total"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("item", "location")

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("orders.view_order")  # lines are part of the order


@admin.register(Order)
class OrderAdmin(ExportMixin, AuditHistoryMixin, admin.ModelAdmin):
    """Orders are placed through the API and moved by the saga; here they are followed,
    and cancelled through the service."""

    audit_aggregate_type = "orders.order"
    list_display = ["number", "customer_reference", "status", "total", "created_at"]
    list_filter = ["status", "created_at"]
    search_fields = ["number", "customer_reference", "correlation_id"]
    inlines = [OrderLineInline]
    actions = ["cancel_orders"]
    change_form_template = "admin/orders/order/change_form.html"
    readonly_fields = [
        "number", "customer_reference", "status", "subtotal", "discount", "total",
        "pricing_rule", "reason", "correlation_id", "created_by", "created_at", "updated_at",
    ]  # fmt: skip

    def get_queryset(self, request):
        return selectors.order_list(request.user)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        pass  # an order changes only through the saga and the cancel action

    def change_view(self, request, object_id, form_url="", extra_context=None):
        order = self.get_object(request, object_id)
        extra_context = {
            **(extra_context or {}),
            "show_save": False,
            "show_save_and_continue": False,
            "show_save_and_add_another": False,
        }
        if order is not None:
            extra_context["workflow"] = selectors.order_workflow(
                order, details=request.user.has_perm("eventlog.view_delivery")
            )
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(description=_("Cancel selected orders"), permissions=["change"])
    def cancel_orders(self, request, queryset):
        cancelled = 0
        for order in queryset.exclude(status__in=TERMINAL):
            try:
                services.order_cancel(
                    order_id=order.pk, actor=request.user, reason=str(_("Cancelled in the admin"))
                )
                cancelled += 1
            except DomainError as error:
                self.message_user(request, f"{order.number}: {error.detail}", messages.ERROR)
        self.message_user(
            request,
            ngettext("Cancelled %(count)d order.", "Cancelled %(count)d orders.", cancelled)
            % {"count": cancelled},
        )
