from django.core.management.base import BaseCommand, CommandError

from apps.eventlog import services
from apps.eventlog.selectors import dead_letter_list
from apps.platform.durations import parse_duration


class Command(BaseCommand):
    help = (
        "Replay dead letters: each gets a fresh set of attempts, due now. Without options, "
        "every dead letter is replayed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--since", help="Only those that died within, e.g. 2h or 7d.")
        parser.add_argument("--id", type=int, nargs="+", dest="ids", help="Only these ids.")
        parser.add_argument("--subscriber", help="Only those of this subscriber.")

    def handle(self, *args, since=None, ids=None, subscriber=None, **options):
        try:
            window = parse_duration(since) if since else None
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        letters = dead_letter_list(since=window, subscriber=subscriber)
        if ids:
            letters = letters.filter(pk__in=ids)
        replayed = services.dead_letters_replay(deliveries=letters, actor=None)
        for letter in replayed:
            self.stdout.write(f"replayed {letter.pk}\t{letter.subscriber}\t{letter.event_type}")
        self.stderr.write(f"{len(replayed)} dead letter(s) replayed.")
