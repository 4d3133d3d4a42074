from django.utils.translation import gettext_lazy as _

from apps.platform.exceptions import Conflict


class InsufficientStock(Conflict):
    """More was asked for than is available; `shortages` lists every short line at once."""

    problem_type = "insufficient-stock"
    title = _("Not enough stock is available.")

    def __init__(self, detail: str, *, shortages: list[dict]):
        super().__init__(detail, extra={"shortages": shortages})
        self.shortages = shortages
