from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from rest_framework import exceptions, pagination
from rest_framework.exceptions import NotFound

from apps.platform.api.filters import OrderingFilter

COUNT_PARAMETER = "count"


class CursorPagination(pagination.CursorPagination):
    """Opaque cursors over a unique ordering: pages stay stable while rows are inserted and
    deep pages cost no more than the first (no COUNT, no OFFSET). Views may set
    `pagination_ordering`; by default rows come in primary-key order."""

    page_size_query_param = "page_size"
    max_page_size = 500

    def get_page_size(self, request):
        # DRF falls back to the default for a page_size it cannot read; the schema says an
        # integer from 1 to 500, so anything else is refused.
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= self.max_page_size):
            raise exceptions.ValidationError(
                {self.page_size_query_param: [
                    _("Give a whole number from 1 to %(max)d.") % {"max": self.max_page_size}
                ]}
            )  # fmt: skip
        return int(raw)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {
                    "type": "integer", "minimum": 1, "maximum": self.max_page_size,
                }  # fmt: skip
        parameters.append(
            {
                "name": COUNT_PARAMETER,
                "required": False,
                "in": "query",
                "description": _("With true, the answer also counts every matching row (slower)."),
                "schema": {"type": "boolean"},
            }
        )
        return parameters

    def get_paginated_response_schema(self, schema):
        paginated = super().get_paginated_response_schema(schema)
        paginated["properties"] = {
            COUNT_PARAMETER: {
                "type": "integer",
                "description": _("Every matching row, on every page: only with count=true."),
            },
            **paginated["properties"],
        }
        return paginated

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        if self.count is not None:
            response.data = {COUNT_PARAMETER: self.count, **response.data}
        return response

    def get_ordering(self, request, queryset, view):
        # `ordering=`, where the view offers it (OrderingFilter reads and checks it).
        chosen = OrderingFilter().get_ordering(request, queryset, view)
        return chosen or getattr(view, "pagination_ordering", ("pk",))

    def count_requested(self, request) -> bool:
        raw = request.query_params.get(COUNT_PARAMETER)
        if raw in (None, "false"):
            return False
        if raw == "true":
            return True
        raise exceptions.ValidationError({COUNT_PARAMETER: [_("Give true or false.")]})

    def decode_cursor(self, request):
        # A cursor that is not one of ours is a malformed parameter: a 400 naming it (DRF
        # answers 404, as if the list were missing).
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            raise self.invalid_cursor() from None
        if cursor is not None and cursor.position is not None and "\x00" in cursor.position:
            raise self.invalid_cursor()
        return cursor

    def invalid_cursor(self) -> exceptions.ValidationError:
        return exceptions.ValidationError(
            {self.cursor_query_param: [_("Not a cursor of this list: follow next or previous.")]}
        )

    def paginate_queryset(self, queryset, request, view=None):
        # A cursor is opaque but not trusted: its position must be a value of the ordering
        # field, or the query would fail (a 500) instead of saying the cursor is invalid.
        cursor = self.decode_cursor(request)
        if cursor is not None and cursor.position is not None:
            name = self.get_ordering(request, queryset, view)[0].lstrip("-")
            if name == "pk":
                model_field = queryset.model._meta.pk
            elif name in queryset.query.annotations:
                model_field = queryset.query.annotations[name].output_field
            else:
                model_field = queryset.model._meta.get_field(name)
            try:
                model_field.to_python(cursor.position)
            except ValidationError:
                raise self.invalid_cursor() from None
        self.count = queryset.count() if self.count_requested(request) else None
        return super().paginate_queryset(queryset, request, view)
