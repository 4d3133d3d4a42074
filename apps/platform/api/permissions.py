from rest_framework.permissions import BasePermission, DjangoModelPermissions


class ModelPermissions(DjangoModelPermissions):
    """Roles grant model permissions; reading needs `view`, an upsert (PUT) `add` and `change`."""

    perms_map = {
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": [],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "POST": ["%(app_label)s.add_%(model_name)s"],
        "PUT": ["%(app_label)s.add_%(model_name)s", "%(app_label)s.change_%(model_name)s"],
        "PATCH": ["%(app_label)s.change_%(model_name)s"],
        "DELETE": ["%(app_label)s.delete_%(model_name)s"],
    }


def require_permissions(*perms: str) -> type:
    """A permission class for an action that is not a plain model verb (replay, ingest)."""

    class RequiredPermissions(ModelPermissions):
        def has_permission(self, request, view):
            user = request.user
            return bool(user and user.is_authenticated and user.has_perms(perms))

    RequiredPermissions.__name__ = f"Require({', '.join(perms)})"
    return RequiredPermissions


class HoldsARole(BasePermission):
    """Anyone the portal gave a role (documentation of the API, say); a user without one
    has no business here yet."""

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and (user.is_superuser or user.groups.exists()))
