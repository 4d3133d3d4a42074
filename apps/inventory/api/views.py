from drf_spectacular.utils import OpenApiExample, extend_schema, inline_serializer
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.api.catalogue import CatalogueDetailView, CatalogueListView
from apps.core.idempotency import IDEMPOTENCY_KEY_PARAMETER, idempotent
from apps.inventory import selectors, services
from apps.inventory.api import filters
from apps.inventory.api.serializers import (
    AdjustInputSerializer,
    ItemSerializer,
    LocationSerializer,
    MovementInputSerializer,
    ReasonSerializer,
    ReplenishmentReceiveSerializer,
    ReplenishmentSerializer,
    StockLevelSerializer,
    StockMovementSerializer,
    ThresholdsInputSerializer,
    TransferInputSerializer,
)
from apps.inventory.models import Item, Location
from apps.platform.api.permissions import require_permissions
from apps.platform.api.validation import validated


class ItemListView(CatalogueListView):
    queryset = Item.objects.all()
    serializer_class = ItemSerializer
    filterset_class = filters.ItemFilterSet
    ordering_fields = ("id", "sku", "name")


class ItemDetailView(CatalogueDetailView):
    queryset = Item.objects.all()
    serializer_class = ItemSerializer


class LocationListView(CatalogueListView):
    queryset = Location.objects.all()
    serializer_class = LocationSerializer
    filterset_class = filters.LocationFilterSet
    ordering_fields = ("id", "code", "name")


class LocationDetailView(CatalogueDetailView):
    queryset = Location.objects.all()
    serializer_class = LocationSerializer


class StockLevelListView(generics.ListAPIView):
    """Stock per item and location (filters: item, location, below_reorder)."""

    serializer_class = StockLevelSerializer
    filterset_class = filters.StockLevelFilterSet
    pagination_ordering = ("id",)
    ordering_fields = ("id", "on_hand", "updated_at")

    def get_queryset(self):
        return selectors.stock_level_list()


_moved = {201: StockMovementSerializer}


class MovementView(APIView):
    """One stock action (Warehouse): quantities change only through these."""

    permission_classes = [require_permissions("inventory.add_stockmovement")]


class _InOrOutView(MovementView):
    """Goods in or out: the same input, a different service."""

    service = None

    @extend_schema(
        request=MovementInputSerializer,
        responses=_moved,
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
        examples=[
            OpenApiExample(
                "Twelve units for a job",
                request_only=True,
                value={"item": 7, "location": 2, "quantity": "12", "reference": "JOB-41"},
            )
        ],
    )
    @idempotent()
    def post(self, request):
        data = validated(MovementInputSerializer, request.data)
        movement = type(self).service(
            item_id=data["item"], location_id=data["location"], quantity=data["quantity"],
            reference=data["reference"], reason=data["reason"], actor=request.user,
        )  # fmt: skip
        return Response(StockMovementSerializer(movement).data, status=status.HTTP_201_CREATED)


class ReceiveView(_InOrOutView):
    service = staticmethod(services.stock_receive)


class IssueView(_InOrOutView):
    service = staticmethod(services.stock_issue)


class AdjustView(MovementView):
    @extend_schema(
        request=AdjustInputSerializer, responses=_moved, parameters=[IDEMPOTENCY_KEY_PARAMETER]
    )
    @idempotent()
    def post(self, request):
        data = validated(AdjustInputSerializer, request.data)
        movement = services.stock_adjust(
            item_id=data["item"], location_id=data["location"], quantity=data["quantity"],
            reason=data["reason"], actor=request.user,
        )  # fmt: skip
        return Response(StockMovementSerializer(movement).data, status=status.HTTP_201_CREATED)


class TransferView(MovementView):
    @extend_schema(
        request=TransferInputSerializer,
        responses={
            201: inline_serializer(
                "Transfer",
                fields={"out": StockMovementSerializer(), "in": StockMovementSerializer()},
            )
        },
        parameters=[IDEMPOTENCY_KEY_PARAMETER],
    )
    @idempotent()
    def post(self, request):
        data = validated(TransferInputSerializer, request.data)
        out, into = services.stock_transfer(
            item_id=data["item"], source_id=data["source"], destination_id=data["destination"],
            quantity=data["quantity"], reference=data["reference"], reason=data["reason"],
            actor=request.user,
        )  # fmt: skip
        return Response(
            {"out": StockMovementSerializer(out).data, "in": StockMovementSerializer(into).data},
            status=status.HTTP_201_CREATED,
        )


class ThresholdsView(APIView):
    """Set a level's reorder point and quantity (the level is made at zero if needed)."""

    permission_classes = [require_permissions("inventory.change_stocklevel")]

    @extend_schema(request=ThresholdsInputSerializer, responses={200: StockLevelSerializer})
    def put(self, request):
        data = validated(ThresholdsInputSerializer, request.data)
        level = services.stock_thresholds_set(
            item_id=data["item"], location_id=data["location"],
            reorder_point=data["reorder_point"], reorder_qty=data["reorder_qty"],
            actor=request.user,
        )  # fmt: skip
        level = selectors.stock_level_list().get(pk=level.pk)
        return Response(StockLevelSerializer(level).data)


class StockMovementListView(generics.ListAPIView):
    """The ledger, newest first."""

    serializer_class = StockMovementSerializer
    filterset_class = filters.StockMovementFilterSet
    pagination_ordering = ("-id",)
    ordering_fields = ("id", "created_at")

    def get_queryset(self):
        return selectors.movement_list()


class ReplenishmentListView(generics.ListAPIView):
    serializer_class = ReplenishmentSerializer
    filterset_class = filters.ReplenishmentFilterSet
    pagination_ordering = ("-id",)
    ordering_fields = ("id", "created_at")

    def get_queryset(self):
        return selectors.replenishment_list()


class ReplenishmentReceiveView(APIView):
    """Book the goods of an open replenishment and close it (Warehouse)."""

    permission_classes = [require_permissions("inventory.change_replenishment")]

    @extend_schema(request=ReplenishmentReceiveSerializer, responses={200: ReplenishmentSerializer})
    def post(self, request, pk):
        data = validated(ReplenishmentReceiveSerializer, request.data)
        services.replenishment_receive(
            replenishment_id=pk, quantity=data.get("quantity"), actor=request.user
        )
        return Response(ReplenishmentSerializer(selectors.replenishment_list().get(pk=pk)).data)


class ReplenishmentCancelView(APIView):
    permission_classes = [require_permissions("inventory.change_replenishment")]

    @extend_schema(request=ReasonSerializer, responses={200: ReplenishmentSerializer})
    def post(self, request, pk):
        data = validated(ReasonSerializer, request.data)
        services.replenishment_cancel(
            replenishment_id=pk, reason=data["reason"], actor=request.user
        )
        return Response(ReplenishmentSerializer(selectors.replenishment_list().get(pk=pk)).data)
