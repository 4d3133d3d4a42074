import django_filters
from django.utils.translation import gettext_lazy as _

from apps.eventlog import selectors
from apps.eventlog.models import Delivery, Event
from apps.platform.api.filters import FilterSet, InstantFilter, PositionFilter


class EventFilterSet(FilterSet):
    type = django_filters.CharFilter(
        method="filter_type", help_text=_("An exact type, or a prefix such as orders.*")
    )
    aggregate_type = django_filters.CharFilter()
    aggregate_id = django_filters.CharFilter()
    actor = django_filters.CharFilter(
        method="filter_actor", help_text=_("The acting user's username (or 'system').")
    )
    correlation_id = django_filters.CharFilter()
    since_position = PositionFilter(
        method="filter_since_position",
        help_text=_(
            "Only sealed events after this position, in commit order (the position a "
            "websocket message carries): where a client resumes."
        ),
    )
    recorded_after = InstantFilter(
        field_name="recorded_at", lookup_expr="gte", help_text=_("Recorded at or after this time.")
    )
    recorded_before = InstantFilter(
        field_name="recorded_at", lookup_expr="lt", help_text=_("Recorded before this time.")
    )
    renamed = {"from": "recorded_after", "to": "recorded_before"}

    class Meta:
        model = Event
        fields = [
            "type", "aggregate_type", "aggregate_id", "actor", "correlation_id",
            "since_position", "recorded_after", "recorded_before",
        ]  # fmt: skip

    def filter_type(self, queryset, name, value):
        if value.endswith(".*"):
            return queryset.filter(type__startswith=value[:-1])
        return queryset.filter(type=value)

    def filter_actor(self, queryset, name, value):
        return selectors.events_by_actor(queryset, value)

    def filter_since_position(self, queryset, name, value):
        return selectors.events_since_position(queryset, int(value))


class DeadLetterFilterSet(FilterSet):
    subscriber = django_filters.CharFilter()
    event_type = django_filters.CharFilter()
    died_after = InstantFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Delivery
        fields = ["subscriber", "event_type", "died_after"]
