from rest_framework import serializers

from apps.platform.api.fields import UtcDateTimeField
from apps.platform.api.serializers import ModelSerializer
from apps.reports.models import OrderThroughput, ResourceUtilisation, StockDaily


class ResourceUtilisationSerializer(ModelSerializer):
    class Meta:
        model = ResourceUtilisation
        fields = ["day", "kind", "booked_hours", "resources_booked", "resources", "utilisation"]


class StockDailySerializer(ModelSerializer):
    item = serializers.IntegerField(source="item_id")
    location = serializers.IntegerField(source="location_id")

    class Meta:
        model = StockDaily
        fields = [
            "day", "item", "location", "movements", "quantity_in", "quantity_out",
            "on_hand_at_close", "value_at_close",
        ]  # fmt: skip


class OrderThroughputSerializer(ModelSerializer):
    hour = UtcDateTimeField()

    class Meta:
        model = OrderThroughput
        fields = [
            "hour", "placed", "fulfilled", "rejected", "cancelled", "in_progress",
            "seconds_to_fulfil",
        ]  # fmt: skip
