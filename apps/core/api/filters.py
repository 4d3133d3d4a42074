import django_filters

from apps.core.models import SystemSetting
from apps.platform.api.filters import FilterSet, InstantFilter


class SystemSettingFilterSet(FilterSet):
    prefix = django_filters.CharFilter(field_name="key", lookup_expr="startswith")
    updated_after = InstantFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = SystemSetting
        fields = ["prefix", "updated_after"]
