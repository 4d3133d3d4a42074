from django.conf import settings
from rest_framework import serializers

from apps.accounts.selectors import TOKEN_STATUSES
from apps.platform.api.fields import UtcDateTimeField
from apps.platform.api.serializers import Serializer


class ApiTokenSerializer(Serializer):
    id = serializers.UUIDField(read_only=True)
    user = serializers.CharField(source="user.username", read_only=True)
    name = serializers.CharField(read_only=True)
    status = serializers.ChoiceField(choices=TOKEN_STATUSES, read_only=True)
    created_at = UtcDateTimeField(read_only=True)
    expires_at = UtcDateTimeField(read_only=True)
    last_used_at = UtcDateTimeField(read_only=True, allow_null=True)
    revoked_at = UtcDateTimeField(read_only=True, allow_null=True)


class IssuedTokenSerializer(ApiTokenSerializer):
    token = serializers.CharField(
        read_only=True, help_text="The bearer token, shown this once: it is not stored."
    )


class TokenRequestSerializer(Serializer):
    name = serializers.CharField(max_length=100, help_text="What the token is for.")
    expires_in_days = serializers.IntegerField(
        min_value=1,
        max_value=settings.API_TOKEN_MAX_DAYS,
        help_text="How long it is valid.",
    )
    user = serializers.CharField(
        required=False,
        max_length=150,
        help_text="For another user (a service account): Admins only. Default: yourself.",
    )
