import django_filters

from apps.events.models import Delivery


class DeadLetterFilterSet(django_filters.FilterSet):
    subscriber = django_filters.CharFilter()
    event_type = django_filters.CharFilter()
    died_after = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Delivery
        fields = ["subscriber", "event_type", "died_after"]
