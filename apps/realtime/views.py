"""The live operations board."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http.request import split_domain_port
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from apps.orders.choices import OrderStatus
from apps.realtime.board import Period, board_snapshot
from apps.realtime.consumers import BEARER_SUBPROTOCOL


def websocket_url(request) -> str:
    """Where this page's browser opens the notification socket."""
    if settings.REALTIME_WS_URL:
        return request.build_absolute_uri(settings.REALTIME_WS_URL).replace("http", "ws", 1)
    scheme = "wss" if request.is_secure() else "ws"
    host, _port = split_domain_port(request.get_host())
    return f"{scheme}://{host}:{settings.WS_PORT}/ws/notify/"


def allow_socket(response, ws_url: str):
    """The strict policy allows connections to this site only; add the socket's origin."""
    response._csp_update = {"connect-src": [ws_url.split("/ws/", 1)[0]]}
    return response


def live_labels() -> dict[str, str]:
    """What a live page says of its socket, in the viewer's language (see live.js)."""
    return {
        "live": _("Live"),
        "connecting": _("Connecting…"),
        # %s: seconds
        "reconnecting": _("Reconnecting in %s s…"),
        "idle": _("Nothing to follow"),
        "signedOut": _("Signed out: reload the page to sign in again"),
    }


@login_required
@require_GET
def board(request):
    roles = frozenset(request.user.groups.values_list("name", flat=True))
    period = Period.of(
        day=request.GET.get("date"), span=request.GET.get("span"), zone=request.GET.get("tz")
    )
    snapshot = board_snapshot(user=request.user, roles=roles, period=period)
    ws_url = websocket_url(request)
    response = render(
        request,
        "realtime/board.html",
        {
            "board": snapshot,
            "period": period,
            "today": timezone.localdate(timezone=period.zone).isoformat(),
            "previous": period.step(-1).isoformat(),
            "next": period.step(1).isoformat(),
            "board_config": {
                "wsUrl": ws_url,
                "position": snapshot.position,
                "topics": snapshot.topics,
                "heartbeatSeconds": settings.REALTIME_HEARTBEAT_SECONDS,
                "labels": {
                    **live_labels(),
                    "lowStock": _(
                        "{sku} @ {location}: {available} available, reorder point {point}"
                    ),
                    "statuses": {status: str(label) for status, label in OrderStatus.choices},
                },
                "periodStart": period.starts_at.isoformat(),
                "periodEnd": period.ends_at.isoformat(),
                "timeZone": str(period.zone),
                "zoneChosen": "tz" in request.GET,
                "projects": {str(pk): code for pk, code in snapshot.projects.items()},
                "bearerSubprotocol": BEARER_SUBPROTOCOL,
            },
        },
    )
    return allow_socket(response, ws_url)
