from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from apps.core.models import SystemSetting


class SystemSettingSerializer(serializers.ModelSerializer):
    updated_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = SystemSetting
        fields = ["key", "value", "description", "updated_at", "updated_by"]
        read_only_fields = fields


class SystemSettingWriteSerializer(serializers.Serializer):
    """Input of PUT /api/v1/settings/{key}; the service validates key and value."""

    value = serializers.JSONField(help_text=_("Any JSON except null, at most 64 KiB."))
    description = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=_("Left unchanged when omitted."),
    )
