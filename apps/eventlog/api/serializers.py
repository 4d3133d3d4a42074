from rest_framework import serializers

from apps.platform.api.fields import AwareDateTimeField, UtcDateTimeField


class EventSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    seq = serializers.IntegerField(read_only=True, help_text="Insert sequence (not commit order).")
    position = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="Position in commit order, as websocket messages carry it; null until sealed.",
    )
    type = serializers.CharField(read_only=True)
    version = serializers.IntegerField(read_only=True)
    aggregate_type = serializers.CharField(read_only=True)
    aggregate_id = serializers.CharField(read_only=True)
    actor = serializers.JSONField(read_only=True)
    correlation_id = serializers.CharField(read_only=True)
    causation_id = serializers.UUIDField(read_only=True, allow_null=True)
    occurred_at = UtcDateTimeField(read_only=True)
    recorded_at = UtcDateTimeField(read_only=True)
    payload = serializers.JSONField(read_only=True)


class EventIngestSerializer(serializers.Serializer):
    """A business event an integration appends; the service validates the rules."""

    id = serializers.UUIDField(required=False, help_text="Makes the call idempotent.")
    type = serializers.CharField(max_length=200, help_text="e.g. erp.invoice.paid")
    aggregate_type = serializers.CharField(max_length=100)
    aggregate_id = serializers.CharField(max_length=200)
    occurred_at = AwareDateTimeField()
    payload = serializers.JSONField()


class DeadLetterSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    subscriber = serializers.CharField(read_only=True)
    event_id = serializers.UUIDField(read_only=True)
    event_type = serializers.CharField(read_only=True)
    status = serializers.CharField(read_only=True)
    attempts = serializers.IntegerField(read_only=True)
    last_error = serializers.CharField(read_only=True)
    next_attempt_at = UtcDateTimeField(read_only=True)
    created_at = UtcDateTimeField(read_only=True)
    updated_at = UtcDateTimeField(read_only=True)


class EventTypeSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="e.g. resources.allocation.created")
    version = serializers.IntegerField()
    aggregate_type = serializers.CharField()
    description = serializers.CharField()
    public = serializers.BooleanField(help_text="Whether the event ever leaves the portal.")
    topics = serializers.ListField(
        child=serializers.CharField(),
        help_text="Websocket topics it goes to; {field} is filled from the payload.",
    )
    message_type = serializers.CharField(allow_null=True, help_text="Its websocket message.")
    schema = serializers.JSONField(
        allow_null=True, help_text="JSON Schema (2020-12) of the public payload."
    )


class EventCatalogueSerializer(serializers.Serializer):
    event_types = EventTypeSerializer(many=True)
