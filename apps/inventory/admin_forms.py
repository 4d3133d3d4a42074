"""The admin's stock forms: every movement a level can take, through the services."""

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from apps.inventory import services
from apps.inventory.exceptions import InsufficientStock
from apps.inventory.models import Location, StockLevel
from apps.platform.exceptions import DomainError

OPERATIONS = [
    ("receive", _("Receive")),
    ("issue", _("Issue")),
    ("adjust", _("Adjust (a count found more or less)")),
    ("transfer", _("Transfer to another location")),
    ("reserve", _("Reserve")),
    ("release", _("Release a reservation")),
]


class StockMoveForm(forms.Form):
    operation = forms.ChoiceField(label=_("What"), choices=OPERATIONS)
    quantity = forms.DecimalField(
        label=_("Quantity"), required=False, max_digits=14, decimal_places=3,
        help_text=_("Adjustments are signed: -3 for three fewer than recorded."),
    )  # fmt: skip
    destination = forms.ModelChoiceField(
        label=_("To location"), queryset=Location.objects.order_by("code"), required=False
    )
    reference = forms.CharField(
        label=_("Reference"), max_length=100, required=False,
        help_text=_("A delivery note, an order; what a reservation is for (and released by)."),
    )  # fmt: skip
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)
    expires_at = forms.DateTimeField(label=_("Reservation expires at"), required=False)

    def clean(self):
        cleaned = super().clean()
        operation = cleaned.get("operation")
        if operation != "release" and cleaned.get("quantity") is None:
            self.add_error("quantity", _("How much?"))
        if operation == "transfer" and not cleaned.get("destination"):
            self.add_error("destination", _("Transfer to which location?"))
        if operation in ("reserve", "release") and not cleaned.get("reference"):
            self.add_error("reference", _("A reservation is kept under a reference."))
        if operation == "adjust" and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Say why the stock is adjusted."))
        return cleaned

    def apply(self, levels: list[StockLevel], *, actor) -> bool:
        """Carry the operation out on every level, all or nothing: what a service refuses
        becomes this form's errors (naming the level) and nothing is written."""
        data = self.cleaned_data
        try:
            with transaction.atomic():
                refused = []
                for level in levels:
                    try:
                        _carry_out(data, level, actor)
                    except (DomainError, ValidationError) as error:
                        refused.append(f"{level.item.sku} @ {level.location.code}: {_text(error)}")
                if refused:
                    raise _Refused(refused)
        except _Refused as refusal:
            for message in refusal.messages:
                self.add_error(None, message)
            return False
        return True


class _Refused(Exception):
    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


def _text(error) -> str:
    if isinstance(error, InsufficientStock):
        short = "; ".join(
            _("%(requested)s asked, %(available)s available")
            % {"requested": line["requested"], "available": line["available"]}
            for line in error.shortages
        )
        return f"{error.detail} ({short})"
    if isinstance(error, DomainError):
        return error.detail
    if hasattr(error, "message_dict"):
        return " ".join(f"{' '.join(messages)}" for messages in error.message_dict.values())
    return " ".join(error.messages)


def _carry_out(data: dict, level: StockLevel, actor) -> None:
    item, location = level.item_id, level.location_id
    quantity, reference, reason = data.get("quantity"), data["reference"], data["reason"]
    match data["operation"]:
        case "receive":
            services.stock_receive(
                item_id=item, location_id=location, quantity=quantity, actor=actor,
                reference=reference, reason=reason,
            )  # fmt: skip
        case "issue":
            services.stock_issue(
                item_id=item, location_id=location, quantity=quantity, actor=actor,
                reference=reference, reason=reason,
            )  # fmt: skip
        case "adjust":
            services.stock_adjust(
                item_id=item, location_id=location, quantity=quantity, reason=reason, actor=actor
            )
        case "transfer":
            services.stock_transfer(
                item_id=item, source_id=location, destination_id=data["destination"].pk,
                quantity=quantity, actor=actor, reference=reference, reason=reason,
            )  # fmt: skip
        case "reserve":
            services.stock_reserve(
                lines=[services.StockLine(item, location, quantity)], reference=reference,
                actor=actor, expires_at=data.get("expires_at"),
            )  # fmt: skip
        case "release":
            if not services.stock_release(
                reference=reference, actor=actor, reason=reason or "released"
            ):
                raise ValidationError(_("Nothing is reserved under %(ref)s.") % {"ref": reference})
