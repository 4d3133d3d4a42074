"""The API's one path rule (every path ends with a slash) and how the old forms of paths
and parameters keep answering for one release.

A request that uses an old form is answered as the new form would be, with RFC 9745's
`Deprecation`, RFC 8594's `Sunset` and, for an old path, a `Link` to its successor. Old
paths are plain functions (no `cls`), so the schema generator leaves them out and
generated clients only learn the new forms.
"""

from datetime import UTC, datetime

from django.urls import URLPattern, path
from django.utils.http import http_date

# The release that renamed them, and the one after it, which drops the old forms.
DEPRECATED_SINCE = datetime(2026, 12, 2, tzinfo=UTC)
SUNSET = datetime(2027, 6, 1, tzinfo=UTC)


def api_path(
    route: str, view, *, name: str, old: str | None = None, old_view=None
) -> list[URLPattern]:
    """`route` (ending in a slash) as `name`; with `old`, that path too, deprecated, served
    by `view` or, where the old path answered in another shape, by `old_view`."""
    if not route.endswith("/"):
        raise ValueError(f"API paths end with a slash: {route!r}")
    patterns = [path(route, view, name=name)]
    if old is not None:
        patterns.append(path(old, deprecated(old_view or view), name=f"{name}-deprecated"))
    return patterns


def deprecated(view):
    def deprecated_view(request, *args, **kwargs):
        successor = successor_path(request.path)
        if query := request.META.get("QUERY_STRING"):
            successor += ("&" if "?" in successor else "?") + query
        mark_deprecated(request, successor=successor)
        return view(request, *args, **kwargs)

    deprecated_view.csrf_exempt = getattr(view, "csrf_exempt", False)
    return deprecated_view


def successor_path(old_path: str) -> str:
    # The one renamed path: the CSV export is negotiated now (Accept or ?format=).
    if old_path.endswith("/export.csv"):
        return old_path.removesuffix(".csv") + "/?format=csv"
    return old_path + "/"


def mark_deprecated(request, *, successor: str | None = None) -> None:
    """Have the response to `request` (Django's) say it used a deprecated form."""
    request.api_deprecation = {"successor": successor}


class DeprecationMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        deprecation = getattr(request, "api_deprecation", None)
        if deprecation is not None:
            for name, value in deprecation_headers(deprecation["successor"]).items():
                response[name] = value
        return response


def deprecation_headers(successor: str | None) -> dict[str, str]:
    headers = {
        "Deprecation": f"@{int(DEPRECATED_SINCE.timestamp())}",
        "Sunset": http_date(SUNSET.timestamp()),
    }
    if successor:
        headers["Link"] = f'<{successor}>; rel="successor-version"'
    return headers
