from django.conf import settings
from rest_framework import serializers

from apps.inventory.api.serializers import POSITIVE, QuantityField
from apps.orders.models import Order
from apps.platform.api.fields import IdField, UtcDateTimeField
from apps.platform.api.serializers import ModelSerializer, Serializer


class OrderLineSerializer(Serializer):
    item = serializers.IntegerField(source="item_id")
    sku = serializers.CharField(source="item.sku")
    location = serializers.IntegerField(source="location_id")
    quantity = QuantityField()
    unit_price = serializers.DecimalField(max_digits=12, decimal_places=2)
    line_total = serializers.DecimalField(max_digits=14, decimal_places=2)


class PaymentSerializer(Serializer):
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    status = serializers.CharField()
    provider_reference = serializers.CharField()
    reason = serializers.CharField()


class OrderSerializer(ModelSerializer):
    payment = serializers.SerializerMethodField()
    created_at = UtcDateTimeField(read_only=True)
    updated_at = UtcDateTimeField(read_only=True)

    class Meta:
        model = Order
        fields = [
            "id", "number", "customer_reference", "status", "subtotal", "discount", "total",
            "pricing_rule", "reason", "correlation_id", "payment", "created_at", "updated_at",
        ]  # fmt: skip

    def get_payment(self, order) -> dict | None:
        payment = getattr(order, "payment", None)
        return PaymentSerializer(payment).data if payment else None


class OrderDetailSerializer(OrderSerializer):
    lines = OrderLineSerializer(many=True, read_only=True)

    class Meta(OrderSerializer.Meta):
        fields = [*OrderSerializer.Meta.fields, "lines"]


class OrderLineInputSerializer(Serializer):
    item = IdField()
    location = IdField()
    quantity = QuantityField(min_value=POSITIVE)


class OrderInputSerializer(Serializer):
    """Input of POST /api/v1/orders/ (send an Idempotency-Key header too)."""

    customer_reference = serializers.CharField(max_length=100)
    lines = OrderLineInputSerializer(
        many=True, allow_empty=False, min_length=1, max_length=settings.ORDERS_MAX_LINES
    )


class CancelInputSerializer(Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class DeliveryStateSerializer(Serializer):
    subscriber = serializers.CharField()
    state = serializers.ChoiceField(choices=["pending", "retrying", "done", "dead"])
    attempts = serializers.IntegerField()
    last_error = serializers.CharField()
    next_attempt_at = UtcDateTimeField(allow_null=True)


class WorkflowEventSerializer(Serializer):
    id = serializers.UUIDField()
    seq = serializers.IntegerField()
    type = serializers.CharField()
    occurred_at = UtcDateTimeField()
    recorded_at = UtcDateTimeField()
    actor = serializers.JSONField()
    causation_id = serializers.UUIDField(allow_null=True)
    payload = serializers.JSONField()
    deliveries = DeliveryStateSerializer(many=True)


class WorkflowSerializer(Serializer):
    order = OrderSerializer()
    timeline = WorkflowEventSerializer(many=True)
