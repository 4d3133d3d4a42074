from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.idempotency import IDEMPOTENCY_KEY_REQUIRED, idempotent
from apps.orders import selectors, services
from apps.orders.api.filters import OrderFilterSet
from apps.orders.api.serializers import (
    CancelInputSerializer,
    OrderDetailSerializer,
    OrderInputSerializer,
    OrderSerializer,
    WorkflowSerializer,
)
from apps.platform.api.permissions import require_permissions
from apps.platform.api.validation import validated
from apps.platform.exceptions import NotFound


class OrderListView(generics.ListAPIView):
    """Orders, newest first; place one (Operator, Integration) with an Idempotency-Key, so
    a retried request never orders twice."""

    serializer_class = OrderSerializer
    filterset_class = OrderFilterSet
    pagination_ordering = ("-id",)
    ordering_fields = ("id", "created_at", "total")

    def get_queryset(self):
        return selectors.order_list(self.request.user)

    @extend_schema(
        request=OrderInputSerializer,
        responses={201: OrderDetailSerializer},
        parameters=[IDEMPOTENCY_KEY_REQUIRED],
        examples=[
            OpenApiExample(
                "Two lines",
                request_only=True,
                value={
                    "customer_reference": "ACME-2027-0042",
                    "lines": [
                        {"item": 7, "location": 2, "quantity": "2"},
                        {"item": 9, "location": 2, "quantity": "0.5"},
                    ],
                },
            )
        ],
    )
    @idempotent(required=True)
    def post(self, request):
        data = validated(OrderInputSerializer, request.data)
        order = services.order_place(
            customer_reference=data["customer_reference"],
            lines=[
                services.LineRequest(line["item"], line["location"], line["quantity"])
                for line in data["lines"]
            ],
            actor=request.user,
        )
        order = selectors.order_detail(request.user).get(pk=order.pk)
        return Response(OrderDetailSerializer(order).data, status=status.HTTP_201_CREATED)


class OrderDetailView(generics.RetrieveAPIView):
    serializer_class = OrderDetailSerializer

    def get_queryset(self):
        return selectors.order_detail(self.request.user)


class OrderCancelView(APIView):
    """Cancel before fulfilment: what was reserved is released, what was authorized refunded."""

    permission_classes = [require_permissions("orders.change_order")]

    @extend_schema(request=CancelInputSerializer, responses={200: OrderDetailSerializer})
    def post(self, request, pk):
        data = validated(CancelInputSerializer, request.data)
        if not selectors.order_list(request.user).filter(pk=pk).exists():
            raise NotFound("There is no such order.")
        services.order_cancel(order_id=pk, reason=data["reason"], actor=request.user)
        return Response(OrderDetailSerializer(selectors.order_detail(request.user).get(pk=pk)).data)


class OrderWorkflowView(APIView):
    """Where an order stands and why: its events in order, with each subscriber's delivery."""

    permission_classes = [require_permissions("orders.view_order")]

    @extend_schema(responses={200: WorkflowSerializer})
    def get(self, request, pk):
        order = selectors.order_list(request.user).filter(pk=pk).first()
        if order is None:
            raise NotFound("There is no such order.")
        # Subscribers' errors and who acted are the log's details: for Admins only.
        timeline = selectors.order_workflow(
            order, details=request.user.has_perm("eventlog.view_delivery")
        )
        return Response(WorkflowSerializer({"order": order, "timeline": timeline}).data)
