from django.utils.translation import gettext_lazy as _

from apps.platform.exceptions import DomainError


class ProviderUnavailable(DomainError):
    """The identity provider could not be asked (down, unreachable, or answering 5xx)."""

    status = 503
    problem_type = "identity-provider-unavailable"
    title = _("The identity provider cannot be reached; try again shortly.")
