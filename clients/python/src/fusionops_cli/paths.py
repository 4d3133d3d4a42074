"""Every path of the portal the client calls, in one place.

Every API path ends with a slash (the portal's one path rule); the websocket path is the
one of apps/realtime/routing.py.
"""

API = "/api/v1"

TOKENS = f"{API}/tokens/"
EVENTS = f"{API}/events/"
EVENT_CATALOGUE = f"{API}/events/catalogue/"
DEAD_LETTERS = f"{API}/ops/dead-letters/"
AUDIT_VERIFY = f"{API}/audit/verify/"
ALLOCATE = f"{API}/allocate/"
AVAILABILITY = f"{API}/resources/availability/"
MATCH = f"{API}/match/"
STOCK_RECEIVE = f"{API}/stock/receive/"
STOCK_ISSUE = f"{API}/stock/issue/"
STOCK_TRANSFER = f"{API}/stock/transfer/"
ORDERS = f"{API}/orders/"

WS_NOTIFY = "/ws/notify/"

OIDC_DISCOVERY = "/.well-known/openid-configuration"


def dead_letter_replay(delivery_id: int) -> str:
    return f"{DEAD_LETTERS}{delivery_id}/replay/"


def order(order_id: int) -> str:
    return f"{ORDERS}{order_id}/"


def order_workflow(order_id: int) -> str:
    return f"{ORDERS}{order_id}/workflow/"
