from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core import selectors, services
from apps.core.api.filters import SystemSettingFilterSet
from apps.core.api.serializers import SystemSettingSerializer, SystemSettingWriteSerializer
from apps.core.validators import SETTING_KEY_MAX_LENGTH


class SystemSettingListView(generics.ListAPIView):
    """System settings, ordered by key."""

    serializer_class = SystemSettingSerializer
    filterset_class = SystemSettingFilterSet
    pagination_ordering = ("key",)
    ordering_fields = ("key", "updated_at")

    def get_queryset(self):
        return selectors.system_setting_rows()


@extend_schema(
    parameters=[
        OpenApiParameter(
            "key",
            {
                "type": "string",
                "pattern": rf"^[a-z0-9][a-z0-9_.-]{{0,{SETTING_KEY_MAX_LENGTH - 1}}}$",
            },
            OpenApiParameter.PATH,
        )
    ]
)
class SystemSettingDetailView(APIView):
    """One system setting: read it, create or replace it (PUT), delete it."""

    serializer_class = SystemSettingSerializer

    def get_queryset(self):
        return selectors.system_setting_rows()

    def get(self, request, key):
        setting = selectors.system_setting_get(key=key)
        return Response(SystemSettingSerializer(setting).data)

    @extend_schema(
        request=SystemSettingWriteSerializer,
        responses={200: SystemSettingSerializer, 201: SystemSettingSerializer},
    )
    def put(self, request, key):
        data = SystemSettingWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        setting, created = services.system_setting_set(
            key=key,
            value=data.validated_data["value"],
            description=data.validated_data.get("description"),
            actor=request.user,
        )
        if created:
            return Response(
                SystemSettingSerializer(setting).data,
                status=status.HTTP_201_CREATED,
                headers={"Location": reverse("api:setting-detail", kwargs={"key": setting.key})},
            )
        return Response(SystemSettingSerializer(setting).data)

    @extend_schema(responses={204: OpenApiResponse(description="Deleted.")})
    def delete(self, request, key):
        services.system_setting_delete(key=key, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
