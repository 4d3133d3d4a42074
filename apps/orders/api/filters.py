import django_filters

from apps.orders.choices import OrderStatus
from apps.orders.models import Order
from apps.platform.api.filters import ChoicesFilter, FilterSet, InstantFilter


class OrderFilterSet(FilterSet):
    status = ChoicesFilter(choices=OrderStatus.choices)
    customer = django_filters.CharFilter(field_name="customer_reference")
    created_after = InstantFilter(field_name="created_at", lookup_expr="gte")
    created_before = InstantFilter(field_name="created_at", lookup_expr="lt")
    renamed = {"from": "created_after", "to": "created_before"}

    class Meta:
        model = Order
        fields = ["status", "customer", "created_after", "created_before"]
