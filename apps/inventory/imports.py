"""Import and export of items and locations (through the catalogue service), and of
opening stock (each row a receipt through the stock service)."""

from import_export import fields, resources, widgets

from apps.core.imports import CatalogueResource
from apps.inventory import services
from apps.inventory.models import Item, Location, StockLevel


class ItemResource(CatalogueResource):
    class Meta(CatalogueResource.Meta):
        model = Item
        import_id_fields = ["sku"]
        fields = ["sku", "name", "unit", "unit_price", "active", "auto_reorder"]


class LocationResource(CatalogueResource):
    parent = fields.Field(
        attribute="parent", column_name="parent",
        widget=widgets.ForeignKeyWidget(Location, field="code"),
    )  # fmt: skip

    class Meta(CatalogueResource.Meta):
        model = Location
        import_id_fields = ["code"]
        fields = ["code", "name", "kind", "parent"]


class OpeningStockResource(resources.ModelResource):
    """Opening stock: item (SKU), location (code), quantity. Each row is received through
    the stock service (audited, on the ledger); exported, a row is a level's on hand."""

    item = fields.Field(
        attribute="item", column_name="item", widget=widgets.ForeignKeyWidget(Item, field="sku")
    )
    location = fields.Field(
        attribute="location", column_name="location",
        widget=widgets.ForeignKeyWidget(Location, field="code"),
    )  # fmt: skip
    quantity = fields.Field(
        attribute="on_hand", column_name="quantity", widget=widgets.DecimalWidget()
    )

    def __init__(self, *, actor=None, **kwargs):
        super().__init__(**kwargs)
        self.actor = actor

    def get_instance(self, instance_loader, row):
        return None  # every row is a receipt, never an edit of a level

    def do_instance_save(self, instance, is_create):
        services.stock_receive(
            item_id=instance.item.pk, location_id=instance.location.pk, quantity=instance.on_hand,
            actor=self.actor, reason="opening stock",
        )  # fmt: skip

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        if instance.on_hand is None or instance.on_hand <= 0:
            errors["quantity"] = ["Opening stock is a positive quantity."]
        if errors:
            from django.core.exceptions import ValidationError

            raise ValidationError(errors)

    class Meta:
        model = StockLevel
        fields = ["item", "location", "quantity"]
        use_transactions = True
        rollback_on_validation_errors = True
