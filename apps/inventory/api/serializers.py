from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from apps.inventory.models import QUANTITY, Item, Location, Replenishment, StockLevel
from apps.platform.api.fields import IdField, UtcDateTimeField


class ItemSerializer(serializers.ModelSerializer):
    created_at = UtcDateTimeField(read_only=True)
    updated_at = UtcDateTimeField(read_only=True)

    class Meta:
        model = Item
        fields = [
            "id", "sku", "name", "unit", "unit_price", "active", "auto_reorder",
            "created_at", "updated_at",
        ]  # fmt: skip
        extra_kwargs = {"unit_price": {"min_value": 0}}


class LocationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Location
        fields = ["id", "code", "name", "kind", "parent"]


class QuantityField(serializers.DecimalField):
    """A stock quantity: up to three decimals."""

    def __init__(self, **kwargs):
        super().__init__(**QUANTITY, **kwargs)


POSITIVE = Decimal("0.001")


class StockLevelSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="item.sku", read_only=True)
    location_code = serializers.CharField(source="location.code", read_only=True)
    available = QuantityField(read_only=True)
    below_reorder = serializers.SerializerMethodField()
    updated_at = UtcDateTimeField(read_only=True)

    class Meta:
        model = StockLevel
        fields = [
            "id", "item", "sku", "location", "location_code", "on_hand", "reserved", "available",
            "reorder_point", "reorder_qty", "below_reorder", "updated_at",
        ]  # fmt: skip

    def get_below_reorder(self, level) -> bool:
        return level.below_reorder


class StockMovementSerializer(serializers.Serializer):
    # Declared fields rather than a ModelSerializer: every stock action answers with one,
    # and the ModelSerializer's introspection on each request cost more than the rest.
    id = serializers.IntegerField(read_only=True)
    item = serializers.IntegerField(source="item_id", read_only=True)
    location = serializers.IntegerField(source="location_id", read_only=True)
    kind = serializers.CharField(read_only=True)
    quantity = QuantityField(read_only=True)
    on_hand_delta = QuantityField(read_only=True)
    reserved_delta = QuantityField(read_only=True)
    on_hand_after = QuantityField(read_only=True)
    reserved_after = QuantityField(read_only=True)
    reference = serializers.CharField(read_only=True)
    reason = serializers.CharField(read_only=True)
    actor = serializers.SerializerMethodField()
    created_at = UtcDateTimeField(read_only=True)

    def get_actor(self, movement) -> str | None:
        return movement.actor.username if movement.actor_id else None


class ReplenishmentSerializer(serializers.ModelSerializer):
    sku = serializers.CharField(source="item.sku", read_only=True)
    created_at = UtcDateTimeField(read_only=True)
    closed_at = UtcDateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = Replenishment
        fields = ["id", "item", "sku", "location", "quantity", "status", "created_at", "closed_at"]


class MovementInputSerializer(serializers.Serializer):
    """Input of receive and issue."""

    item = IdField()
    location = IdField()
    quantity = QuantityField(min_value=POSITIVE)
    reference = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class AdjustInputSerializer(serializers.Serializer):
    item = IdField()
    location = IdField()
    quantity = QuantityField(help_text=_("Signed: positive adds, negative removes."))
    reason = serializers.CharField(max_length=2000)

    def validate_quantity(self, value):
        if value == 0:
            raise serializers.ValidationError(_("Give a non-zero quantity."))
        return value


class TransferInputSerializer(serializers.Serializer):
    item = IdField()
    source = IdField()
    destination = IdField()
    quantity = QuantityField(min_value=POSITIVE)
    reference = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class ThresholdsInputSerializer(serializers.Serializer):
    item = IdField()
    location = IdField()
    reorder_point = QuantityField(min_value=Decimal(0))
    reorder_qty = QuantityField(min_value=Decimal(0))


class ReplenishmentReceiveSerializer(serializers.Serializer):
    quantity = QuantityField(
        min_value=POSITIVE, required=False, help_text=_("The requested quantity if omitted.")
    )


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
