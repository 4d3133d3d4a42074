from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from apps.inventory.choices import (
    LocationKind,
    MovementKind,
    ReplenishmentStatus,
    ReservationStatus,
)

QUANTITY = {"max_digits": 14, "decimal_places": 3}
ZERO = Decimal("0.000")


# The codes the constraints below allow, checked by the fields too (and stated by the schema).
SKU_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-/]{0,63}$"
LOCATION_CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-/]{0,31}$"


def code_validator(pattern: str) -> RegexValidator:
    # The whole text: Python's `$` would also match before a final newline.
    return RegexValidator(pattern.removesuffix("$") + r"\Z", CODE_MESSAGE)


CODE_MESSAGE = _("Use letters, digits, '_', '.', '-' and '/', starting with a letter or digit.")


class Item(models.Model):
    """Something kept in stock, by SKU."""

    sku = models.CharField(
        _("SKU"), max_length=64, unique=True, validators=[code_validator(SKU_PATTERN)]
    )
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=16, default="pcs")
    unit_price = models.DecimalField(_("unit price"), max_digits=12, decimal_places=2)
    active = models.BooleanField(_("active"), default=True)
    auto_reorder = models.BooleanField(
        _("reorder automatically"),
        default=False,
        help_text=_("Open a replenishment when available stock falls below the reorder point."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        ordering = ["sku"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sku__regex=SKU_PATTERN),
                name="inventory_item_sku_format",
            ),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0), name="inventory_item_price_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.sku} {self.name}"


class Location(models.Model):
    """A warehouse, or a bin inside one."""

    code = models.CharField(
        _("code"),
        max_length=32,
        unique=True,
        validators=[code_validator(LOCATION_CODE_PATTERN)],
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=LocationKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )

    class Meta:
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=LocationKind.values), name="inventory_location_kind"
            ),
            models.CheckConstraint(
                condition=Q(code__regex=LOCATION_CODE_PATTERN),
                name="inventory_location_code_format",
            ),
            # A bin lies in a warehouse; a warehouse lies in nothing.
            models.CheckConstraint(
                condition=Q(kind=LocationKind.BIN, parent__isnull=False)
                | Q(kind=LocationKind.WAREHOUSE, parent__isnull=True),
                name="inventory_location_bins_have_a_parent",
            ),
        ]

    def __str__(self):
        return self.code

    def clean(self):
        # A bin lies in a warehouse (not in a bin, nor in itself), and a location that
        # holds bins stays a warehouse.
        if self.kind == LocationKind.BIN and self.parent_id is not None:
            parent = (
                Location.objects.filter(pk=self.parent_id).values_list("kind", flat=True).first()
            )
            if self.parent_id == self.pk or parent != LocationKind.WAREHOUSE:
                raise ValidationError({"parent": _("A bin lies in a warehouse.")})
        if self.kind == LocationKind.BIN and self.pk and self.children.exists():
            raise ValidationError({"kind": _("A location that holds bins is a warehouse.")})


class StockLevel(models.Model):
    """How much of an item a location holds, and how much of that is promised.

    Quantities change only through the movement services, which write the ledger in the
    same transaction; the database refuses negative stock and over-reservation."""

    item = models.ForeignKey(Item, verbose_name=_("item"), on_delete=models.PROTECT)
    location = models.ForeignKey(Location, verbose_name=_("location"), on_delete=models.PROTECT)
    on_hand = models.DecimalField(_("on hand"), default=ZERO, **QUANTITY)
    reserved = models.DecimalField(_("reserved"), default=ZERO, **QUANTITY)
    reorder_point = models.DecimalField(_("reorder point"), default=ZERO, **QUANTITY)
    reorder_qty = models.DecimalField(_("reorder quantity"), default=ZERO, **QUANTITY)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("stock level")
        verbose_name_plural = _("stock levels")
        ordering = ["item_id", "location_id"]
        constraints = [
            models.UniqueConstraint(fields=["item", "location"], name="inventory_level_unique"),
            models.CheckConstraint(
                condition=Q(on_hand__gte=0), name="inventory_level_on_hand_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(reserved__gte=0, reserved__lte=F("on_hand")),
                name="inventory_level_reserved_within_on_hand",
            ),
            models.CheckConstraint(
                condition=Q(reorder_point__gte=0, reorder_qty__gte=0),
                name="inventory_level_thresholds_not_negative",
            ),
        ]

    def __str__(self):
        return f"{self.item.sku} @ {self.location.code}"

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved

    @property
    def below_reorder(self) -> bool:
        """A point is set and available stock is under it (selectors.BELOW_REORDER in SQL)."""
        return self.reorder_point > 0 and self.available < self.reorder_point


class StockMovement(models.Model):
    """The ledger: one row per change of a level, never updated or deleted (the database
    refuses). Each row says what changed on hand and reserved, and the balances after."""

    item = models.ForeignKey(Item, verbose_name=_("item"), on_delete=models.PROTECT)
    location = models.ForeignKey(Location, verbose_name=_("location"), on_delete=models.PROTECT)
    kind = models.CharField(_("kind"), max_length=16, choices=MovementKind.choices)
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    on_hand_delta = models.DecimalField(_("change on hand"), **QUANTITY)
    reserved_delta = models.DecimalField(_("change reserved"), **QUANTITY)
    on_hand_after = models.DecimalField(_("on hand after"), **QUANTITY)
    reserved_after = models.DecimalField(_("reserved after"), **QUANTITY)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=MovementKind.values), name="inventory_movement_kind"
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="inventory_movement_quantity_positive"
            ),
        ]
        indexes = [
            models.Index(fields=["item", "location", "id"], name="inventory_mov_level_idx"),
            models.Index(fields=["reference"], name="inventory_mov_reference_idx"),
            models.Index(fields=["created_at"], name="inventory_mov_created_idx"),
        ]

    def __str__(self):
        return f"{self.kind} {self.quantity} {self.item_id}@{self.location_id}"


class Replenishment(models.Model):
    """A request to bring an item's stock at a location back up."""

    item = models.ForeignKey(Item, verbose_name=_("item"), on_delete=models.PROTECT)
    location = models.ForeignKey(Location, verbose_name=_("location"), on_delete=models.PROTECT)
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ReplenishmentStatus.choices,
        default=ReplenishmentStatus.OPEN,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("replenishment")
        verbose_name_plural = _("replenishments")
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "location"],
                condition=Q(status=ReplenishmentStatus.OPEN),
                name="inventory_one_open_replenishment",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ReplenishmentStatus.values),
                name="inventory_replenishment_status",
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="inventory_replenishment_quantity_positive"
            ),
        ]

    def __str__(self):
        return f"{self.item_id}@{self.location_id} {self.quantity} ({self.status})"


class Reservation(models.Model):
    """Stock promised to someone (an order line), until issued, released, or expired."""

    item = models.ForeignKey(Item, verbose_name=_("item"), on_delete=models.PROTECT)
    location = models.ForeignKey(Location, verbose_name=_("location"), on_delete=models.PROTECT)
    quantity = models.DecimalField(_("quantity"), **QUANTITY)
    reference = models.CharField(_("reference"), max_length=100)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ReservationStatus.choices,
        default=ReservationStatus.ACTIVE,
    )
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quantity__gt=0), name="inventory_reservation_quantity_positive"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ReservationStatus.values),
                name="inventory_reservation_status",
            ),
        ]
        indexes = [
            models.Index(
                fields=["expires_at"],
                condition=Q(status=ReservationStatus.ACTIVE, expires_at__isnull=False),
                name="inventory_reservation_due_idx",
            ),
            models.Index(fields=["reference"], name="inventory_reservation_ref_idx"),
        ]

    def __str__(self):
        return f"{self.reference}: {self.quantity} of {self.item_id}@{self.location_id}"
