"""How the schema states the fields the strict JSON bases check (apps.platform.api.serializers),
so that what the schema allows and what the portal takes are the same."""

from django.core.validators import RegexValidator
from drf_spectacular.extensions import OpenApiSerializerFieldExtension

from apps.platform.api.serializers import decimal_integer_bounds, decimal_pattern


class DecimalFieldSchema(OpenApiSerializerFieldExtension):
    """Decimals leave as text; they arrive as text or, exactly, as whole numbers."""

    target_class = "rest_framework.serializers.DecimalField"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        text = {**schema, "type": "string", "format": "decimal"}
        text["pattern"] = decimal_pattern(self.target)
        if direction == "response":
            return text
        low, high = decimal_integer_bounds(self.target)
        whole = {"type": "integer"}
        if low is not None:
            whole["minimum"] = low
        if high is not None:
            whole["maximum"] = high
        if getattr(self.target, "nonzero", False) and (low is None or low < 0):
            whole["not"] = {"enum": [0]}
        described = {k: text.pop(k) for k in ("description", "readOnly", "nullable") if k in text}
        return {"oneOf": [text, whole], **described}


class ListSerializerSchema(OpenApiSerializerFieldExtension):
    """A list of objects states how many it takes (DRF's min_length, max_length)."""

    target_class = "rest_framework.serializers.ListSerializer"
    match_subclasses = True

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        if direction == "request":
            least = self.target.min_length or (0 if self.target.allow_empty else 1)
            if least:
                schema["minItems"] = least
            if self.target.max_length is not None:
                schema["maxItems"] = self.target.max_length
        return schema


class CharFieldSchema(OpenApiSerializerFieldExtension):
    """Text that may not be blank is trimmed first, so it needs more than white space."""

    target_class = "rest_framework.serializers.CharField"

    def map_serializer_field(self, auto_schema, direction):
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        field = self.target
        patterned = any(isinstance(v, RegexValidator) for v in field.validators)
        if (
            direction == "request"
            and not (field.allow_blank or patterned)
            and field.trim_whitespace
        ):
            schema.setdefault("pattern", r"[^\s\x1c-\x1f]")
        return schema
