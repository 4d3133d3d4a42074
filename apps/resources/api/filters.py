import django_filters
from django.utils.translation import gettext_lazy as _
from psycopg.types.range import Range

from apps.platform.api.filters import ChoicesFilter, FilterSet, IdsFilter, InstantFilter
from apps.resources.choices import AllocationStatus, ResourceKind
from apps.resources.models import Allocation, AllocationHistory, Project, Resource, Skill


class AllocationFilterSet(FilterSet):
    resource = IdsFilter(field_name="resource_id")
    project = IdsFilter(field_name="project_id")
    status = ChoicesFilter(choices=AllocationStatus.choices)
    overlaps_from = InstantFilter(
        method="filter_period", help_text=_("Allocations that end after this time.")
    )
    overlaps_to = InstantFilter(
        method="filter_period", help_text=_("Allocations that start before this time.")
    )
    renamed = {"from": "overlaps_from", "to": "overlaps_to"}

    class Meta:
        model = Allocation
        fields = ["resource", "project", "status", "overlaps_from", "overlaps_to"]

    def filter_period(self, queryset, name, value):
        # Overlap with [overlaps_from, overlaps_to): the exclusion constraint's GiST index
        # serves it.
        starts = name == "overlaps_from"
        window = Range(value, None, "[)") if starts else Range(None, value, "[)")
        return queryset.filter(period__overlap=window)


class AllocationHistoryFilterSet(FilterSet):
    recorded_after = InstantFilter(field_name="recorded_at", lookup_expr="gte")
    recorded_before = InstantFilter(field_name="recorded_at", lookup_expr="lt")

    class Meta:
        model = AllocationHistory
        fields = ["recorded_after", "recorded_before"]


class SkillFilterSet(FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")

    class Meta:
        model = Skill
        fields = ["name"]


class ResourceFilterSet(FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")
    kind = ChoicesFilter(choices=ResourceKind.choices)
    skill = IdsFilter(field_name="skills__id", distinct=True)
    active = django_filters.BooleanFilter()

    class Meta:
        model = Resource
        fields = ["name", "kind", "skill", "active"]


class ProjectFilterSet(FilterSet):
    code = django_filters.CharFilter(lookup_expr="istartswith")
    name = django_filters.CharFilter(lookup_expr="icontains")
    active = django_filters.BooleanFilter()

    class Meta:
        model = Project
        fields = ["code", "name", "active"]
