from rest_framework import serializers

from apps.platform.api.fields import UtcDateTimeField
from apps.platform.api.serializers import Serializer


class WebhookEndpointSerializer(Serializer):
    id = serializers.IntegerField(read_only=True)
    url = serializers.URLField(read_only=True)
    event_types = serializers.ListField(child=serializers.CharField(), read_only=True)
    description = serializers.CharField(read_only=True)
    active = serializers.BooleanField(read_only=True)
    disabled_reason = serializers.CharField(
        read_only=True, help_text="Why the portal disabled it (empty unless it did)."
    )
    owner = serializers.CharField(source="owner.username", read_only=True)
    previous_secret_expires_at = UtcDateTimeField(
        read_only=True, allow_null=True, help_text="Until then the previous secret signs too."
    )
    created_at = UtcDateTimeField(read_only=True)
    updated_at = UtcDateTimeField(read_only=True)


class WebhookEndpointWithSecretSerializer(WebhookEndpointSerializer):
    secret = serializers.CharField(
        read_only=True, help_text="Shown this once: keep it where the receiver verifies."
    )


class WebhookEndpointWriteSerializer(Serializer):
    url = serializers.URLField(max_length=2000)
    event_types = serializers.ListField(
        child=serializers.CharField(max_length=200),
        min_length=1,
        max_length=100,
        help_text="Exact types, prefixes such as orders.* or * for every public event.",
    )
    description = serializers.CharField(max_length=500, required=False, allow_blank=True)
    active = serializers.BooleanField(required=False)


class ReplaySerializer(Serializer):
    from_position = serializers.IntegerField(
        min_value=1, help_text="Deliver again every wanted event from this position on."
    )


class ReplayedSerializer(Serializer):
    deliveries = serializers.IntegerField(help_text="How many events will be delivered again.")


class TestedSerializer(Serializer):
    event_id = serializers.UUIDField(help_text="The test event's id (its webhook-id).")


class WebhookDeliverySerializer(Serializer):
    id = serializers.IntegerField()
    position = serializers.IntegerField(allow_null=True, help_text="The event's position.")
    event_id = serializers.UUIDField()
    event_type = serializers.CharField()
    status = serializers.CharField(help_text="pending, done or dead.")
    attempts = serializers.IntegerField()
    status_code = serializers.IntegerField(allow_null=True, help_text="Of the last attempt.")
    duration_ms = serializers.FloatField(allow_null=True, help_text="Of the last attempt.")
    last_error = serializers.CharField()
    next_attempt_at = UtcDateTimeField()
    updated_at = UtcDateTimeField()
