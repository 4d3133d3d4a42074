from django.core.management.base import BaseCommand, CommandError

from apps.inventory import selectors


class Command(BaseCommand):
    help = (
        "Check that every stock level's on hand and reserved equal the sums of its ledger; "
        "list each difference and exit 1 if there is any."
    )

    def handle(self, *args, **options):
        differences = selectors.ledger_differences()
        for d in differences:
            self.stdout.write(
                f"item {d['item']} at location {d['location']}: level on hand {d['on_hand']},"
                f" reserved {d['reserved']}; ledger says {d['ledger_on_hand']},"
                f" {d['ledger_reserved']}"
            )
        if differences:
            raise CommandError(f"{len(differences)} stock level(s) differ from the ledger.")
        self.stdout.write(f"OK: {selectors.ledger_level_count()} stock levels match the ledger.")
