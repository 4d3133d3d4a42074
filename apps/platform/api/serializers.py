"""The API's serializer bases: a JSON body must carry the types its schema states.

DRF reads generously: 5 for a text field becomes "5", "5" for a number 5, "yes" for a flag
True, " 1e3" for a decimal 1000. A client that relies on that breaks when the server is
stricter, and a generated client cannot send it; the schema says one type per field, so
the portal refuses anything else with a 400 naming the field. Query parameters are text by
nature and are left to the fields themselves.
"""

import math
import re
from collections.abc import Mapping
from decimal import Decimal

from django.http import QueryDict
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import relations, serializers
from rest_framework.settings import api_settings

JSON_TYPES = {
    bool: gettext_lazy("true or false"),
    int: gettext_lazy("a whole number"),
    float: gettext_lazy("a number"),
    str: gettext_lazy("a string"),
    list: gettext_lazy("a list"),
    dict: gettext_lazy("an object"),
}


def decimal_pattern(field: serializers.DecimalField) -> str:
    """The decimal texts `field` takes: digits, at most `decimal_places` of them after the
    point, no sign when it may not be negative, not zero when it must be positive."""
    whole = field.max_digits - field.decimal_places if field.max_digits else None
    digits = rf"\d{{0,{whole}}}" if whole is not None else r"\d*"
    sign = "" if field.min_value is not None and field.min_value >= 0 else "-?"
    nonzero = getattr(field, "nonzero", False) or (
        field.min_value is not None and field.min_value > 0
    )
    # A digit somewhere; with `nonzero`, a non-zero one.
    ahead = r"(?=\.?\d)" + (r"(?=[^1-9]*[1-9])" if nonzero else "")
    return rf"^{sign}{ahead}{digits}(?:\.\d{{0,{field.decimal_places}}})?$"


def decimal_integer_bounds(field: serializers.DecimalField) -> tuple[int | None, int | None]:
    """The whole numbers `field` takes as JSON numbers."""
    whole = field.max_digits - field.decimal_places if field.max_digits else None
    largest = 10**whole - 1 if whole is not None else None
    low = field.min_value
    nonzero = getattr(field, "nonzero", False)
    if low is None:
        low = -largest if largest is not None else None
    else:
        low = math.ceil(Decimal(low))
        if nonzero and low == 0:
            low = 1
    high = field.max_value if field.max_value is not None else largest
    return low, (math.floor(Decimal(high)) if high is not None else None)


def _expected(field) -> type | None:
    if isinstance(field, serializers.JSONField | serializers.HiddenField):
        return None
    if isinstance(field, serializers.BooleanField):
        return bool
    if isinstance(field, serializers.IntegerField | relations.PrimaryKeyRelatedField):
        return int
    if isinstance(field, serializers.FloatField):
        return float
    if isinstance(field, serializers.MultipleChoiceField | serializers.ListField):
        return list
    if isinstance(field, relations.ManyRelatedField | serializers.ListSerializer):
        return list
    if isinstance(field, serializers.DictField | serializers.Serializer):
        return dict
    if isinstance(field, serializers.ChoiceField):
        if all(isinstance(key, str) for key in field.choices):
            return str
        if all(isinstance(key, int) and not isinstance(key, bool) for key in field.choices):
            return int
        return None
    if isinstance(
        field,
        serializers.CharField
        | serializers.UUIDField
        | serializers.DateTimeField
        | serializers.DateField
        | serializers.TimeField
        | serializers.DurationField,
    ):
        return str
    return None


def json_type_error(field, value) -> str | None:
    """Why `value`, as JSON gave it, is not of the type `field` is documented with."""
    if value is None:
        return None  # allow_null is the field's to check
    if isinstance(field, serializers.DecimalField):
        if isinstance(value, str):
            if not re.fullmatch(decimal_pattern(field), value):
                return _('Give a decimal number as text, e.g. "12.5".')
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return None
        return _('Give a decimal number as text ("12.5") or a whole number.')
    expected = _expected(field)
    if expected is None:
        return None
    if expected is float:
        matches = isinstance(value, int | float) and not isinstance(value, bool)
    elif expected is int:
        matches = isinstance(value, int) and not isinstance(value, bool)
    elif expected is dict:
        matches = isinstance(value, Mapping)
    else:
        matches = isinstance(value, expected)
    if not matches:
        return _("Give %(type)s.") % {"type": JSON_TYPES[expected]}
    child = getattr(field, "child", None) or getattr(field, "child_relation", None)
    if expected is list and child is not None and not isinstance(child, serializers.Serializer):
        for item in value:
            if (problem := json_type_error(child, item)) is not None:
                return problem
    return None


class StrictJsonMixin:
    def to_internal_value(self, data):
        if isinstance(data, Mapping) and not isinstance(data, QueryDict):
            errors = {}
            for field in self._writable_fields:
                if field.field_name in data:
                    problem = json_type_error(field, data[field.field_name])
                    if problem is not None:
                        errors[field.field_name] = [problem]
            if errors:
                # The other fields are still checked, so that one answer lists every error.
                rest = {name: value for name, value in data.items() if name not in errors}
                try:
                    super().to_internal_value(rest)
                except serializers.ValidationError as exc:
                    detail = (
                        exc.detail
                        if isinstance(exc.detail, dict)
                        else {api_settings.NON_FIELD_ERRORS_KEY: exc.detail}
                    )
                    errors = {**detail, **errors}
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class Serializer(StrictJsonMixin, serializers.Serializer):
    pass


class ModelSerializer(StrictJsonMixin, serializers.ModelSerializer):
    pass
