import django_filters
from django.utils.translation import gettext_lazy as _

from apps.inventory.choices import LocationKind, MovementKind, ReplenishmentStatus
from apps.inventory.models import Item, Location, Replenishment, StockLevel, StockMovement
from apps.inventory.selectors import BELOW_REORDER
from apps.platform.api.filters import InstantFilter


class ItemFilterSet(django_filters.FilterSet):
    sku = django_filters.CharFilter(lookup_expr="istartswith")
    name = django_filters.CharFilter(lookup_expr="icontains")
    active = django_filters.BooleanFilter()

    class Meta:
        model = Item
        fields = ["sku", "name", "active"]


class LocationFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=LocationKind.choices)
    parent = django_filters.NumberFilter(field_name="parent_id")

    class Meta:
        model = Location
        fields = ["kind", "parent"]


class StockLevelFilterSet(django_filters.FilterSet):
    item = django_filters.NumberFilter(field_name="item_id")
    location = django_filters.NumberFilter(field_name="location_id")
    below_reorder = django_filters.BooleanFilter(
        method="filter_below_reorder", help_text=_("Available stock under the reorder point.")
    )

    class Meta:
        model = StockLevel
        fields = ["item", "location", "below_reorder"]

    def filter_below_reorder(self, queryset, name, value):
        return queryset.filter(BELOW_REORDER) if value else queryset.exclude(BELOW_REORDER)


class StockMovementFilterSet(django_filters.FilterSet):
    item = django_filters.NumberFilter(field_name="item_id")
    location = django_filters.NumberFilter(field_name="location_id")
    kind = django_filters.ChoiceFilter(choices=MovementKind.choices)
    reference = django_filters.CharFilter()
    vars()["from"] = InstantFilter(field_name="created_at", lookup_expr="gte")
    to = InstantFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = StockMovement
        fields = ["item", "location", "kind", "reference", "from", "to"]


class ReplenishmentFilterSet(django_filters.FilterSet):
    item = django_filters.NumberFilter(field_name="item_id")
    location = django_filters.NumberFilter(field_name="location_id")
    status = django_filters.ChoiceFilter(choices=ReplenishmentStatus.choices)

    class Meta:
        model = Replenishment
        fields = ["item", "location", "status"]
