"""The hash chain over the log, and its verification.

Writers never wait for it. The sealer (run by the relay worker) chains only events whose
transactions have ended, that is whose transaction id is below the oldest one still
running in this database (see _HORIZON), in (transaction id, seq) order. A position is given only
once every earlier transaction has ended, so no event can later take a lower one: a reader
who has seen position N has seen everything before it. No writer is held up, however long
another writer's transaction lasts.

Each chain entry stores the event's digest and chain = HMAC(previous chain || digest),
keyed from SECRET_KEY: the chain cannot be recomputed after a deletion without it.
Verification recomputes both. It also checks every event's signature (an HMAC keyed from
SECRET_KEY), which catches an event inserted or altered before it was sealed. And it checks
that no event of an already sealed transaction is missing from the chain.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import structlog
from django.db import connection, transaction

from apps.eventlog import signing
from apps.eventlog.registry import registry
from apps.eventlog.selectors import EVENT_ROW_COLUMNS, event_row_fields, seal_head

logger = structlog.get_logger("fusionops.audit")

_SEALER_LOCK = "fusionops.audit.sealer"
SEAL_BATCH = 5000

_SELECT_EVENT = ", ".join(f"e.{column}" for column in EVENT_ROW_COLUMNS)
_WIDTH = len(EVENT_ROW_COLUMNS)


# The sealer's horizon: the oldest transaction id that may still write to this database's
# log. Every id below it belongs to a transaction that has ended, so its events are all
# visible and none can be added later: sealing below it leaves no gap.
#
# It is this statement's snapshot xmax (every id below it had been assigned, and those
# not running then had ended), lowered to the oldest id held by a session of this database
# (pg_stat_activity) or by a prepared transaction here. The snapshot comes first: a
# transaction holding a lower id is either still listed when the sessions are read, or
# ended before, and then the sealer's next statement sees its commit. Writers of other
# databases of the server are not waited for (the cluster-wide xmin was: one open
# transaction anywhere stopped sealing). Sessions' ids are 32 bits; each is widened to the
# 64-bit id nearest xmax (it may lie above it: xmax is the last ended id plus one, and later
# ids may be running).
_HORIZON = """
WITH next AS (
    SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint AS xid
), held AS (
    SELECT backend_xid::text::bigint AS xid FROM pg_stat_activity
    WHERE datname = current_database() AND backend_xid IS NOT NULL
      AND pid <> pg_backend_pid()
    UNION ALL
    SELECT transaction::text::bigint FROM pg_prepared_xacts
    WHERE database = current_database()
)
SELECT least(next.xid, min(next.xid + (
    ((held.xid - (next.xid & 4294967295) + 2147483648) % 4294967296 + 4294967296) % 4294967296
    - 2147483648
)))::text::xid8
FROM next LEFT JOIN held ON true
GROUP BY next.xid
"""


def _digest_of(event: dict) -> bytes:
    return signing.digest(event, seq=event["seq"], signature=event["signature"])


def _chain(cursor, rows, *, position: int, chain: bytes, through) -> tuple[int, bytes]:
    """Give `rows` (events as EVENT_ROW_COLUMNS) the next positions after `position`,
    chained from `chain`, with `through` as their transaction horizon."""
    key_id = signing.active_key_id()
    positions, ids, recorded, digests, chains = [], [], [], [], []
    for row in rows:
        digest = _digest_of(event_row_fields(row[:_WIDTH]))
        chain = signing.chain_link(chain, digest, key_id=key_id)
        position += 1
        positions.append(position)
        ids.append(row[0])
        recorded.append(row[EVENT_ROW_COLUMNS.index("recorded_at")])
        digests.append(digest)
        chains.append(chain)
    cursor.execute(
        """
        INSERT INTO audit_seal (position, event_id, event_recorded_at, digest, chain,
                                through_xid, key_id)
        SELECT position, event_id, recorded_at, digest, chain, %s::xid8, %s
        FROM unnest(%s::bigint[], %s::uuid[], %s::timestamptz[], %s::bytea[], %s::bytea[])
            AS s(position, event_id, recorded_at, digest, chain)
        """,
        [through, key_id, positions, ids, recorded, digests, chains],
    )
    return position, chain


_told_about_cluster = False


def audit_seal_pending(*, limit: int = SEAL_BATCH) -> int:
    """Chain the events of ended transactions that are not chained yet; returns how many.

    Only one sealer runs at a time (others return 0 at once)."""
    global _told_about_cluster
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(hashtext(%s))", [_SEALER_LOCK])
        if not cursor.fetchone()[0]:
            return 0
        head = seal_head(cursor)
        if not head.same_cluster:
            if not _told_about_cluster:
                logger.error(
                    "audit.sealing_stopped_in_another_cluster",
                    hint="the log was restored into another database cluster: run "
                    "manage.py audit_rebaseline",
                )
                _told_about_cluster = True
            return 0
        cursor.execute(_HORIZON)
        horizon = cursor.fetchone()[0]
        cursor.execute(
            f"""
            SELECT {_SELECT_EVENT}, e.xid FROM audit_event e
            WHERE e.xid < %s::xid8 AND e.xid >= %s::xid8
              AND NOT EXISTS (SELECT 1 FROM audit_seal s WHERE s.event_id = e.id)
            ORDER BY e.xid, e.seq
            LIMIT %s
            """,  # noqa: S608  column names are constants
            [horizon, head.sealed_through, limit],
        )
        rows = cursor.fetchall()
        if not rows:
            return 0
        # A full batch may have stopped inside a transaction's events: then only what lies
        # below that transaction is known to be complete.
        through = rows[-1][-1] if len(rows) == limit else horizon
        _chain(cursor, rows, position=head.position, chain=head.chain, through=through)
        return len(rows)


class RebaselineRefused(RuntimeError):
    pass


def audit_rebaseline(*, batch: int = SEAL_BATCH) -> int:
    """After the log was restored into another database cluster (a logical dump and
    restore): seal every event it holds, in seq order, and adopt this cluster, so that
    sealing goes on by this cluster's transaction ids. Returns how many were sealed.

    Every restored event committed before the dump, so all are complete; what this
    cluster writes meanwhile must not be half done, so no session of this database may be
    inside a write transaction (stop the portal first)."""
    global _told_about_cluster
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [_SEALER_LOCK])
        head = seal_head(cursor)
        if head.same_cluster:
            raise RebaselineRefused("the log is sealed in this database cluster already")
        cursor.execute(
            """
            SELECT count(*) FROM pg_stat_activity
            WHERE datname = current_database() AND backend_xid IS NOT NULL
              AND pid <> pg_backend_pid()
            """
        )
        if cursor.fetchone()[0]:
            raise RebaselineRefused(
                "sessions of this database are inside write transactions: stop the portal"
            )
        cursor.execute(_HORIZON)
        horizon = cursor.fetchone()[0]
        position, chain, sealed = head.position, head.chain, 0
        while True:
            cursor.execute(
                f"""
                SELECT {_SELECT_EVENT} FROM audit_event e
                WHERE NOT EXISTS (SELECT 1 FROM audit_seal s WHERE s.event_id = e.id)
                ORDER BY e.seq LIMIT %s
                """,  # noqa: S608  column names are constants
                [batch],
            )
            rows = cursor.fetchall()
            if not rows:
                break
            position, chain = _chain(cursor, rows, position=position, chain=chain, through=horizon)
            sealed += len(rows)
        cursor.execute(
            """
            INSERT INTO audit_cluster (system_identifier, base_xid, from_position)
            SELECT system_identifier, %s::xid8, %s FROM pg_control_system()
            """,
            [horizon, position],
        )
    _told_about_cluster = False
    logger.info("audit.rebaselined", sealed=sealed, through_position=position)
    return sealed


def audit_seal_and_follow() -> int:
    """Seal everything that can be sealed, then run the readers of the sealed log; returns
    how many events were sealed. A failing reader is logged and does not stop the others:
    it picks up where it stopped at the next pass."""
    sealed = 0
    # Another pass only while passes come back full: under a steady stream of commits,
    # "until nothing is left" would never reach the readers.
    while (count := audit_seal_pending(limit=SEAL_BATCH)) and count == SEAL_BATCH:
        sealed += count
    sealed += count
    for reader in registry.sealed_readers():
        try:
            reader()
        except Exception:
            logger.exception("audit.sealed_reader_failed", reader=reader.__qualname__)
    return sealed


@dataclass
class Verification:
    ok: bool
    events: int
    sealed: int
    pending: int
    broken_at: str | None = None
    reason: str | None = None


def _chunks(query: str, params: list, size: int = 2000) -> Iterator[tuple]:
    """Rows through a server-side cursor: verification reads the whole log in bounded
    memory (it runs inside a transaction, which a named cursor needs)."""
    with connection.chunked_cursor() as cursor:
        cursor.execute(query, params)
        while rows := cursor.fetchmany(size):
            yield from rows


def audit_verify(*, since: datetime | None = None) -> Verification:
    """Walk the chain (from `since`, if given) and check every event; stop at the first
    break and say where and why."""
    with transaction.atomic(), connection.cursor() as cursor:
        start = 1
        previous = signing.GENESIS
        if since is not None:
            cursor.execute(
                "SELECT min(position) FROM audit_seal WHERE event_recorded_at >= %s", [since]
            )
            start = cursor.fetchone()[0] or 0
            if start > 1:
                # Trust the chain up to where verification starts.
                cursor.execute("SELECT chain FROM audit_seal WHERE position = %s", [start - 1])
                previous = bytes(cursor.fetchone()[0])
        sealed = 0
        expected_position = start
        if start:
            rows = _chunks(
                f"""
                SELECT s.position, s.event_id, s.digest, s.chain, s.key_id, {_SELECT_EVENT}
                FROM audit_seal s
                LEFT JOIN audit_event e
                    ON e.id = s.event_id AND e.recorded_at = s.event_recorded_at
                WHERE s.position >= %s
                ORDER BY s.position
                """,  # noqa: S608  column names are constants
                [start],
            )
            for row in rows:
                position, event_id, digest, chain = row[0], row[1], bytes(row[2]), bytes(row[3])
                seal_key_id, event_row = row[4], row[5:]
                where = f"position {position}"
                if position != expected_position:
                    return _broken(where, f"chain entry {expected_position} is missing")
                if not signing.key_held(seal_key_id):
                    return _broken(where, _unknown_key(seal_key_id))
                if not signing.chain_link_valid(previous, digest, chain, key_id=seal_key_id):
                    return _broken(where, "the chain entry itself was altered")
                if event_row[0] is None:
                    return _broken(where, f"event {event_id} was deleted from the log")
                event = event_row_fields(event_row)
                if not signing.key_held(event["key_id"]):
                    return _broken(where, _unknown_key(event["key_id"]))
                if _digest_of(event) != digest or not signing.signature_valid(
                    event, event["signature"], event["key_id"]
                ):
                    return _broken(where, f"event {event_id} was altered")
                previous = chain
                expected_position += 1
                sealed += 1

        if (broken := _rows_unaccounted_for(cursor, since)) is not None:
            return broken
        # Events not (yet) chained: a genuine one is recent and correctly signed.
        sealed_through = seal_head(cursor).sealed_through
        pending = 0
        for row in _chunks(
            f"""
            SELECT {_SELECT_EVENT}, e.xid < %s::xid8 FROM audit_event e
            WHERE NOT EXISTS (
                SELECT 1 FROM audit_seal s
                WHERE s.event_id = e.id AND s.event_recorded_at = e.recorded_at
            )
              AND (%s::timestamptz IS NULL OR e.recorded_at >= %s::timestamptz)
            ORDER BY e.seq
            """,  # noqa: S608  column names are constants
            [sealed_through, since, since],
        ):
            event, below_sealed = event_row_fields(row[:_WIDTH]), row[-1]
            where = f"event #{event['seq']}"
            if below_sealed:
                return _broken(where, f"event {event['id']} is missing from the chain (inserted)")
            if not signing.signature_valid(event, event["signature"], event["key_id"]):
                return _broken(where, f"event {event['id']} has no valid signature")
            pending += 1
        return Verification(True, sealed + pending, sealed, pending)


def _rows_unaccounted_for(cursor, since: datetime | None) -> Verification | None:
    """Every row of the log is either its id's one claimed row (sealed or pending, checked
    above) or a row planted beside it: an id twice, or a row that claimed no id (written
    with the triggers off)."""
    cursor.execute(
        """
        SELECT e.id, e.seq, c.id IS NULL FROM audit_event e
        LEFT JOIN audit_event_id c ON c.id = e.id AND c.recorded_at = e.recorded_at
        WHERE (%s::timestamptz IS NULL OR e.recorded_at >= %s::timestamptz)
          AND (c.id IS NULL OR EXISTS (
              SELECT 1 FROM audit_event twin
              WHERE twin.id = e.id AND twin.recorded_at <> e.recorded_at
          ))
        ORDER BY e.seq LIMIT 1
        """,
        [since, since],
    )
    planted = cursor.fetchone()
    if planted is None:
        return None
    event_id, seq, unclaimed = planted
    if unclaimed:
        return _broken(f"event #{seq}", f"event {event_id} was written around the log's triggers")
    return _broken(f"event #{seq}", f"event id {event_id} is in the log twice")


def _unknown_key(key_id: str) -> str:
    return f"signed with audit key {key_id!r}, which is not among AUDIT_SIGNING_KEYS"


def _broken(where: str, reason: str) -> Verification:
    return Verification(False, 0, 0, 0, broken_at=where, reason=reason)
