"""The `fusionops` commands. Each one reads its options, calls the portal through
`client.Client`, and prints a table (or, with --json, the API's JSON); errors end it with
the exit code of errors.ExitCode."""

import json
import os
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import click
import httpx

from fusionops_cli import __version__, config, live, models, oidc, output, paths
from fusionops_cli.checkpoints import checkpoints_read
from fusionops_cli.client import DEFAULT_TIMEOUT, Client, new_idempotency_key
from fusionops_cli.errors import EXIT_CODES_HELP, ApiError, CliError, ExitCode, UsageError
from fusionops_cli.params import DATETIME, ID, QUANTITY

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
EVENT_LIST_LIMIT = 100
MAX_PAGE = 500  # the portal's largest page_size
COMMON_OPTIONS = frozenset({"url", "token", "as_json", "timeout", "ws_url"})


@dataclass
class State:
    """The options every command takes, wherever on the command line they were given (a
    command's own win over the group's)."""

    url: str | None = None
    token: str | None = None
    ws_url: str | None = None
    json: bool = False
    timeout: float = DEFAULT_TIMEOUT

    def target(self, *, need_token: bool = True) -> config.Target:
        return config.resolve(
            url=self.url, token=self.token, ws_url=self.ws_url, need_token=need_token
        )

    def client(self, target: config.Target | None = None) -> Client:
        target = target or self.target()
        return Client(target.url, target.token, timeout=self.timeout, on_retry=_retrying)


def _retrying(why: str, wait: float) -> None:
    output.note(f"{why}; trying again in {wait:.1f} s")


def _store(name: str):
    def callback(ctx: click.Context, param: click.Parameter, value):
        if value is not None and value is not False:
            setattr(ctx.ensure_object(State), name, value)
        return value

    return callback


def common_options(command: Callable) -> Callable:
    """--url, --token, --json and --timeout, on the group and on every command."""
    options = [
        click.option(
            "--url",
            metavar="URL",
            expose_value=False,
            callback=_store("url"),
            help="The portal's base URL (else $FUSIONOPS_URL, else the one `login` saved).",
        ),
        click.option(
            "--token",
            metavar="TOKEN",
            expose_value=False,
            callback=_store("token"),
            help="A bearer token (else $FUSIONOPS_TOKEN, else the one `login` saved).",
        ),
        click.option(
            "--json",
            "as_json",
            is_flag=True,
            default=False,
            expose_value=False,
            callback=_store("json"),
            help="Print the API's JSON on stdout instead of a table.",
        ),
        click.option(
            "--timeout",
            type=click.FloatRange(min=0.1),
            metavar="SECONDS",
            expose_value=False,
            callback=_store("timeout"),
            help=f"How long to wait for each answer (default {DEFAULT_TIMEOUT:g}).",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def ws_url_option(command: Callable) -> Callable:
    return click.option(
        "--ws-url",
        metavar="URL",
        expose_value=False,
        callback=_store("ws_url"),
        help="The notification socket (else $FUSIONOPS_WS_URL, else the base URL's "
        "ws(s)://host/ws/notify/).",
    )(command)


def idempotency_option(command: Callable) -> Callable:
    return click.option(
        "--idempotency-key",
        metavar="KEY",
        help="Send this Idempotency-Key (default: a new UUID, printed on stderr) to retry "
        "a request safely: the portal answers the first response again.",
    )(command)


def state() -> State:
    return click.get_current_context().ensure_object(State)


class Group(click.Group):
    """Turns the errors of any command below it into their message and exit code."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except CliError as exc:
            output.error(exc, as_json=ctx.ensure_object(State).json)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            raise
        except httpx.HTTPError as exc:
            output.error(CliError(f"{type(exc).__name__}: {exc}", ExitCode.UNAVAILABLE))
            ctx.exit(ExitCode.UNAVAILABLE)
        except Exception as exc:
            output.error(CliError(f"unexpected {type(exc).__name__}: {exc}"))
            ctx.exit(ExitCode.UNEXPECTED)


def command(group: click.Group, name: str | None = None, **settings):
    """A command of `group` with the common options and the exit codes in its help."""

    def decorate(function: Callable) -> click.Command:
        created = group.command(
            name, epilog=EXIT_CODES_HELP, context_settings=CONTEXT_SETTINGS, **settings
        )(common_options(function))
        # The command's own options first in its help, the common ones after.
        created.params.sort(key=lambda param: param.name in COMMON_OPTIONS)
        return created

    return decorate


def subgroup(name: str, help: str) -> click.Group:
    def group() -> None:
        pass

    return cli.group(
        name, cls=Group, help=help, epilog=EXIT_CODES_HELP, context_settings=CONTEXT_SETTINGS
    )(common_options(group))


@click.group(cls=Group, epilog=EXIT_CODES_HELP, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, prog_name="fusionops")
@common_options
def cli() -> None:
    """The FusionOps portal from the command line: book resources, move stock, place
    orders, follow the live stream and verify the audit log.

    Sign in once with `fusionops login` (it saves the URL and token in
    $XDG_CONFIG_HOME/fusionops/config.json, readable by you only), or pass --url and
    --token (or $FUSIONOPS_URL and $FUSIONOPS_TOKEN) to any command. Times are ISO 8601
    (2026-12-01T09:00, with an offset or in the local zone)."""


def main() -> None:
    cli(prog_name="fusionops")


def _key(given: str | None) -> str:
    key = given or new_idempotency_key()
    output.note(f"Idempotency-Key: {key}")
    return key


def _emit(data: Any, render: Callable[[], None]) -> None:
    if state().json:
        output.print_json(data)
    else:
        render()


# --- login -------------------------------------------------------------------------------


@command(cli)
@click.option("--device", is_flag=True, help="Sign in at the identity provider instead (RFC 8628).")
@click.option("--issuer", metavar="URL", help="With --device: the provider's issuer URL.")
@click.option("--client-id", metavar="ID", help="With --device: the client registered there.")
@click.option("--client-secret", metavar="SECRET", help="With --device: its secret, if any.")
@click.option("--scope", default="openid", show_default=True, help="With --device: the scopes.")
@ws_url_option
def login(device, issuer, client_id, client_secret, scope):
    """Check a token against the portal and save the URL and token for later commands.

    With --token (or $FUSIONOPS_TOKEN; asked for when neither is given): a portal token
    from `manage.py issue_token`. With --device --issuer URL --client-id ID: sign in at
    the OpenID provider with the device flow and save its access token."""
    current = state()
    target = current.target(need_token=False)
    token = current.token or os.environ.get(config.TOKEN_VARIABLE)
    stored: config.StoredConfig = {"url": target.url}
    if device:
        if current.token:
            raise UsageError("Give either --token or --device, not both.")
        if not issuer or not client_id:
            raise UsageError("--device needs --issuer and --client-id.")
        token = _device_sign_in(issuer, client_id, client_secret, scope)
        stored.update(method="device", issuer=issuer.rstrip("/"))
    else:
        if not token:
            if not sys.stdin.isatty():
                raise UsageError("Give the token with --token or $FUSIONOPS_TOKEN.")
            token = click.prompt("Token", hide_input=True).strip()
        stored["method"] = "token"
    try:
        with Client(target.url, token, timeout=current.timeout, on_retry=_retrying) as api:
            api.token_check()
    except ApiError as exc:
        if exc.status in (401, 403):
            refusal = "does not accept" if exc.status == 401 else "lets no role in with"
            output.error(exc)
            raise CliError(
                f"The portal at {target.url} {refusal} this token; nothing was saved.",
                ExitCode.NOT_ALLOWED,
            ) from exc
        raise
    stored["token"] = token
    if current.ws_url:
        stored["ws_url"] = current.ws_url
    path = config.config_write(stored)
    _emit(
        {"url": target.url, "method": stored["method"], "config": str(path)},
        lambda: output.show(f"Signed in to {target.url}; saved in {path}."),
    )


def _device_sign_in(issuer: str, client_id: str, secret: str | None, scope: str) -> str:
    with httpx.Client(timeout=state().timeout, headers={"Accept": "application/json"}) as http:
        metadata = oidc.discover(issuer, http)
        endpoint = oidc.device_endpoint(metadata, issuer)
        token_endpoint = metadata.get("token_endpoint")
        if not token_endpoint:
            raise UsageError(f"The provider at {issuer} names no token_endpoint.")
        code = oidc.device_code_request(
            endpoint, client_id=client_id, client_secret=secret, scope=scope, http=http
        )
        output.note(f"Open {code.verification_uri} and enter the code {code.user_code}")
        if code.verification_uri_complete:
            output.note(f"(or open {code.verification_uri_complete})")
        output.note("Waiting for the sign-in to be approved…")
        answer = oidc.device_token_poll(
            token_endpoint, code, client_id=client_id, client_secret=secret, http=http
        )
    return answer["access_token"]


# --- resources and bookings --------------------------------------------------------------


def _allocations_table(allocations: Iterable[models.Allocation], title: str):
    return output.table(
        ["id", "resource", "name", "project", "from", "to", "status"],
        (
            (
                a["id"],
                a["resource"],
                a["resource_name"],
                a["project_code"],
                a["from"],
                a["to"],
                a["status"],
            )
            for a in allocations
        ),
        title=title,
    )


@command(cli)
@click.option(
    "--resource",
    "resources",
    type=ID,
    multiple=True,
    required=True,
    help="A resource to book (repeat for several: all are booked, or none).",
)
@click.option("--project", type=ID, required=True, help="The project to book for.")
@click.option("--start", type=DATETIME, required=True, help="When the booking starts.")
@click.option("--end", type=DATETIME, required=True, help="When it ends.")
@click.option("--note", default=None, help="A note kept with the booking.")
@idempotency_option
def book(resources, project, start, end, note, idempotency_key):
    """Book resources for a project, all or nothing (POST /api/v1/allocate/).

    When a booking is in the way, nothing is booked: the bookings in the way are listed
    on stderr and the exit code is 5."""
    body: models.AllocateRequest = {
        "project": project,
        "items": [{"resource": resource, "from": start, "to": end} for resource in resources],
    }
    if note is not None:
        body["note"] = note
    with state().client() as api:
        created = api.allocate(body, idempotency_key=_key(idempotency_key))
    _emit(created, lambda: output.show(_allocations_table(created["allocations"], "Booked")))


@command(cli)
@click.option(
    "--resource",
    "resources",
    type=ID,
    multiple=True,
    help="Only this resource (repeat for several; default: every active one).",
)
@click.option("--from", "start", type=DATETIME, required=True, help="The window's start.")
@click.option("--to", "end", type=DATETIME, required=True, help="Its end (at most 31 days on).")
@click.option("--kind", type=click.Choice(["person", "equipment", "vehicle", "room"]))
@click.option(
    "--skill",
    "skills",
    multiple=True,
    help="Only resources with this skill, an id or a name (repeat: with all).",
)
@click.option("--min-duration", metavar="HH:MM:SS", help="Only free slots at least this long.")
@click.option("--working-hours", is_flag=True, help="Clip free time to each resource's hours.")
def availability(resources, start, end, kind, skills, min_duration, working_hours):
    """Free slots per resource within a window (GET /api/v1/resources/availability/)."""
    params = {
        "from": start,
        "to": end,
        "resources": ",".join(str(r) for r in resources) or None,
        "kind": kind,
        "skill": ",".join(skills) or None,
        "min_duration": min_duration,
        "working_hours": True if working_hours else None,
    }
    with state().client() as api:
        rows = list(api.availability(params))

    def render():
        lines = []
        for row in rows:
            for slot in row["slots"] or [{"from": "(no free time)", "to": ""}]:
                lines.append((row["resource"], row["name"], row["kind"], slot["from"], slot["to"]))
        output.show(output.table(["resource", "name", "kind", "free from", "free to"], lines))

    _emit(rows, render)


DEMAND_KEYS = ("key", "from", "to", "kind", "skill")


def _demand(spec: str) -> models.DemandRequest:
    """key=K,from=T,to=T[,kind=KIND][,skill=S]... as one demand."""
    fields: dict[str, Any] = {"skills": []}
    for part in (p for p in spec.split(",") if p.strip()):
        name, sep, value = part.partition("=")
        name = name.strip()
        if not sep or name not in DEMAND_KEYS:
            raise UsageError(
                f"--demand {spec!r}: write key=K,from=T,to=T[,kind=KIND][,skill=S]... "
                f"({name!r} is not one of {', '.join(DEMAND_KEYS)})."
            )
        if name == "skill":
            fields["skills"].append(value.strip())
        elif name in ("from", "to"):
            try:
                fields[name] = DATETIME.convert(value, None, None)
            except click.BadParameter as exc:
                raise UsageError(f"--demand {spec!r}: {exc.message}") from exc
        else:
            fields[name] = value.strip()
    missing = [name for name in ("key", "from", "to") if name not in fields]
    if missing:
        raise UsageError(f"--demand {spec!r} has no {', '.join(missing)}.")
    if not fields["skills"]:
        del fields["skills"]
    return fields  # type: ignore[return-value]


@command(cli)
@click.option(
    "--demand",
    "demands",
    multiple=True,
    metavar="SPEC",
    help="key=K,from=T,to=T[,kind=KIND][,skill=S]... (repeat for several demands).",
)
@click.option(
    "--demands-file",
    type=click.File("r"),
    help="The demands as a JSON list (- for stdin), beside or instead of --demand.",
)
@click.option(
    "--resource",
    "resources",
    type=ID,
    multiple=True,
    help="Only assign from these resources (repeat; default: every active one).",
)
@click.option(
    "--strategy",
    type=click.Choice(["hungarian", "greedy"]),
    default=None,
    help="hungarian: the least total cost (the portal's default); greedy: faster.",
)
@click.option("--commit", is_flag=True, help="Book the assignment too (Operator).")
@click.option("--project", type=ID, help="With --commit: the project to book for.")
@click.option("--note", default=None, help="With --commit: a note kept with the bookings.")
def match(demands, demands_file, resources, strategy, commit, project, note):
    """Assign resources to demands at the least cost (POST /api/v1/match/), and book the
    assignment when asked to (--commit --project ID)."""
    wanted: list[models.DemandRequest] = [_demand(spec) for spec in demands]
    if demands_file is not None:
        try:
            loaded = json.load(demands_file)
        except ValueError as exc:
            raise UsageError(f"--demands-file is not JSON: {exc}") from exc
        if not isinstance(loaded, list):
            raise UsageError("--demands-file holds a JSON list of demands.")
        wanted.extend(loaded)
    if not wanted:
        raise UsageError("Give at least one --demand (or --demands-file).")
    if commit and project is None:
        raise UsageError("--commit needs --project.")
    body: models.MatchRequest = {"demands": wanted}
    if resources:
        body["resources"] = list(resources)
    if strategy:
        body["strategy"] = strategy
    if commit:
        body["commit"] = True
        body["project"] = project
    if note is not None:
        body["note"] = note
    with state().client() as api:
        result = api.match(body)

    def render():
        output.show(
            output.table(
                ["demand", "resource", "name", "cost", "booking"],
                (
                    (a["demand"], a["resource"], a["resource_name"], a["cost"], a["allocation"])
                    for a in result["assignments"]
                ),
                title="Assigned",
            )
        )
        if result["unassigned"]:
            output.show(
                output.table(
                    ["demand", "why not"],
                    ((u["demand"], u["reason"]) for u in result["unassigned"]),
                    title="Unassigned",
                )
            )
        booked = "booked" if result["committed"] else "not booked (plan only)"
        output.show(f"{result['strategy']}: total cost {result['total_cost']}, {booked}")

    _emit(result, render)


# --- stock -------------------------------------------------------------------------------

stock = subgroup("stock", "Goods in, out and between locations (Warehouse).")


def _movements_table(movements: Iterable[models.StockMovement]):
    return output.table(
        [
            "id",
            "kind",
            "item",
            "location",
            "quantity",
            "on hand after",
            "reserved after",
            "reference",
        ],
        (
            (
                m["id"],
                m["kind"],
                m["item"],
                m["location"],
                m["quantity"],
                m["on_hand_after"],
                m["reserved_after"],
                m["reference"],
            )
            for m in movements
        ),
    )


def movement_options(command: Callable) -> Callable:
    for option in reversed(
        [
            click.option("--item", type=ID, required=True, help="The item."),
            click.option("--location", type=ID, required=True, help="The location."),
            click.option("--quantity", type=QUANTITY, required=True, help="How much."),
            click.option("--reference", default=None, help="A delivery note, say."),
            click.option("--reason", default=None, help="Why."),
            idempotency_option,
        ]
    ):
        command = option(command)
    return command


def _move(path: str, item, location, quantity, reference, reason, idempotency_key) -> None:
    body: models.MovementInputRequest = {"item": item, "location": location, "quantity": quantity}
    if reference is not None:
        body["reference"] = reference
    if reason is not None:
        body["reason"] = reason
    with state().client() as api:
        movement = api.stock_move(path, body, idempotency_key=_key(idempotency_key))
    _emit(movement, lambda: output.show(_movements_table([movement])))


@command(stock)
@movement_options
def receive(item, location, quantity, reference, reason, idempotency_key):
    """Goods in (POST /api/v1/stock/receive/)."""
    _move(paths.STOCK_RECEIVE, item, location, quantity, reference, reason, idempotency_key)


@command(stock)
@movement_options
def issue(item, location, quantity, reference, reason, idempotency_key):
    """Goods out (POST /api/v1/stock/issue/); more than is available is refused (exit 5)."""
    _move(paths.STOCK_ISSUE, item, location, quantity, reference, reason, idempotency_key)


@command(stock)
@click.option("--item", type=ID, required=True, help="The item.")
@click.option("--source", type=ID, required=True, help="The location it leaves.")
@click.option("--destination", type=ID, required=True, help="The location it goes to.")
@click.option("--quantity", type=QUANTITY, required=True, help="How much.")
@click.option("--reference", default=None, help="A transfer note, say.")
@click.option("--reason", default=None, help="Why.")
@idempotency_option
def transfer(item, source, destination, quantity, reference, reason, idempotency_key):
    """From one location to another (POST /api/v1/stock/transfer/)."""
    body: models.TransferInputRequest = {
        "item": item,
        "source": source,
        "destination": destination,
        "quantity": quantity,
    }
    if reference is not None:
        body["reference"] = reference
    if reason is not None:
        body["reason"] = reason
    with state().client() as api:
        moved = api.stock_transfer(body, idempotency_key=_key(idempotency_key))
    _emit(moved, lambda: output.show(_movements_table([moved["out"], moved["in"]])))


# --- orders ------------------------------------------------------------------------------

orders = subgroup("orders", "Place and follow orders.")


def _line(spec: str, default_location: int | None) -> models.OrderLineInputRequest:
    """ITEM:QTY or ITEM:QTY@LOCATION."""
    head, _, location = spec.partition("@")
    item, sep, quantity = head.partition(":")
    location = location or (str(default_location) if default_location else "")
    if not sep or not location:
        raise UsageError(
            f"--line {spec!r}: write ITEM_ID:QUANTITY (with --location) or "
            "ITEM_ID:QUANTITY@LOCATION_ID."
        )
    try:
        return {
            "item": ID.convert(item, None, None),
            "location": ID.convert(location, None, None),
            "quantity": QUANTITY.convert(quantity, None, None),
        }
    except click.BadParameter as exc:
        raise UsageError(f"--line {spec!r}: {exc.message}") from exc


def _order_summary(order: models.Order) -> list:
    return [
        ("order", f"{order['number']} (id {order['id']})"),
        ("customer", order["customer_reference"]),
        ("status", order["status"]),
        ("subtotal", order["subtotal"]),
        ("discount", order["discount"]),
        ("total", order["total"]),
        ("reason", order.get("reason") or ""),
        ("placed", order["created_at"]),
    ]


def _order_lines(order: models.OrderDetail):
    return output.table(
        ["item", "sku", "location", "quantity", "unit price", "line total"],
        (
            (
                line["item"],
                line["sku"],
                line["location"],
                line["quantity"],
                line["unit_price"],
                line["line_total"],
            )
            for line in order["lines"]
        ),
        title="Lines",
    )


@command(orders, "place")
@click.option("--customer", required=True, help="Whose order it is (customer_reference).")
@click.option(
    "--line",
    "lines",
    multiple=True,
    required=True,
    metavar="ITEM:QTY[@LOC]",
    help="A line: item id and quantity, at --location or @LOCATION_ID (repeat).",
)
@click.option("--location", type=ID, help="The location of lines that name none.")
@idempotency_option
def order_place(customer, lines, location, idempotency_key):
    """Place an order (POST /api/v1/orders/) under an Idempotency-Key: a new one unless
    given, printed on stderr before the request is sent and in the output, so that a
    script can retry with it (the same key and body answer the same order again)."""
    body: models.OrderInputRequest = {
        "customer_reference": customer,
        "lines": [_line(spec, location) for spec in lines],
    }
    key = _key(idempotency_key)
    with state().client() as api:
        placed, replayed = api.order_place(body, idempotency_key=key)

    def render():
        rows = [*_order_summary(placed), ("idempotency key", key)]
        if replayed:
            rows.append(("replayed", "yes: this key placed the order before"))
        output.show(output.table(["", ""], rows, title="Order placed", show_header=False))
        output.show(_order_lines(placed))

    _emit(placed, render)


@command(orders, "show")
@click.argument("order_id", type=ID, metavar="ID")
def order_show(order_id):
    """An order and its workflow: its events in order, with each subscriber's delivery
    (GET /api/v1/orders/{id}/ and /api/v1/orders/{id}/workflow/). --json prints
    {"order": ..., "workflow": ...}."""
    with state().client() as api:
        detail = api.order(order_id)
        workflow = api.order_workflow(order_id)

    def render():
        output.show(
            output.table(["", ""], _order_summary(detail), title="Order", show_header=False)
        )
        output.show(_order_lines(detail))
        output.show(
            output.table(
                ["seq", "recorded", "event", "deliveries"],
                (
                    (
                        step["seq"],
                        step["recorded_at"],
                        step["type"],
                        ", ".join(f"{d['subscriber']}: {d['state']}" for d in step["deliveries"]),
                    )
                    for step in workflow["timeline"]
                ),
                title="Workflow",
            )
        )

    _emit({"order": detail, "workflow": workflow}, render)


# --- the event log -----------------------------------------------------------------------

events = subgroup("events", "The audit log and the live stream.")


def _event_rows(found: Iterable[models.Event]):
    return (
        (
            e["position"],
            e["recorded_at"],
            e["type"],
            f"{e['aggregate_type']}:{e['aggregate_id']}",
            output.actor(e["actor"]),
        )
        for e in found
    )


@command(events)
@click.option(
    "--type",
    "event_type",
    metavar="TYPE",
    help="Only this event type, or a prefix such as orders.* ",
)
@click.option(
    "--after",
    type=click.IntRange(min=0),
    metavar="POSITION",
    help="Only events after this position (commit order), oldest first.",
)
@click.option(
    "--follow", "-f", is_flag=True, help="Follow the live stream (the websocket) until interrupted."
)
@click.option(
    "--topic",
    "topics",
    multiple=True,
    metavar="TOPIC",
    help="With --follow: allocations, inventory, orders, orders:mine, audit or "
    "project:ID (repeat; default: every one your roles allow).",
)
@click.option(
    "--limit",
    type=click.IntRange(min=1),
    help=f"Stop after this many events (default {EVENT_LIST_LIMIT}; with --follow, no limit).",
)
@ws_url_option
def tail(event_type, after, follow, topics, limit):
    """Recent events of the audit log (GET /api/v1/events/, AuditViewer or Admin), or with
    --follow every event as it happens (/ws/notify/), resuming after the last position
    seen whenever the socket drops: nothing is missed or printed twice.

    --follow prints one line per event (with --json, each message as a JSON line); notes
    such as reconnections go to stderr."""
    current = state()
    if follow:
        _follow(current, event_type, after, topics, limit)
        return
    limit = limit or EVENT_LIST_LIMIT
    params = {"type": event_type, "since_position": after, "page_size": min(limit, MAX_PAGE)}
    with current.client() as api:
        found = list(api.events(params, limit=limit))
    # Newest first unless resuming from a position: shown oldest first, newest last.
    shown = found if after is not None else list(reversed(found))
    _emit(
        found,
        lambda: output.show(
            output.table(["position", "recorded", "type", "aggregate", "actor"], _event_rows(shown))
        ),
    )


def _follow(current: State, event_type, after, topics, limit) -> None:
    target = current.target()
    type_filter = None
    if event_type:
        with current.client(target) as api:
            type_filter = live.TypeFilter.from_catalogue([event_type], api.event_catalogue())
        if not type_filter.message_types and live.AUDIT_TOPIC not in (topics or live.ALL_TOPICS):
            output.note(
                f"No live message carries events of type {event_type} except on the audit "
                "topic: nothing will be printed."
            )
    as_json = current.json

    def emit(message: models.LiveMessage) -> None:
        if as_json:
            output.print_json_line(message)
        else:
            data = message.get("data")
            output.show(
                output.cell(
                    f"{message.get('position')}  {message.get('occurred_at', '')}  "
                    f"{message['type']}  "
                    f"{output.cell(data).plain if data is not None else ''}"
                )
            )

    follower = live.Follower(
        ws_url=target.ws_url,
        token=target.token or "",
        topics=list(topics) or list(live.ALL_TOPICS),
        emit=emit,
        note=output.note,
        position=after,
        type_filter=type_filter,
        quiet_refusals=not topics,
        on_resync=output.print_json_line if as_json else None,
    )
    try:
        follower.run(limit=limit)
    except KeyboardInterrupt:
        output.note(f"stopped after position {follower.position}")


# --- dead letters ------------------------------------------------------------------------

dlq = subgroup("dlq", "Deliveries that failed their last attempt (Admin).")


def _dead_letters_table(letters: Iterable[models.DeadLetter]):
    return output.table(
        ["id", "subscriber", "event type", "status", "attempts", "last error", "updated"],
        (
            (
                d["id"],
                d["subscriber"],
                d["event_type"],
                d["status"],
                d["attempts"],
                (d["last_error"] or "").splitlines()[0][:120] if d["last_error"] else "",
                d["updated_at"],
            )
            for d in letters
        ),
    )


@command(dlq, "list")
@click.option("--subscriber", help="Only this subscriber's.")
@click.option("--event-type", help="Only for this event type.")
@click.option("--died-after", type=DATETIME, help="Only those dead since this time.")
@click.option("--limit", type=click.IntRange(min=1), default=EVENT_LIST_LIMIT, show_default=True)
def dlq_list(subscriber, event_type, died_after, limit):
    """Dead letters, the most recently dead first (GET /api/v1/ops/dead-letters/)."""
    params = {
        "subscriber": subscriber,
        "event_type": event_type,
        "died_after": died_after,
        "page_size": min(limit, MAX_PAGE),
    }
    with state().client() as api:
        letters = list(api.dead_letters(params, limit=limit))
    _emit(letters, lambda: output.show(_dead_letters_table(letters)))


@command(dlq, "replay")
@click.argument("delivery_id", type=ID, metavar="ID")
def dlq_replay(delivery_id):
    """Give a dead letter a fresh set of attempts, due now
    (POST /api/v1/ops/dead-letters/{id}/replay/)."""
    with state().client() as api:
        replayed = api.dead_letter_replay(delivery_id)
    _emit(replayed, lambda: output.show(_dead_letters_table([replayed])))


# --- the audit log -----------------------------------------------------------------------


@command(cli, "verify-audit")
@click.option("--since", type=DATETIME, help="Only events recorded from this time on.")
@click.option(
    "--checkpoints",
    "checkpoints_path",
    type=click.Path(exists=True),
    metavar="PATH",
    help="Checkpoints kept outside the portal: a directory of checkpoint-*.json "
    "files or a file of JSON lines. The log must still hold each.",
)
def verify_audit(since, checkpoints_path):
    """Verify the audit log now (POST /api/v1/audit/verify/): the hash chain, every
    event's content and signature, and the checkpoints given. Exit code 8 when the log
    fails a check."""
    body: models.AuditVerifyRequest = {}
    if since:
        body["since"] = since
    if checkpoints_path:
        body["checkpoints"] = checkpoints_read(checkpoints_path)
    with state().client() as api, output.stderr().status("Verifying the audit log…"):
        verdict = api.audit_verify(body)

    def render():
        held = (
            f"; {verdict['checkpoints_held']} checkpoint(s) held"
            if verdict.get("checkpoints_held") is not None
            else ""
        )
        counts = (
            f"{verdict['events']} event(s) verified ({verdict['sealed']} sealed, "
            f"{verdict['pending']} awaiting their seal){held}"
        )
        if verdict["ok"]:
            output.show(f"OK: the audit log holds. {counts}.")
        else:
            where = f" at {verdict['broken_at']}" if verdict.get("broken_at") else ""
            output.show(f"BROKEN{where}: {verdict.get('reason')}. {counts}.")

    _emit(verdict, render)
    if not verdict["ok"]:
        raise click.exceptions.Exit(ExitCode.AUDIT_BROKEN)
