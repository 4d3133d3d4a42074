"""The hash chain over the log, and its verification.

Writers never wait for it. The sealer (run by the relay worker) chains only events whose
transactions have ended, that is whose transaction id is below the oldest one still
running (the snapshot's xmin), in (transaction id, seq) order. A position is given only
once every earlier transaction has ended, so no event can later take a lower one: a reader
who has seen position N has seen everything before it. No writer is held up, however long
another writer's transaction lasts.

Each chain entry stores the event's digest and chain = HMAC(previous chain || digest),
keyed from SECRET_KEY: the chain cannot be recomputed after a deletion without it.
Verification recomputes both. It also checks every event's signature (an HMAC keyed from
SECRET_KEY), which catches an event inserted or altered before it was sealed. And it checks
that no event of an already sealed transaction is missing from the chain.
"""

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import structlog
from django.db import connection, transaction

from apps.eventlog import signing
from apps.eventlog.registry import registry
from apps.eventlog.selectors import EVENT_ROW_COLUMNS, event_row_fields

logger = structlog.get_logger("fusionops.audit")

GENESIS = hashlib.sha256(b"fusionops audit chain").digest()
_SEALER_LOCK = "fusionops.audit.sealer"
SEAL_BATCH = 5000

_SELECT_EVENT = ", ".join(f"e.{column}" for column in EVENT_ROW_COLUMNS)
_WIDTH = len(EVENT_ROW_COLUMNS)


def _digest_of(event: dict) -> bytes:
    return signing.digest(event, seq=event["seq"], signature=event["signature"])


def audit_seal_pending(*, limit: int = SEAL_BATCH) -> int:
    """Chain the events of ended transactions that are not chained yet; returns how many.

    Only one sealer runs at a time (others return 0 at once)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(hashtext(%s))", [_SEALER_LOCK])
        if not cursor.fetchone()[0]:
            return 0
        cursor.execute("SELECT pg_snapshot_xmin(pg_current_snapshot())")
        horizon = cursor.fetchone()[0]
        cursor.execute(
            "SELECT position, chain, through_xid FROM audit_seal ORDER BY position DESC LIMIT 1"
        )
        last = cursor.fetchone()
        position, chain, sealed_through = (
            (last[0], bytes(last[1]), last[2]) if last else (0, GENESIS, None)
        )
        cursor.execute(
            f"""
            SELECT {_SELECT_EVENT}, e.xid FROM audit_event e
            WHERE e.xid < %s::xid8 AND (%s::xid8 IS NULL OR e.xid >= %s::xid8)
              AND NOT EXISTS (SELECT 1 FROM audit_seal s WHERE s.event_id = e.id)
            ORDER BY e.xid, e.seq
            LIMIT %s
            """,  # noqa: S608  column names are constants
            [horizon, sealed_through, sealed_through, limit],
        )
        rows = cursor.fetchall()
        if not rows:
            return 0
        # A full batch may have stopped inside a transaction's events: then only what lies
        # below that transaction is known to be complete.
        through = rows[-1][-1] if len(rows) == limit else horizon
        positions, ids, recorded, digests, chains = [], [], [], [], []
        for row in rows:
            digest = _digest_of(event_row_fields(row[:_WIDTH]))
            chain = signing.chain_link(chain, digest)
            position += 1
            positions.append(position)
            ids.append(row[0])
            recorded.append(row[EVENT_ROW_COLUMNS.index("recorded_at")])
            digests.append(digest)
            chains.append(chain)
        cursor.execute(
            """
            INSERT INTO audit_seal (position, event_id, event_recorded_at, digest, chain,
                                    through_xid)
            SELECT position, event_id, recorded_at, digest, chain, %s::xid8
            FROM unnest(%s::bigint[], %s::uuid[], %s::timestamptz[], %s::bytea[], %s::bytea[])
                AS s(position, event_id, recorded_at, digest, chain)
            """,
            [through, positions, ids, recorded, digests, chains],
        )
        return len(rows)


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
        previous = GENESIS
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
                SELECT s.position, s.event_id, s.digest, s.chain, {_SELECT_EVENT}
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
                event_row = row[4:]
                where = f"position {position}"
                if position != expected_position:
                    return _broken(where, f"chain entry {expected_position} is missing")
                if not signing.chain_link_valid(previous, digest, chain):
                    return _broken(where, "the chain entry itself was altered")
                if event_row[0] is None:
                    return _broken(where, f"event {event_id} was deleted from the log")
                event = event_row_fields(event_row)
                if _digest_of(event) != digest or not signing.signature_valid(
                    event, event["signature"]
                ):
                    return _broken(where, f"event {event_id} was altered")
                previous = chain
                expected_position += 1
                sealed += 1

        if (broken := _rows_unaccounted_for(cursor, since)) is not None:
            return broken
        # Events not (yet) chained: a genuine one is recent and correctly signed.
        cursor.execute("SELECT max(through_xid) FROM audit_seal")
        sealed_through = cursor.fetchone()[0]
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
            if not signing.signature_valid(event, event["signature"]):
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


def _broken(where: str, reason: str) -> Verification:
    return Verification(False, 0, 0, 0, broken_at=where, reason=reason)
