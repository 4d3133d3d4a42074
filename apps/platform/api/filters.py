import django_filters
from django import forms
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from apps.platform.instants import InvalidInstant, parse_instant

# Parameters that page or format a list and never filter it.
NON_FILTER_PARAMETERS = frozenset({"cursor", "page_size", "format"})


class FilterBackend(DjangoFilterBackend):
    """DjangoFilterBackend that builds no FilterSet (a deep copy and a form validation) for
    a request with no parameter that could filter, when no filter is required. (Any other
    parameter runs the FilterSet: range filters read suffixed names such as `x_min`.)"""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and not (
            request.query_params.keys() - NON_FILTER_PARAMETERS
        ):
            filters = filterset_class.base_filters.values()
            if not any(f.extra.get("required") for f in filters):
                return queryset
        return super().filter_queryset(request, queryset, view)


class InstantFormField(forms.Field):
    """A filter's time, read by the one parser of times (in UTC; see apps.platform.instants)."""

    def to_python(self, value):
        # Absent: no filter. Present but empty (`to=`): not a time, so refused.
        if value is None:
            return None
        try:
            return parse_instant(value)
        except InvalidInstant as error:
            raise forms.ValidationError(str(error), code="invalid") from None


@extend_schema_field(OpenApiTypes.DATETIME)
class InstantFilter(django_filters.Filter):
    """Filters by a time given with its UTC offset; anything else is a 400 problem."""

    field_class = InstantFormField
