from getpass import getpass

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError

from apps.accounts import services
from apps.accounts.models import User
from apps.platform.roles import ROLES


class Command(BaseCommand):
    help = (
        "Create USERNAME, or update its roles, from the server: the first admin of a new "
        "deployment, or an integration's user before `issue_token`. Recorded in the audit "
        "log like a change in the admin. Sign-in is through the identity provider; "
        "--password asks for a local password (only where FUSIONOPS_LOCAL_LOGIN is on)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument(
            "--role",
            action="append",
            dest="roles",
            default=[],
            choices=ROLES,
            help="A role (group) to hold; repeat for several. Replaces the user's roles.",
        )
        parser.add_argument("--email", default=None)
        parser.add_argument(
            "--staff", action="store_true", help="May open the admin site (people, not machines)."
        )
        parser.add_argument(
            "--password", action="store_true", help="Ask for a password for local sign-in."
        )

    def handle(self, *args, username, roles, email, staff, password, **options):
        user = User.objects.filter(username=username).first()
        created = user is None
        if created:
            user = User(username=username)
            user.set_unusable_password()
        if email is not None:
            user.email = email
        if staff:
            user.is_staff = True
        if password:
            first, second = getpass("Password: "), getpass("Password (again): ")
            if first != second or not first:
                raise CommandError("The passwords differ, or are empty.")
            user.set_password(first)
        groups = None
        if roles:
            groups = list(Group.objects.filter(name__in=roles))
            missing = set(roles) - {group.name for group in groups}
            if missing:
                raise CommandError(f"These roles have no group yet (migrate first): {missing}")
        services.user_save(user=user, actor=None, groups=groups, source="command")
        held = ", ".join(sorted(user.groups.values_list("name", flat=True))) or "no roles"
        self.stdout.write(f"{'Created' if created else 'Updated'} {username}: {held}.")
