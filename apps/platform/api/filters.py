from django_filters.rest_framework import DjangoFilterBackend

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
