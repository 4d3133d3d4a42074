from django.http import StreamingHttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.audit import selectors, services
from apps.audit.api.filters import EventFilterSet
from apps.audit.api.serializers import EventIngestSerializer, EventSerializer


class EventListView(generics.ListCreateAPIView):
    """The audit log, newest first (AuditViewer, Admin); integrations append events
    (Integration), idempotently when they send an id."""

    serializer_class = EventSerializer
    filterset_class = EventFilterSet
    pagination_ordering = ("-seq",)

    def get_queryset(self):
        return selectors.event_list()

    @extend_schema(
        request=EventIngestSerializer,
        responses={201: EventSerializer, 200: EventSerializer},
    )
    def post(self, request):
        data = EventIngestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        event, created = services.event_ingest(
            event_id=data.validated_data.get("id"),
            type=data.validated_data["type"],
            aggregate_type=data.validated_data["aggregate_type"],
            aggregate_id=data.validated_data["aggregate_id"],
            occurred_at=data.validated_data["occurred_at"],
            payload=data.validated_data["payload"],
            actor=request.user,
        )
        return Response(
            EventSerializer(event).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class EventDetailView(generics.RetrieveAPIView):
    serializer_class = EventSerializer
    lookup_field = "id"

    def get_queryset(self):
        return selectors.event_list()


class EventExportView(APIView):
    """The filtered log as CSV, streamed."""

    def get_queryset(self):
        return selectors.event_list()

    @extend_schema(parameters=[], responses={(200, "text/csv"): OpenApiResponse(description="CSV")})
    def get(self, request):
        events = EventFilterSet(request.query_params, queryset=self.get_queryset())
        if not events.is_valid():
            raise ValidationError(events.errors)
        response = StreamingHttpResponse(
            selectors.event_csv_rows(events.qs), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="events.csv"'
        return response
