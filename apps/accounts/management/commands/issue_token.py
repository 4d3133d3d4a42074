from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from apps.accounts import services
from apps.accounts.models import User
from apps.platform.durations import parse_duration


class Command(BaseCommand):
    help = (
        "Print a signed bearer token for USERNAME; the user's groups are its roles. "
        "The token is shown once: store it where the integration reads it."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--ttl",
            default=settings.API_TOKEN_DEFAULT_TTL,
            help="How long the token is valid, e.g. 30m, 1h, 7d (default %(default)s).",
        )
        parser.add_argument("--name", default="", help="What the token is for.")
        parser.add_argument(
            "--expired",
            action="store_true",
            help="Issue a token that has already expired (to test a client's handling).",
        )

    def handle(self, *args, username, ttl, name, expired, **options):
        try:
            lifetime = parse_duration(ttl)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if lifetime <= timedelta(0):
            raise CommandError("--ttl must be positive.")
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist:
            raise CommandError(f"There is no user {username!r}.") from None
        try:
            token, secret = services.api_token_issue(
                user=user,
                ttl=-timedelta(seconds=1) if expired else lifetime,
                name=name,
                actor=None,
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stderr.write(
            f"Token {token.pk} for {username}, expires {token.expires_at.isoformat()}."
        )
        self.stdout.write(secret)
