"""Subscribers and periodic jobs of the inventory app."""

from django.conf import settings

from apps.eventlog.registry import registry
from apps.inventory.services import reservations_release_expired


@registry.periodic(
    "inventory.release_expired_reservations",
    every_seconds=lambda: settings.INVENTORY_EXPIRY_SWEEP_SECONDS,
)
def release_expired_reservations() -> int:
    return reservations_release_expired()
