"""The filter backend skips building a FilterSet only when doing so cannot change the result."""

import django_filters
import pytest
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from apps.core.models import SystemSetting
from apps.platform.api.filters import FilterBackend
from tests.factories import SystemSettingFactory

pytestmark = pytest.mark.django_db


class RequiredPrefixFilterSet(django_filters.FilterSet):
    prefix = django_filters.CharFilter(field_name="key", lookup_expr="startswith", required=True)

    class Meta:
        model = SystemSetting
        fields = ["prefix"]


class View:
    filterset_class = RequiredPrefixFilterSet


def request(**params):
    return Request(APIRequestFactory().get("/", params))


def test_a_required_filter_is_enforced_even_when_no_parameter_is_given():
    with pytest.raises(ValidationError):
        FilterBackend().filter_queryset(request(), SystemSetting.objects.all(), View())


def test_named_filters_are_applied():
    SystemSettingFactory(key="orders.a")
    SystemSettingFactory(key="stock.b")
    filtered = FilterBackend().filter_queryset(
        request(prefix="orders."), SystemSetting.objects.all(), View()
    )
    assert list(filtered.values_list("key", flat=True)) == ["orders.a"]


class UpdatedRangeFilterSet(django_filters.FilterSet):
    updated = django_filters.IsoDateTimeFromToRangeFilter(field_name="updated_at")

    class Meta:
        model = SystemSetting
        fields = ["updated"]


class RangeView:
    filterset_class = UpdatedRangeFilterSet


def test_range_filters_with_suffixed_parameters_are_applied():
    SystemSettingFactory(key="old")
    filtered = FilterBackend().filter_queryset(
        request(updated_after="2999-01-01T00:00:00Z"), SystemSetting.objects.all(), RangeView()
    )
    assert list(filtered) == []
