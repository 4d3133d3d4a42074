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

    def decode_cursor(self, request):
        cursor = super().decode_cursor(request)
        # The position goes into a query: one that cannot be stored cannot be a position.
        if cursor is not None and cursor.position is not None and "\x00" in cursor.position:
            raise NotFound(self.invalid_cursor_message)
        return cursor
