from rest_framework import serializers

from apps.eventlog.checkpoints import Checkpoint
from apps.eventlog.contracts import EVENT_TYPE_PATTERN
from apps.platform.api.fields import MAX_ID, AwareDateTimeField, JsonObjectField, UtcDateTimeField
from apps.platform.api.serializers import Serializer


class EventSerializer(Serializer):
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


class EventIngestSerializer(Serializer):
    """A business event an integration appends; the service validates the rules."""

    id = serializers.UUIDField(required=False, help_text="Makes the call idempotent.")
    type = serializers.RegexField(
        EVENT_TYPE_PATTERN.pattern.removesuffix("$") + r"\Z",
        max_length=200,
        trim_whitespace=False,
        help_text="Dotted and lowercase, in your system's namespace: e.g. erp.invoice.paid",
    )
    aggregate_type = serializers.CharField(max_length=100)
    aggregate_id = serializers.CharField(max_length=200)
    occurred_at = AwareDateTimeField()
    payload = JsonObjectField()


class DeadLetterSerializer(Serializer):
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


class EventTypeSerializer(Serializer):
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


class EventCatalogueSerializer(Serializer):
    event_types = EventTypeSerializer(many=True)


class CheckpointSerializer(Serializer):
    """A signed head of the chain, as the worker writes it (AUDIT_CHECKPOINT_DIR, the log)."""

    format = serializers.IntegerField(min_value=1, max_value=1, required=False)
    position = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    chain = serializers.RegexField(r"^[0-9a-f]{64}$", help_text="The chain's hash, hex.")
    at = serializers.CharField(max_length=64)
    key_id = serializers.CharField(max_length=100)
    signature = serializers.CharField(max_length=1000)

    def to_internal_value(self, data):
        return Checkpoint.from_dict(super().to_internal_value(data))


class AuditVerifyRequestSerializer(Serializer):
    since = AwareDateTimeField(
        required=False,
        help_text="Only events recorded from this time on (the chain before is trusted).",
    )
    checkpoints = CheckpointSerializer(
        many=True,
        required=False,
        max_length=10_000,
        help_text="Checkpoints kept outside the portal: the log must still hold each.",
    )


class AuditVerificationSerializer(Serializer):
    ok = serializers.BooleanField(help_text="Whether the log passed every check.")
    events = serializers.IntegerField(help_text="Events verified.")
    sealed = serializers.IntegerField(help_text="Of those, in the chain.")
    pending = serializers.IntegerField(help_text="Of those, awaiting their seal.")
    broken_at = serializers.CharField(
        allow_null=True, help_text="Where the chain breaks (a position), null when it holds."
    )
    reason = serializers.CharField(allow_null=True, help_text="Why the log failed, or null.")
    checkpoints_held = serializers.IntegerField(
        allow_null=True, help_text="Checkpoints the log holds; null when none were given."
    )
