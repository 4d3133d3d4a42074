from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import generics
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.events import selectors, services
from apps.events.api.filters import DeadLetterFilterSet
from apps.events.api.serializers import DeadLetterSerializer
from apps.events.models import Delivery
from apps.platform.api.permissions import require_permissions


class DeadLetterListView(generics.ListAPIView):
    """Deliveries that failed their last attempt, the most recently dead first."""

    serializer_class = DeadLetterSerializer
    filterset_class = DeadLetterFilterSet
    pagination_ordering = ("-updated_at",)

    def get_queryset(self):
        return selectors.dead_letter_list()


class DeadLetterReplayView(APIView):
    """Give a dead letter a fresh set of attempts, due now."""

    permission_classes = [require_permissions("events.change_delivery")]

    @extend_schema(request=None, responses={200: DeadLetterSerializer})
    def post(self, request, pk):
        delivery = get_object_or_404(Delivery, pk=pk)
        replayed = services.dead_letter_replay(delivery=delivery, actor=request.user)
        return Response(DeadLetterSerializer(replayed).data)
