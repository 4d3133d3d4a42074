import django_filters
from django.utils.translation import gettext_lazy as _

from apps.inventory.choices import LocationKind, MovementKind, ReplenishmentStatus
from apps.inventory.models import Item, Location, Replenishment, StockLevel, StockMovement
from apps.inventory.selectors import BELOW_REORDER
from apps.platform.api.filters import ChoicesFilter, FilterSet, IdsFilter, InstantFilter


class ItemFilterSet(FilterSet):
    sku = django_filters.CharFilter(lookup_expr="istartswith")
    name = django_filters.CharFilter(lookup_expr="icontains")
    active = django_filters.BooleanFilter()

    class Meta:
        model = Item
        fields = ["sku", "name", "active"]


class LocationFilterSet(FilterSet):
    kind = ChoicesFilter(choices=LocationKind.choices)
    parent = IdsFilter(field_name="parent_id")

    class Meta:
        model = Location
        fields = ["kind", "parent"]


class StockLevelFilterSet(FilterSet):
    item = IdsFilter(field_name="item_id")
    location = IdsFilter(field_name="location_id")
    below_reorder = django_filters.BooleanFilter(
        method="filter_below_reorder", help_text=_("Available stock under the reorder point.")
    )

    class Meta:
        model = StockLevel
        fields = ["item", "location", "below_reorder"]

    def filter_below_reorder(self, queryset, name, value):
        return queryset.filter(BELOW_REORDER) if value else queryset.exclude(BELOW_REORDER)


class StockMovementFilterSet(FilterSet):
    item = IdsFilter(field_name="item_id")
    location = IdsFilter(field_name="location_id")
    kind = ChoicesFilter(choices=MovementKind.choices)
    reference = django_filters.CharFilter()
    created_after = InstantFilter(field_name="created_at", lookup_expr="gte")
    created_before = InstantFilter(field_name="created_at", lookup_expr="lt")
    renamed = {"from": "created_after", "to": "created_before"}

    class Meta:
        model = StockMovement
        fields = ["item", "location", "kind", "reference", "created_after", "created_before"]


class ReplenishmentFilterSet(FilterSet):
    item = IdsFilter(field_name="item_id")
    location = IdsFilter(field_name="location_id")
    status = ChoicesFilter(choices=ReplenishmentStatus.choices)

    class Meta:
        model = Replenishment
        fields = ["item", "location", "status"]
