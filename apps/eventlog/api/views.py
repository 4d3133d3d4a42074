from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from apps.eventlog import selectors, services
from apps.eventlog.api.filters import DeadLetterFilterSet, EventFilterSet
from apps.eventlog.api.serializers import (
    AuditVerificationSerializer,
    AuditVerifyRequestSerializer,
    DeadLetterSerializer,
    EventCatalogueSerializer,
    EventIngestSerializer,
    EventSerializer,
)
from apps.eventlog.api.throttling import IngestRateThrottle, IngestVolumeThrottle
from apps.eventlog.models import Delivery
from apps.eventlog.verification import audit_verification
from apps.platform.api.permissions import HoldsARole, require_permissions
from apps.platform.api.renderers import CSVRenderer, XLSXRenderer


class EventListView(generics.ListCreateAPIView):
    """The audit log, newest first (AuditViewer, Admin); integrations append events
    (Integration), idempotently when they send an id."""

    serializer_class = EventSerializer
    filterset_class = EventFilterSet
    ordering_fields = ("seq", "recorded_at")
    throttle_classes = [
        *api_settings.DEFAULT_THROTTLE_CLASSES,
        IngestRateThrottle,
        IngestVolumeThrottle,
    ]

    @property
    def pagination_ordering(self):
        # Resuming from a position reads forwards, in commit order.
        if "since_position" in self.request.query_params:
            return ("position",)
        return ("-seq",)

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


class EventCatalogueView(APIView):
    """The declared event types and the JSON Schema of each public payload: what webhooks,
    brokers and websockets carry, to generate code from."""

    permission_classes = [HoldsARole]

    @extend_schema(responses={200: EventCatalogueSerializer})
    def get(self, request):
        return Response(selectors.event_catalogue())


class EventDetailView(APIView):
    """One event of the log."""

    serializer_class = EventSerializer

    def get_queryset(self):
        return selectors.event_list()

    @extend_schema(responses={200: EventSerializer})
    def get(self, request, id):
        return Response(EventSerializer(selectors.event_get(event_id=id)).data)


class EventExportView(generics.GenericAPIView):
    """The filtered log, newest first: CSV (streamed) or XLSX, chosen by `Accept` or
    `?format=`."""

    renderer_classes = [CSVRenderer, XLSXRenderer]
    filterset_class = EventFilterSet
    pagination_class = None

    def get_queryset(self):
        return selectors.event_list()

    @extend_schema(
        filters=True,
        parameters=[
            OpenApiParameter(
                "format",
                enum=["csv", "xlsx"],
                description=_("The file's format, when the Accept header does not choose it."),
            )
        ],
        responses={
            (200, CSVRenderer.media_type): OpenApiResponse(
                OpenApiTypes.STR, description=_("The events as CSV, a header line first.")
            ),
            (200, XLSXRenderer.media_type): OpenApiResponse(
                OpenApiTypes.BINARY, description=_("The events as one sheet, a header row first.")
            ),
        },
    )
    def get(self, request):
        events = self.filter_queryset(self.get_queryset())
        if request.accepted_renderer.format == XLSXRenderer.format:
            response = FileResponse(
                selectors.event_xlsx_file(events), content_type=XLSXRenderer.media_type
            )
            response["Content-Disposition"] = 'attachment; filename="events.xlsx"'
            return response
        response = StreamingHttpResponse(
            selectors.event_csv_lines(events), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = 'attachment; filename="events.csv"'
        return response


class AuditVerifyView(APIView):
    """Verify the audit log now: the hash chain, every event's content and signature, that
    no event is missing from the chain and, given checkpoints kept outside the portal, that
    the log still holds each of them. A broken log is an answer (`ok` false), not an error."""

    permission_classes = [require_permissions("eventlog.view_event")]

    @extend_schema(
        request=AuditVerifyRequestSerializer, responses={200: AuditVerificationSerializer}
    )
    def post(self, request):
        query = AuditVerifyRequestSerializer(data=request.data)
        query.is_valid(raise_exception=True)
        verification = audit_verification(
            since=query.validated_data.get("since"),
            checkpoints=query.validated_data.get("checkpoints"),
        )
        return Response(AuditVerificationSerializer(verification).data)


class DeadLetterListView(generics.ListAPIView):
    """Deliveries that failed their last attempt, the most recently dead first."""

    serializer_class = DeadLetterSerializer
    filterset_class = DeadLetterFilterSet
    pagination_ordering = ("-updated_at",)
    ordering_fields = ("updated_at", "created_at", "attempts")

    def get_queryset(self):
        return selectors.dead_letter_list()


class DeadLetterReplayView(APIView):
    """Give a dead letter a fresh set of attempts, due now."""

    permission_classes = [require_permissions("eventlog.change_delivery")]

    @extend_schema(request=None, responses={200: DeadLetterSerializer})
    def post(self, request, pk):
        delivery = get_object_or_404(Delivery, pk=pk)
        replayed = services.dead_letter_replay(delivery=delivery, actor=request.user)
        return Response(DeadLetterSerializer(replayed).data)
