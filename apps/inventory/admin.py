from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from import_export.admin import ExportMixin

from apps.core.admin_mixins import CatalogueAdminMixin, ImportExportThroughServicesMixin
from apps.eventlog.admin import AuditHistoryMixin
from apps.inventory import imports, services
from apps.inventory.admin_forms import StockMoveForm
from apps.inventory.choices import ReplenishmentStatus
from apps.inventory.models import Item, Location, Replenishment, StockLevel, StockMovement
from apps.inventory.selectors import BELOW_REORDER
from apps.platform.admin_mixins import ReadOnlyAdminMixin
from apps.platform.exceptions import DomainError


class StockLevelInline(ReadOnlyAdminMixin, admin.TabularInline):
    """Quantities change only through movements: shown here, never edited."""

    model = StockLevel
    fields = ["location", "on_hand", "reserved", "reorder_point", "reorder_qty"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("location")


@admin.register(Item)
class ItemAdmin(
    ImportExportThroughServicesMixin, CatalogueAdminMixin, AuditHistoryMixin, admin.ModelAdmin
):
    audit_aggregate_type = "inventory.item"
    resource_classes = [imports.ItemResource]
    list_display = ["sku", "name", "unit", "unit_price", "active", "auto_reorder"]
    list_filter = ["active", "auto_reorder"]
    search_fields = ["sku", "name"]
    inlines = [StockLevelInline]


@admin.register(Location)
class LocationAdmin(
    ImportExportThroughServicesMixin, CatalogueAdminMixin, AuditHistoryMixin, admin.ModelAdmin
):
    audit_aggregate_type = "inventory.location"
    resource_classes = [imports.LocationResource]
    list_display = ["code", "name", "kind", "parent"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]


class BelowReorderFilter(admin.SimpleListFilter):
    title = _("reorder point")
    parameter_name = "below_reorder"

    def lookups(self, request, model_admin):
        return [("yes", _("Below the reorder point")), ("no", _("At or above"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(BELOW_REORDER)
        if self.value() == "no":
            return queryset.exclude(BELOW_REORDER)
        return queryset


MOVE_STOCK = "inventory.add_stockmovement"  # what the API's stock moves require too


@admin.register(StockLevel)
class StockLevelAdmin(ImportExportThroughServicesMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """Levels, highlighted when available stock is under the reorder point. Quantities
    change only through the stock services: receive, issue, adjust, transfer, reserve and
    release from a level's page ("Move stock") or for several levels at once (the action)."""

    list_display = [
        "item", "location", "on_hand", "reserved", "available_marked", "reorder_point",
        "move_link",
    ]  # fmt: skip
    list_filter = [BelowReorderFilter, "location"]
    list_select_related = ["item", "location"]
    search_fields = ["item__sku", "item__name", "location__code"]
    actions = ["move_stock"]
    # Import: opening stock, each row a receipt; export: the levels' on hand.
    resource_classes = [imports.OpeningStockResource]

    def has_move_permission(self, request, obj=None):
        return request.user.has_perm(MOVE_STOCK)

    def has_import_permission(self, request):
        return request.user.has_perm(MOVE_STOCK)

    @admin.display(description=_("move"))
    def move_link(self, level):
        url = reverse("admin:inventory_stocklevel_move", args=[level.pk])
        return format_html('<a href="{}">{}</a>', url, _("Move stock"))

    def get_urls(self):
        return [
            path(
                "<int:level_id>/move/",
                self.admin_site.admin_view(self.move_view),
                name="inventory_stocklevel_move",
            ),
            *super().get_urls(),
        ]

    def _move_page(self, request, levels, form, *, selected=None):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Move stock"),
            "levels": levels,
            "form": form,
            "selected": selected,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/inventory/move_stock.html", context)

    def move_view(self, request, level_id):
        level = get_object_or_404(self.get_queryset(request), pk=level_id)
        if not self.has_move_permission(request):
            raise PermissionDenied
        form = StockMoveForm(request.POST or None)
        if request.method == "POST" and form.is_valid() and form.apply([level], actor=request.user):
            self.message_user(request, _("Done."), messages.SUCCESS)
            return redirect("admin:inventory_stocklevel_changelist")
        return self._move_page(request, [level], form)

    @admin.action(description=_("Move stock of the selected levels"), permissions=["move"])
    def move_stock(self, request, queryset):
        levels = list(queryset.select_related("item", "location"))
        form = StockMoveForm(request.POST if "apply" in request.POST else None)
        if "apply" in request.POST and form.is_valid() and form.apply(levels, actor=request.user):
            self.message_user(
                request,
                ngettext("Moved stock of %(count)d level.", "Moved stock of %(count)d levels.",
                         len(levels)) % {"count": len(levels)},
                messages.SUCCESS,
            )  # fmt: skip
            return None
        return self._move_page(request, levels, form, selected=[str(level.pk) for level in levels])

    @admin.display(description=_("available"))
    def available_marked(self, level):
        if level.below_reorder:
            return format_html('<strong class="errornote">{} ⚠</strong>', level.available)
        return level.available


@admin.register(StockMovement)
class StockMovementAdmin(ExportMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """The ledger: read-only for everyone."""

    list_display = [
        "created_at", "item", "location", "kind", "quantity", "on_hand_after",
        "reserved_after", "reference", "actor",
    ]  # fmt: skip
    list_filter = ["kind", "location", "created_at"]
    list_select_related = ["item", "location", "actor"]
    search_fields = ["item__sku", "reference"]
    show_full_result_count = False


@admin.register(Replenishment)
class ReplenishmentAdmin(ExportMixin, AuditHistoryMixin, admin.ModelAdmin):
    audit_aggregate_type = "inventory.replenishment"
    list_display = ["id", "item", "location", "quantity", "status", "created_at", "closed_at"]
    list_filter = ["status", "location"]
    list_select_related = ["item", "location"]
    readonly_fields = ["item", "location", "quantity", "status", "created_at", "closed_at"]
    actions = ["receive_replenishments", "cancel_replenishments"]

    def has_add_permission(self, request):
        return False  # opened by low stock, or by the services

    def has_delete_permission(self, request, obj=None):
        return False

    def _each_open(self, request, queryset, service, singular, plural):
        done = 0
        for pk in queryset.filter(status=ReplenishmentStatus.OPEN).values_list("pk", flat=True):
            try:
                service(replenishment_id=pk, actor=request.user)
                done += 1
            except DomainError as error:
                self.message_user(request, f"#{pk}: {error.detail}", messages.ERROR)
            except ValidationError as error:
                self.message_user(request, f"#{pk}: {' '.join(error.messages)}", messages.ERROR)
        self.message_user(request, ngettext(singular, plural, done) % {"count": done})

    @admin.action(description=_("Receive selected replenishments"), permissions=["change"])
    def receive_replenishments(self, request, queryset):
        self._each_open(
            request, queryset, services.replenishment_receive,
            "Received %(count)d replenishment.", "Received %(count)d replenishments.",
        )  # fmt: skip

    @admin.action(description=_("Cancel selected replenishments"), permissions=["change"])
    def cancel_replenishments(self, request, queryset):
        self._each_open(
            request, queryset, services.replenishment_cancel,
            "Cancelled %(count)d replenishment.", "Cancelled %(count)d replenishments.",
        )  # fmt: skip
