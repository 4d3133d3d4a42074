import django_filters

from apps.platform.api.filters import ChoicesFilter, FilterSet, IdsFilter, InstantFilter
from apps.reports.models import OrderThroughput, ResourceUtilisation, StockDaily
from apps.resources.choices import ResourceKind


class ResourceUtilisationFilterSet(FilterSet):
    day_from = django_filters.DateFilter(field_name="day", lookup_expr="gte")
    day_to = django_filters.DateFilter(field_name="day", lookup_expr="lte")
    kind = ChoicesFilter(choices=ResourceKind.choices)

    class Meta:
        model = ResourceUtilisation
        fields = ["day_from", "day_to", "kind"]


class StockDailyFilterSet(FilterSet):
    day_from = django_filters.DateFilter(field_name="day", lookup_expr="gte")
    day_to = django_filters.DateFilter(field_name="day", lookup_expr="lte")
    item = IdsFilter(field_name="item_id")
    location = IdsFilter(field_name="location_id")

    class Meta:
        model = StockDaily
        fields = ["day_from", "day_to", "item", "location"]


class OrderThroughputFilterSet(FilterSet):
    hour_from = InstantFilter(field_name="hour", lookup_expr="gte")
    hour_to = InstantFilter(field_name="hour", lookup_expr="lte")

    class Meta:
        model = OrderThroughput
        fields = ["hour_from", "hour_to"]
