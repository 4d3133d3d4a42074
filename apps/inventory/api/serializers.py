from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from apps.inventory.models import QUANTITY, Item, Location, Replenishment, StockLevel
from apps.platform.api.fields import AwareDateTimeField, IdField, UtcDateTimeField
from apps.platform.api.serializers import ModelSerializer, Serializer


class ItemSerializer(ModelSerializer):
    created_at = UtcDateTimeField(read_only=True)
    updated_at = UtcDateTimeField(read_only=True)

    class Meta:
        model = Item
        fields = [
            "id", "sku", "name", "unit", "unit_price", "active", "auto_reorder",
            "created_at", "updated_at",
        ]  # fmt: skip
        # A code is checked as sent (trimmed, " A1" would pass a pattern it does not match).
        extra_kwargs = {"unit_price": {"min_value": 0}, "sku": {"trim_whitespace": False}}


class LocationSerializer(ModelSerializer):
    class Meta:
        model = Location
        fields = ["id", "code", "name", "kind", "parent"]
        extra_kwargs = {"code": {"trim_whitespace": False}}


class QuantityField(serializers.DecimalField):
    """A stock quantity: up to three decimals; with `nonzero`, not zero."""

    def __init__(self, *, nonzero: bool = False, **kwargs):
        self.nonzero = nonzero
        super().__init__(**QUANTITY, **kwargs)

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if self.nonzero and value == 0:
            raise serializers.ValidationError(_("Give a non-zero quantity."))
        return value


POSITIVE = Decimal("0.001")


class StockLevelSerializer(ModelSerializer):
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


class StockMovementSerializer(Serializer):
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


class ReplenishmentSerializer(ModelSerializer):
    sku = serializers.CharField(source="item.sku", read_only=True)
    created_at = UtcDateTimeField(read_only=True)
    closed_at = UtcDateTimeField(read_only=True, allow_null=True)

    class Meta:
        model = Replenishment
        fields = ["id", "item", "sku", "location", "quantity", "status", "created_at", "closed_at"]


class MovementInputSerializer(Serializer):
    """Input of receive and issue."""

    item = IdField()
    location = IdField()
    quantity = QuantityField(min_value=POSITIVE)
    reference = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class AdjustInputSerializer(Serializer):
    item = IdField()
    location = IdField()
    quantity = QuantityField(nonzero=True, help_text=_("Signed: positive adds, negative removes."))
    reason = serializers.CharField(max_length=2000)


class TransferInputSerializer(Serializer):
    item = IdField()
    source = IdField()
    destination = IdField()
    quantity = QuantityField(min_value=POSITIVE)
    reference = serializers.CharField(required=False, allow_blank=True, default="", max_length=100)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class ThresholdsInputSerializer(Serializer):
    item = IdField()
    location = IdField()
    reorder_point = QuantityField(min_value=Decimal(0))
    reorder_qty = QuantityField(min_value=Decimal(0))


class ReplenishmentReceiveSerializer(Serializer):
    quantity = QuantityField(
        min_value=POSITIVE, required=False, help_text=_("The requested quantity if omitted.")
    )


class ReasonSerializer(Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class StockLineInputSerializer(Serializer):
    item = IdField()
    location = IdField()
    quantity = QuantityField(min_value=POSITIVE)


class ReserveInputSerializer(Serializer):
    """Input of a reservation (GraphQL's reserveStock): several lines, all or nothing."""

    lines = StockLineInputSerializer(many=True, allow_empty=False, min_length=1, max_length=500)
    reference = serializers.CharField(max_length=100, help_text=_("What the stock is for."))
    expires_at = AwareDateTimeField(required=False, allow_null=True)


class ReleaseInputSerializer(Serializer):
    reference = serializers.CharField(max_length=100)
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
