import django_filters

from apps.orders.choices import OrderStatus
from apps.orders.models import Order
from apps.platform.api.filters import InstantFilter


class OrderFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=OrderStatus.choices)
    customer = django_filters.CharFilter(field_name="customer_reference")
    vars()["from"] = InstantFilter(field_name="created_at", lookup_expr="gte")
    to = InstantFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Order
        fields = ["status", "customer", "from", "to"]
