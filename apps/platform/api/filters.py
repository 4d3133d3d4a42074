import django_filters
from django import forms
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions
from rest_framework.filters import OrderingFilter as DrfOrderingFilter

from apps.platform.api.fields import MAX_ID
from apps.platform.api.routes import mark_deprecated
from apps.platform.instants import InvalidInstant, parse_instant

# Parameters that page, order or format a list and never filter it.
NON_FILTER_PARAMETERS = frozenset({"cursor", "page_size", "count", "ordering", "format"})
# The most values one multi-value filter takes (`status=a&status=b`, `resource=1&resource=2`).
MAX_FILTER_VALUES = 100


class FilterSet(django_filters.FilterSet):
    """The API's FilterSet. `renamed` maps a parameter's old name to its new one: the old
    name is read as the new one for one release, and the answer says it is deprecated.

    Parameters mean what the schema says: a flag is `true` or `false` (django-filter also
    reads 1, yes and anything else as absent), and only text may be given empty (`day_to=`
    is not a date, where django-filter would drop the filter)."""

    renamed: dict[str, str] = {}

    def is_valid(self):
        valid = super().is_valid()
        getlist = getattr(self.data, "getlist", None)
        if getlist is None:
            return valid
        for name, declared in self.filters.items():
            values = getlist(name)
            if not values or isinstance(declared, django_filters.CharFilter):
                continue
            if isinstance(declared, django_filters.BooleanFilter):
                if any(value not in ("true", "false") for value in values):
                    self.form.add_error(name, _("Give true or false."))
                    valid = False
            elif any(value == "" for value in values):
                self.form.add_error(name, _("Give a value, or leave the parameter out."))
                valid = False
        return valid


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

    def get_filterset_kwargs(self, request, queryset, view):
        kwargs = super().get_filterset_kwargs(request, queryset, view)
        renamed = getattr(self.get_filterset_class(view, queryset), "renamed", {})
        if renamed.keys() & kwargs["data"].keys():
            data = kwargs["data"].copy()
            for old, new in renamed.items():
                if old in data:
                    values = data.pop(old)
                    data.setlistdefault(new, values)
            kwargs["data"] = data
            mark_deprecated(request._request)
        return kwargs


class OrderingFilter(DrfOrderingFilter):
    """`ordering=field` or `ordering=-field` over the fields a view lists in
    `ordering_fields`; anything else is a 400 problem (DRF ignores it). Ties keep the
    view's own order, then the primary key's, so the order and its cursors are stable."""

    def get_ordering(self, request, queryset, view):
        fields = getattr(view, "ordering_fields", None)
        raw = request.query_params.get(self.ordering_param)
        if raw is None or not fields:
            return None
        if raw.lstrip("-") not in fields:
            raise exceptions.ValidationError(
                {self.ordering_param: [_("Give one of: %(fields)s.") % {
                    "fields": ", ".join(self.choices(view))
                }]}
            )  # fmt: skip
        # Ties: the view's own order, then the primary key.
        default = getattr(view, "pagination_ordering", ())
        ties = [f for f in (*default, "pk") if f.lstrip("-") != raw.lstrip("-")]
        return (raw, *dict.fromkeys(ties))

    def filter_queryset(self, request, queryset, view):
        ordering = self.get_ordering(request, queryset, view)
        # A paginated list is ordered by its cursor pagination, which reads the same ordering.
        if ordering and getattr(view, "pagination_class", None) is None:
            return queryset.order_by(*ordering)
        return queryset

    @staticmethod
    def choices(view) -> list[str]:
        return [choice for field in view.ordering_fields for choice in (field, f"-{field}")]

    def get_schema_operation_parameters(self, view):
        if not getattr(view, "ordering_fields", None):
            return []
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": _("The field to order by; a leading minus reverses it."),
                "schema": {"type": "string", "enum": self.choices(view)},
            }
        ]


class PositionFormField(forms.Field):
    def to_python(self, value):
        if value in (None, ""):
            return None
        if not (value.isascii() and value.isdigit() and int(value) <= MAX_ID):
            raise forms.ValidationError(_("Give a position: a whole number from 0."))
        return int(value)


@extend_schema_field({"type": "integer", "minimum": 0, "maximum": MAX_ID})
class PositionFilter(django_filters.Filter):
    """A position in the sealed log: a whole number from 0 (digits only)."""

    field_class = PositionFormField


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


class IdsFormField(forms.Field):
    """One or more ids, as repeated parameters (`resource=4&resource=8`)."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        if not value:
            return None
        if len(value) > MAX_FILTER_VALUES:
            raise forms.ValidationError(
                _("Give at most %(count)d values.") % {"count": MAX_FILTER_VALUES}, code="invalid"
            )
        ids = set()
        for part in value:
            if not (part.isascii() and part.isdigit() and 1 <= int(part) <= MAX_ID):
                raise forms.ValidationError(
                    _("%(value)r is not an id (a whole number from 1).") % {"value": part},
                    code="invalid",
                )
            ids.add(int(part))
        return sorted(ids)


@extend_schema_field(
    {"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
     "maxItems": MAX_FILTER_VALUES}
)  # fmt: skip
class IdsFilter(django_filters.Filter):
    """Rows whose `field_name` is any of the ids given."""

    field_class = IdsFormField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("lookup_expr", "in")
        super().__init__(*args, **kwargs)


class ChoicesFilter(django_filters.MultipleChoiceFilter):
    """Rows whose field has any of the values given (`status=booked&status=cancelled`)."""

    def filter(self, queryset, value):
        if not value:
            return queryset
        return queryset.filter(**{f"{self.field_name}__in": value})
