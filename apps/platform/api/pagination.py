from django.core.exceptions import ValidationError
from rest_framework import pagination
from rest_framework.exceptions import NotFound


class CursorPagination(pagination.CursorPagination):
    """Opaque cursors over a unique ordering: pages stay stable while rows are inserted and
    deep pages cost no more than the first (no COUNT, no OFFSET). Views may set
    `pagination_ordering`; by default rows come in primary-key order."""

    page_size_query_param = "page_size"
    max_page_size = 500

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
