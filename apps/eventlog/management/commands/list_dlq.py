from django.core.management.base import BaseCommand, CommandError

from apps.eventlog.selectors import dead_letter_list
from apps.platform.durations import parse_duration


class Command(BaseCommand):
    help = "List dead letters (deliveries that failed their last attempt), newest first."

    def add_arguments(self, parser):
        parser.add_argument("--since", help="Only those that died within, e.g. 2h or 7d.")
        parser.add_argument("--subscriber", help="Only those of this subscriber.")

    def handle(self, *args, since=None, subscriber=None, **options):
        try:
            window = parse_duration(since) if since else None
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        letters = dead_letter_list(since=window, subscriber=subscriber)
        count = 0
        for letter in letters.iterator():
            count += 1
            error = letter.last_error.splitlines()[0][:100] if letter.last_error else ""
            self.stdout.write(
                f"{letter.pk}\t{letter.updated_at:%Y-%m-%d %H:%M:%S}\t{letter.subscriber}\t"
                f"{letter.event_type}\t{letter.event_id}\tattempts={letter.attempts}\t{error}"
            )
        self.stderr.write(f"{count} dead letter(s).")
