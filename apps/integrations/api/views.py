from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.integrations import selectors, services
from apps.integrations.api.serializers import (
    ReplayedSerializer,
    ReplaySerializer,
    TestedSerializer,
    WebhookDeliverySerializer,
    WebhookEndpointSerializer,
    WebhookEndpointWithSecretSerializer,
    WebhookEndpointWriteSerializer,
)
from apps.integrations.models import WebhookEndpoint
from apps.platform.api.permissions import require_permissions

CHANGE = "integrations.change_webhookendpoint"


class _Endpoints:
    """An Admin sees every endpoint; an integration its own (others' are 404)."""

    queryset = WebhookEndpoint.objects.none()  # for the permission class's model lookup

    def get_queryset(self):
        return selectors.webhook_endpoints_for(self.request.user)

    def endpoint(self, pk) -> WebhookEndpoint:
        return get_object_or_404(self.get_queryset(), pk=pk)


class WebhookEndpointListView(_Endpoints, generics.ListAPIView):
    """Webhook endpoints, oldest first; register one (its secret is in the answer, once)."""

    serializer_class = WebhookEndpointSerializer
    pagination_ordering = ("id",)
    ordering_fields = ("id", "created_at")

    @extend_schema(
        request=WebhookEndpointWriteSerializer,
        responses={201: WebhookEndpointWithSecretSerializer},
    )
    def post(self, request):
        data = WebhookEndpointWriteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint, secret = services.webhook_endpoint_create(
            owner=request.user,
            url=data.validated_data["url"],
            event_types=data.validated_data["event_types"],
            description=data.validated_data.get("description", ""),
            actor=request.user,
        )
        endpoint.secret = secret
        return Response(
            WebhookEndpointWithSecretSerializer(endpoint).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": reverse("api:webhook-endpoint-detail", args=[endpoint.pk])},
        )


class WebhookEndpointDetailView(_Endpoints, APIView):
    """One webhook endpoint: read it, change it, delete it."""

    serializer_class = WebhookEndpointSerializer

    def get(self, request, pk):
        return Response(WebhookEndpointSerializer(self.endpoint(pk)).data)

    @extend_schema(
        request=WebhookEndpointWriteSerializer(partial=True),
        responses={200: WebhookEndpointSerializer},
    )
    def patch(self, request, pk):
        endpoint = self.endpoint(pk)
        data = WebhookEndpointWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        endpoint = services.webhook_endpoint_change(
            endpoint_id=endpoint.pk, actor=request.user, **data.validated_data
        )
        return Response(WebhookEndpointSerializer(endpoint).data)

    @extend_schema(responses={204: OpenApiResponse(description="Deleted.")})
    def delete(self, request, pk):
        services.webhook_endpoint_delete(endpoint_id=self.endpoint(pk).pk, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookSecretRotateView(_Endpoints, APIView):
    """A new secret, shown once; the previous one signs beside it for the overlap."""

    permission_classes = [require_permissions(CHANGE)]

    @extend_schema(request=None, responses={200: WebhookEndpointWithSecretSerializer})
    def post(self, request, pk):
        endpoint, secret = services.webhook_endpoint_rotate_secret(
            endpoint_id=self.endpoint(pk).pk, actor=request.user
        )
        endpoint.secret = secret
        return Response(WebhookEndpointWithSecretSerializer(endpoint).data)


class WebhookTestView(_Endpoints, APIView):
    """Send a test event (integrations.webhook.tested) to this endpoint only."""

    permission_classes = [require_permissions(CHANGE)]

    @extend_schema(request=None, responses={202: TestedSerializer})
    def post(self, request, pk):
        recorded = services.webhook_endpoint_test(
            endpoint_id=self.endpoint(pk).pk, actor=request.user
        )
        return Response({"event_id": recorded.id}, status=status.HTTP_202_ACCEPTED)


class WebhookReplayView(_Endpoints, APIView):
    """Deliver again every event the endpoint wants from a position on."""

    permission_classes = [require_permissions(CHANGE)]

    @extend_schema(request=ReplaySerializer, responses={202: ReplayedSerializer})
    def post(self, request, pk):
        data = ReplaySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        count = services.webhook_endpoint_replay(
            endpoint_id=self.endpoint(pk).pk,
            from_position=data.validated_data["from_position"],
            actor=request.user,
        )
        return Response({"deliveries": count}, status=status.HTTP_202_ACCEPTED)


class WebhookDeliveryListView(_Endpoints, generics.ListAPIView):
    """The endpoint's deliveries, newest first."""

    serializer_class = WebhookDeliverySerializer
    pagination_ordering = ("-id",)
    ordering_fields = ("id", "updated_at")

    def list(self, request, pk):
        deliveries = self.filter_queryset(selectors.webhook_delivery_list(self.endpoint(pk)))
        page = self.paginate_queryset(deliveries)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class LegacyWebhookDeliveryListView(_Endpoints, APIView):
    """The old path's answer, for one release: the latest 200 deliveries, unpaged."""

    def get(self, request, pk):
        deliveries = selectors.webhook_delivery_list(self.endpoint(pk))[:200]
        return Response(WebhookDeliverySerializer(deliveries, many=True).data)
