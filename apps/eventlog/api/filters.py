import django_filters
from django.utils.translation import gettext_lazy as _

from apps.eventlog import selectors
from apps.eventlog.models import Delivery, Event


class EventFilterSet(django_filters.FilterSet):
    type = django_filters.CharFilter(
        method="filter_type", help_text=_("An exact type, or a prefix such as orders.*")
    )
    aggregate_type = django_filters.CharFilter()
    aggregate_id = django_filters.CharFilter()
    actor = django_filters.CharFilter(
        method="filter_actor", help_text=_("The acting user's username (or 'system').")
    )
    correlation_id = django_filters.CharFilter()
    # `from` is a Python keyword: declared below.
    to = django_filters.IsoDateTimeFilter(field_name="recorded_at", lookup_expr="lt")

    class Meta:
        model = Event
        fields = ["type", "aggregate_type", "aggregate_id", "actor", "correlation_id", "to"]

    def filter_type(self, queryset, name, value):
        if value.endswith(".*"):
            return queryset.filter(type__startswith=value[:-1])
        return queryset.filter(type=value)

    def filter_actor(self, queryset, name, value):
        return selectors.events_by_actor(queryset, value)


EventFilterSet.base_filters["from"] = django_filters.IsoDateTimeFilter(
    field_name="recorded_at", lookup_expr="gte"
)


class DeadLetterFilterSet(django_filters.FilterSet):
    subscriber = django_filters.CharFilter()
    event_type = django_filters.CharFilter()
    died_after = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Delivery
        fields = ["subscriber", "event_type", "died_after"]
