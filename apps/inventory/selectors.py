"""Reads of the inventory app."""

from django.db import connection
from django.db.models import F, Q, QuerySet

from apps.inventory.models import Replenishment, StockLevel, StockMovement

# Below the point: a point is set, and available stock (on hand less reserved) is under it.
BELOW_REORDER = Q(reorder_point__gt=0) & Q(reorder_point__gt=F("on_hand") - F("reserved"))


def stock_level_list(*, below_reorder: bool | None = None) -> QuerySet[StockLevel]:
    levels = StockLevel.objects.select_related("item", "location")
    if below_reorder is not None:
        levels = levels.filter(BELOW_REORDER) if below_reorder else levels.exclude(BELOW_REORDER)
    return levels


def movement_list() -> QuerySet[StockMovement]:
    return StockMovement.objects.select_related("item", "location", "actor")


def replenishment_list() -> QuerySet[Replenishment]:
    return Replenishment.objects.select_related("item", "location")


# Every level whose on hand or reserved differs from the sum of its ledger, and ledger
# sums for which there is no level at all.
_LEDGER_DIFFERENCES = """
WITH ledger AS (
    SELECT item_id, location_id, sum(on_hand_delta) AS on_hand, sum(reserved_delta) AS reserved
    FROM inventory_stockmovement GROUP BY item_id, location_id
)
SELECT coalesce(level.item_id, ledger.item_id), coalesce(level.location_id, ledger.location_id),
       level.on_hand, level.reserved,
       coalesce(ledger.on_hand, 0), coalesce(ledger.reserved, 0)
FROM inventory_stocklevel AS level
FULL JOIN ledger USING (item_id, location_id)
WHERE level.id IS NULL
   OR level.on_hand <> coalesce(ledger.on_hand, 0)
   OR level.reserved <> coalesce(ledger.reserved, 0)
ORDER BY 1, 2
"""


def ledger_differences() -> list[dict]:
    """Levels that disagree with their ledger (one query over the whole ledger)."""
    with connection.cursor() as cursor:
        cursor.execute(_LEDGER_DIFFERENCES)
        return [
            {
                "item": item_id,
                "location": location_id,
                "on_hand": on_hand,
                "reserved": reserved,
                "ledger_on_hand": ledger_on_hand,
                "ledger_reserved": ledger_reserved,
            }
            for item_id, location_id, on_hand, reserved, ledger_on_hand, ledger_reserved in (
                cursor.fetchall()
            )
        ]


def ledger_level_count() -> int:
    return StockLevel.objects.count()
