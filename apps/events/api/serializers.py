from rest_framework import serializers

from apps.platform.api.fields import UtcDateTimeField


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
