from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from rest_framework import exceptions, pagination
from rest_framework.exceptions import NotFound


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
        return parameters

    def get_ordering(self, request, queryset, view):
        return getattr(view, "pagination_ordering", ("pk",))

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
                if "\x00" in cursor.position:
                    raise ValidationError("NUL")
                model_field.to_python(cursor.position)
            except ValidationError:
                raise NotFound(self.invalid_cursor_message) from None
        return super().paginate_queryset(queryset, request, view)
