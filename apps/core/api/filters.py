import django_filters

from apps.core.models import SystemSetting


class SystemSettingFilterSet(django_filters.FilterSet):
    prefix = django_filters.CharFilter(field_name="key", lookup_expr="startswith")
    updated_after = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = SystemSetting
        fields = ["prefix", "updated_after"]
