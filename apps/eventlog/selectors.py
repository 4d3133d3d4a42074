"""Reads of the event log: events, their partitions, and the outbox's state."""

import csv
import json
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import openpyxl
from django.db import connection, models
from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.fields.json import KT
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.eventlog import signing
from apps.eventlog.choices import DeliveryStatus
from apps.eventlog.exceptions import EventIdInLogTwice, EventsExceedSheet
from apps.eventlog.models import Delivery, Event, Seal, WorkerHeartbeat
from apps.eventlog.registry import registry
from apps.platform.exceptions import NotFound

# The columns that raw readers of the log (the relay, the sealer) select, in this order.
EVENT_ROW_COLUMNS = (*signing.SIGNED_FIELDS, "seq", "signature", "key_id")


@dataclass(frozen=True)
class SealHead:
    position: int  # the last position given (0 for an empty chain)
    chain: bytes  # its chain link (signing.GENESIS for an empty chain)
    # Every transaction of this cluster below it has ended and its events are sealed.
    sealed_through: str
    # Whether the log is sealed in the database cluster it is in now (after a restore
    # into another one, audit_rebaseline says so).
    same_cluster: bool


def seal_head(cursor) -> SealHead:
    cursor.execute(
        """
        SELECT c.system_identifier = (SELECT system_identifier FROM pg_control_system()),
               c.base_xid, c.from_position, last.position, last.chain, last.through_xid
        FROM (SELECT * FROM audit_cluster ORDER BY id DESC LIMIT 1) c
        LEFT JOIN LATERAL (
            SELECT position, chain, through_xid FROM audit_seal ORDER BY position DESC LIMIT 1
        ) last ON true
        """
    )
    same, base_xid, from_position, position, chain, through_xid = cursor.fetchone()
    if position is None:
        return SealHead(0, signing.GENESIS, base_xid, same)
    # Seals from before the cluster was adopted carry another cluster's transaction ids.
    sealed_through = through_xid if position > from_position else base_xid
    return SealHead(position, bytes(chain), sealed_through, same)


def event_row_fields(row) -> dict:
    """A row of EVENT_ROW_COLUMNS as field values. Django's PostgreSQL backend loads jsonb
    as text (its JSONField decodes it), so raw readers decode it here."""
    fields = dict(zip(EVENT_ROW_COLUMNS, row, strict=True))
    for name in ("actor", "payload"):
        if isinstance(fields[name], str):
            fields[name] = json.loads(fields[name])
    return fields


EXPORT_COLUMNS = (
    "seq", "position", "id", "type", "version", "aggregate_type", "aggregate_id", "actor",
    "correlation_id", "causation_id", "occurred_at", "recorded_at", "payload",
)  # fmt: skip


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def event_list() -> QuerySet[Event]:
    """The log, newest first, each event with its `position` in commit order (None until
    it is sealed). `seq`, the insert sequence, is unique but not commit order."""
    seal = Seal.objects.filter(event_id=OuterRef("id"), event_recorded_at=OuterRef("recorded_at"))
    return Event.objects.annotate(position=Subquery(seal.values("position")[:1])).order_by("-seq")


def event_get(*, event_id) -> Event:
    """One event by id: NotFound, or EventIdInLogTwice for an id planted twice."""
    found = list(event_list().filter(id=event_id)[:2])
    if not found:
        raise NotFound(_("There is no event %(id)s.") % {"id": event_id})
    if len(found) > 1:
        raise EventIdInLogTwice(
            _("Event %(id)s is in the log twice: run verify_audit.") % {"id": event_id}
        )
    return found[0]


def events_since_position(events: QuerySet[Event], position: int) -> QuerySet[Event]:
    """The sealed events after `position`, in commit order: where a client that has seen
    everything through `position` (from a websocket, say) resumes."""
    later = Seal.objects.filter(position__gt=position).values("event_id")
    return events.filter(id__in=later).order_by("position")


def events_by_actor(events: QuerySet[Event], username: str) -> QuerySet[Event]:
    # ->> (text), the expression the actor index is built on; actor__username would compare
    # jsonb values and scan the whole log.
    return events.alias(actor_name=KT("actor__username")).filter(actor_name=username)


def recent_values(field: str, *, sample: int = 2000) -> list[str]:
    """Distinct values of `field` among the latest events: choices for admin filters that
    must not scan the whole log."""
    recent = Event.objects.order_by("-seq").values_list(field, flat=True)[:sample]
    return sorted({value for value in recent if value})


# A sheet holds 1,048,576 rows; one is the header.
XLSX_MAX_ROWS = 1_048_575


def event_export_rows(events: QuerySet[Event]) -> Iterator[list]:
    """The export's cells, header first, read through a server-side cursor (constant
    memory): times in UTC, JSON as text, and text that a spreadsheet would run as a
    formula quoted."""

    def cell(value):
        if isinstance(value, dict | list):
            return json.dumps(value, ensure_ascii=False, sort_keys=True)
        if hasattr(value, "isoformat"):
            return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
        if isinstance(value, UUID):
            return str(value)
        if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
            return "'" + value
        return "" if value is None else value

    yield list(EXPORT_COLUMNS)
    for row in events.values_list(*EXPORT_COLUMNS).iterator(chunk_size=2000):
        yield [cell(value) for value in row]


def event_csv_lines(events: QuerySet[Event]) -> Iterator[str]:
    """The export as CSV lines, to stream."""

    class Line:
        def write(self, text):
            return text

    writer = csv.writer(Line())
    for row in event_export_rows(events):
        yield writer.writerow(row)


def event_xlsx_file(events: QuerySet[Event]):
    """The export as an XLSX workbook in a temporary file (a workbook cannot be streamed as
    it is written). EventsExceedSheet when the events do not fit one sheet."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("events")
    rows = event_export_rows(events[: XLSX_MAX_ROWS + 1])
    for count, row in enumerate(rows):
        if count > XLSX_MAX_ROWS:
            raise EventsExceedSheet(
                _("More than %(max)s events match: narrow the filters or export CSV.")
                % {"max": f"{XLSX_MAX_ROWS:,}"}
            )
        sheet.append(row)
    file = tempfile.TemporaryFile()  # noqa: SIM115  closed by the response that sends it
    workbook.save(file)
    file.seek(0)
    return file


def audit_partitions() -> list[str]:
    """Names of the log's partitions, oldest month first (the default one last)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT child.relname FROM pg_inherits
            JOIN pg_class parent ON parent.oid = pg_inherits.inhparent
            JOIN pg_class child ON child.oid = pg_inherits.inhrelid
            WHERE parent.relname = 'audit_event'
            ORDER BY child.relname = 'audit_event_default', child.relname
            """
        )
        return [name for (name,) in cursor.fetchall()]


def audit_partition_months_ahead(today: date | None = None) -> int:
    """How many months, this one first, have a partition of their own in a row: when it
    reaches 0, new events land in the default partition."""
    month = (today or timezone.now().date()).replace(day=1)
    existing = set(audit_partitions())
    ahead = 0
    while f"audit_event_{month:%Y_%m}" in existing:
        ahead += 1
        month = (month + timedelta(days=32)).replace(day=1)
    return ahead


def seal_lag_seconds() -> float:
    """Age of the oldest event that is in the log but not sealed (0 when none is). Only
    what is past the last seal's transaction horizon can be unsealed."""
    with connection.cursor() as cursor:
        sealed_through = seal_head(cursor).sealed_through
        cursor.execute(
            """
            SELECT EXTRACT(EPOCH FROM now() - min(e.recorded_at)) FROM audit_event e
            WHERE e.xid >= %s::xid8
              AND NOT EXISTS (
                  SELECT 1 FROM audit_seal s
                  WHERE s.event_id = e.id AND s.event_recorded_at = e.recorded_at
              )
            """,
            [sealed_through],
        )
        lag = cursor.fetchone()[0]
    return max(float(lag or 0), 0.0)


def outbox_lag_seconds() -> float:
    """Age of the oldest delivery that is due now (0 when none is waiting)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXTRACT(EPOCH FROM now() - min(next_attempt_at)) FROM events_delivery "
            "WHERE status = 'pending' AND next_attempt_at <= now()"
        )
        lag = cursor.fetchone()[0]
    return max(float(lag or 0), 0.0)


def seconds_until_next_due(*, ceiling: float) -> float:
    """How long the relay may sleep before a delivery (a retry) falls due."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXTRACT(EPOCH FROM min(next_attempt_at) - clock_timestamp()) "
            "FROM events_delivery WHERE status = 'pending'"
        )
        due_in = cursor.fetchone()[0]
    return ceiling if due_in is None else min(max(float(due_in), 0.0), ceiling)


def dead_letter_list(*, since: timedelta | None = None, subscriber: str | None = None) -> QuerySet:
    """Dead letters, newest first."""
    letters = Delivery.objects.filter(status=DeliveryStatus.DEAD).order_by("-updated_at", "-id")
    if since is not None:
        letters = letters.filter(updated_at__gte=timezone.now() - since)
    if subscriber:
        letters = letters.filter(subscriber=subscriber)
    return letters


def dead_letter_count() -> int:
    return Delivery.objects.filter(status=DeliveryStatus.DEAD).count()


def event_catalogue() -> dict:
    """Every declared event type: its version, aggregate, live topics and message type,
    and the JSON Schema of its public payload (none for events that never leave)."""
    return {"event_types": [event_type.catalogue_entry() for event_type in registry.event_types()]}


def worker_heartbeat_age_seconds() -> float | None:
    """Seconds since the freshest heartbeat of any worker; None if none ever beat."""
    latest = WorkerHeartbeat.objects.aggregate(latest=models.Max("beat_at"))["latest"]
    return None if latest is None else max((timezone.now() - latest).total_seconds(), 0.0)


@dataclass(frozen=True)
class SealedEvent:
    """An event with its position in the sealed log (commit order), as readers that follow
    the log (the live stream, the webhooks' fan-out) read it."""

    position: int
    id: UUID
    type: str
    occurred_at: datetime
    aggregate_type: str
    aggregate_id: str
    actor: dict
    correlation_id: str
    payload: dict
    # When the event was written (in its transaction, just before it committed).
    recorded_at: datetime | None = None
    # The trace that recorded it, which its live publish continues ('' when untraced).
    traceparent: str = ""


@dataclass(frozen=True)
class SealedPage:
    events: list[SealedEvent]
    # The last position looked at (events of other types are skipped), None if none was.
    scanned_through: int | None
    full: bool


def sealed_events(
    *,
    after: int,
    through: int | None = None,
    limit: int,
    types: list[str] | None = None,
) -> SealedPage:
    """Up to `limit` positions after `after` (through `through`), in seal order, with the
    events among them of `types` (of any type when None)."""
    page_conditions, params = ["position > %s"], [after]
    if through is not None:
        page_conditions.append("position <= %s")
        params.append(through)
    params.append(limit)
    event_condition = ""
    if types is not None:
        event_condition = "AND e.type = ANY(%s)"
        params.append(types)
    with connection.cursor() as cursor:
        # Positions first, then each event by its primary key (the LIMIT keeps the planner
        # from joining the whole log by hash).
        cursor.execute(
            f"""
            WITH page AS (
                SELECT position, event_id, event_recorded_at FROM audit_seal
                WHERE {" AND ".join(page_conditions)}
                ORDER BY position LIMIT %s
            )
            SELECT p.position, e.id, e.type, e.occurred_at, e.aggregate_type, e.aggregate_id,
                   e.actor, e.correlation_id, e.payload, e.recorded_at, e.traceparent
            FROM page p
            LEFT JOIN LATERAL (
                SELECT * FROM audit_event e
                WHERE e.id = p.event_id AND e.recorded_at = p.event_recorded_at
                {event_condition}
                LIMIT 1
            ) e ON true
            ORDER BY p.position
            """,  # noqa: S608  the conditions are constants
            params,
        )
        rows = cursor.fetchall()
    events = [
        SealedEvent(
            *row[:6],
            actor=json.loads(row[6]) if isinstance(row[6], str) else row[6],
            correlation_id=row[7],
            payload=json.loads(row[8]) if isinstance(row[8], str) else row[8],
            recorded_at=row[9],
            traceparent=row[10],
        )
        for row in rows
        if row[1] is not None
    ]
    return SealedPage(events, rows[-1][0] if rows else None, full=len(rows) == limit)
