"""What the commands print: rich tables on stdout for people, the API's JSON as-is with
--json, and errors (a problem's title, detail, field errors and extras) on stderr."""

import json
import sys
from collections.abc import Iterable, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from fusionops_cli.errors import ApiError, CliError


def stdout() -> Console:
    # Made per call: the streams may be swapped (click's test runner does).
    return Console(file=sys.stdout, highlight=False, soft_wrap=False)


def stderr() -> Console:
    return Console(file=sys.stderr, highlight=False, soft_wrap=False)


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def print_json_line(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")
    sys.stdout.flush()


def cell(value: Any) -> Text:
    """A value as table text, never read as rich markup."""
    if value is None:
        return Text("")
    if isinstance(value, bool):
        return Text("yes" if value else "no")
    if isinstance(value, (dict, list)):
        return Text(json.dumps(value, ensure_ascii=False, separators=(",", ":")))
    return Text(str(value))


def table(
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    title: str | None = None,
    show_header: bool = True,
) -> Table:
    view = Table(title=title, title_justify="left", show_header=show_header)
    for column in columns:
        view.add_column(column, overflow="fold")
    for row in rows:
        view.add_row(*(cell(value) for value in row))
    return view


def actor(value: Any) -> str:
    """Who acted, as the log records it ({"username": …} or a plain name)."""
    if isinstance(value, dict):
        return str(value.get("username") or value.get("id") or "")
    return "" if value is None else str(value)


def show(view: Table | Text | str) -> None:
    stdout().print(view)


def note(message: str) -> None:
    """A line for the person at the terminal, on stderr (never mixed into the data)."""
    stderr().print(Text(message))


def error(exc: CliError, *, as_json: bool = False) -> None:
    """An error on stderr; with --json, the problem document on stdout too."""
    console = stderr()
    if not isinstance(exc, ApiError):
        console.print(Text(f"error: {exc.message}", style="red"))
        return
    problem = exc.problem
    if problem is None:
        console.print(Text(f"error: the portal answered HTTP {exc.status}", style="red"))
        if exc.text.strip():
            console.print(Text(exc.text.strip()[:500]))
        return
    if as_json:
        print_json(problem)
    status = problem.get("status", exc.status)
    console.print(Text(f"error: {problem.get('title') or 'HTTP ' + str(status)} ({status})", "red"))
    if problem.get("detail"):
        console.print(Text(str(problem["detail"])))
    for field, messages in (problem.get("errors") or {}).items():
        for message in messages if isinstance(messages, list) else [messages]:
            console.print(Text(f"  {field}: {message}"))
    if problem.get("conflicts"):
        console.print(
            table(
                ["in the way", "resource", "project", "from", "to", "of item #"],
                (
                    (
                        f"allocation {c.get('allocation')}",
                        f"{c.get('resource_name')} ({c.get('resource')})",
                        c.get("project"),
                        c.get("from"),
                        c.get("to"),
                        c.get("item"),
                    )
                    for c in problem["conflicts"]
                ),
                title="Bookings in the way",
            )
        )
    if problem.get("shortages"):
        console.print(
            table(
                ["item", "location", "requested", "available"],
                (
                    (s.get("item"), s.get("location"), s.get("requested"), s.get("available"))
                    for s in problem["shortages"]
                ),
                title="Short lines",
            )
        )
    if problem.get("request_id"):
        console.print(Text(f"request id: {problem['request_id']}", style="dim"))
