import django_filters
from django.utils.translation import gettext_lazy as _
from psycopg.types.range import Range

from apps.platform.api.filters import InstantFilter
from apps.resources.choices import AllocationStatus, ResourceKind
from apps.resources.models import Allocation, Project, Resource, Skill


class AllocationFilterSet(django_filters.FilterSet):
    resource = django_filters.NumberFilter(field_name="resource_id")
    project = django_filters.NumberFilter(field_name="project_id")
    status = django_filters.ChoiceFilter(choices=AllocationStatus.choices)
    vars()["from"] = InstantFilter(
        method="filter_period", help_text=_("Allocations that end after this time.")
    )
    to = InstantFilter(
        method="filter_period", help_text=_("Allocations that start before this time.")
    )

    class Meta:
        model = Allocation
        fields = ["resource", "project", "status", "from", "to"]

    def filter_period(self, queryset, name, value):
        # Overlap with [from, to): the GiST index of the exclusion constraint serves it.
        window = Range(value, None, "[)") if name == "from" else Range(None, value, "[)")
        return queryset.filter(period__overlap=window)


class SkillFilterSet(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Skill
        fields = ["name"]


class ResourceFilterSet(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")
    kind = django_filters.ChoiceFilter(choices=ResourceKind.choices)
    skill = django_filters.NumberFilter(field_name="skills__id")
    active = django_filters.BooleanFilter()

    class Meta:
        model = Resource
        fields = ["name", "kind", "skill", "active"]


class ProjectFilterSet(django_filters.FilterSet):
    code = django_filters.CharFilter(lookup_expr="istartswith")
    name = django_filters.CharFilter(lookup_expr="icontains")
    active = django_filters.BooleanFilter()

    class Meta:
        model = Project
        fields = ["code", "name", "active"]
