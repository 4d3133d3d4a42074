from datetime import datetime, time

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.timezone import make_aware

from apps.eventlog.checkpoints import checkpoints_read, checkpoints_verify
from apps.eventlog.sealing import audit_verify


def parse_since(text: str):
    moment = parse_datetime(text)
    if moment is None:
        day = parse_date(text)
        if day is None:
            raise CommandError(f"--since {text!r} is not a date (2026-11-01) or a date-time.")
        moment = datetime.combine(day, time())
    return moment if moment.tzinfo else make_aware(moment)


class Command(BaseCommand):
    help = (
        "Verify the audit log: the hash chain, every event's content and signature, and "
        "that no event is missing from the chain. Prints OK with the count, or the first "
        "broken position and why (exit status 1)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--since", help="Only events recorded from this date on.")
        parser.add_argument(
            "--checkpoints",
            help="A checkpoint directory (AUDIT_CHECKPOINT_DIR) or a file of JSON log lines: "
            "the log must still hold every checkpointed head.",
        )
        parser.add_argument(
            "--checkpoints-through",
            type=int,
            help="Only checkpoints up to this position (a restored backup's head).",
        )

    def handle(self, *args, since=None, checkpoints=None, checkpoints_through=None, **options):
        result = audit_verify(since=parse_since(since) if since else None)
        if not result.ok:
            raise CommandError(f"BROKEN at {result.broken_at}: {result.reason}")
        if checkpoints:
            try:
                heads = checkpoints_read(checkpoints)
            except (OSError, ValueError, KeyError) as exc:
                raise CommandError(f"Cannot read the checkpoints at {checkpoints}: {exc}") from None
            if checkpoints_through is not None:
                heads = [head for head in heads if head.position <= checkpoints_through]
            if (problem := checkpoints_verify(heads)) is not None:
                raise CommandError(f"BROKEN: {problem}")
            self.stdout.write(f"{len(heads)} checkpoint(s) held by the log.")
        self.stdout.write(
            f"OK: {result.events} events verified "
            f"({result.sealed} in the chain, {result.pending} awaiting their seal)."
        )
