"""Every field that reads or writes something is guarded by the model permissions the REST
endpoint for the same thing needs: roles grant them, so the role matrix holds for both."""

from django.utils.translation import gettext as _
from strawberry.permission import BasePermission

from apps.graph.context import user_of

FORBIDDEN = "FORBIDDEN"


def requires(*perms: str) -> type[BasePermission]:
    """A permission class that passes a user holding every one of `perms`."""

    class Requires(BasePermission):
        error_extensions = {"code": FORBIDDEN}

        @property
        def message(self) -> str:
            return _("Your roles do not allow this.")

        def has_permission(self, source, info, **kwargs) -> bool:
            return user_of(info).has_perms(perms)

    Requires.__name__ = f"Requires({', '.join(perms)})"
    return Requires
