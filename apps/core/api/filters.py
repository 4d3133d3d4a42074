import django_filters
from django_filters.rest_framework import DjangoFilterBackend

from apps.core.models import SystemSetting


class FilterBackend(DjangoFilterBackend):
    """DjangoFilterBackend that builds no FilterSet (a deep copy and a form validation) for
    a request that names none of its filters and none of them is required."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            filters = filterset_class.base_filters
            named = request.query_params.keys() & filters.keys()
            if not named and not any(f.extra.get("required") for f in filters.values()):
                return queryset
        return super().filter_queryset(request, queryset, view)


class SystemSettingFilterSet(django_filters.FilterSet):
    prefix = django_filters.CharFilter(field_name="key", lookup_expr="startswith")
    updated_after = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = SystemSetting
        fields = ["prefix", "updated_after"]
