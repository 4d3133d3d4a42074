from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from apps.platform.api.fields import JsonValueField, UtcDateTimeField
from apps.platform.api.serializers import Serializer


class SystemSettingSerializer(Serializer):
    # Declared fields rather than a ModelSerializer: the latter introspects the model on
    # every request, which measurably slowed the list endpoint.
    key = serializers.CharField(read_only=True)
    value = serializers.JSONField(read_only=True)
    description = serializers.CharField(read_only=True)
    updated_at = UtcDateTimeField(read_only=True)
    updated_by = serializers.CharField(
        source="updated_by_username", read_only=True, allow_null=True
    )


class SystemSettingWriteSerializer(Serializer):
    """Input of PUT /api/v1/settings/{key}/; the service validates key and value."""

    value = JsonValueField(help_text=_("Any JSON except null, at most 64 KiB."))
    description = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=_("Left unchanged when omitted."),
    )
