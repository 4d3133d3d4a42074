"""Stock at the demo plant: two warehouses, some items close to their reorder points."""

from apps.inventory import services
from apps.inventory.models import Item, Location

# (sku, warehouse code, on hand, reorder point, reorder quantity)
STOCK = [
    ("BOLT-M8", "WH-HAM", 1200, 500, 2000),
    ("BOLT-M8", "WH-BER", 180, 200, 1000),  # below its point
    ("NUT-M8", "WH-HAM", 900, 500, 2000),
    ("BEARING-6204", "WH-HAM", 42, 40, 100),  # just above its point
    ("BEARING-6204", "WH-BER", 12, 20, 60),  # below
    ("COOLANT-5L", "WH-HAM", 30, 10, 40),
    ("GLOVES-L", "WH-BER", 95, 100, 300),  # below
    ("CUTTER-10MM", "WH-HAM", 16, 15, 30),
    ("HOUSING-GX", "WH-HAM", 64, 20, 50),
]


def book_opening_stock() -> str:
    """Receive the opening stock and set the thresholds, through the services."""
    items = dict(Item.objects.values_list("sku", "pk"))
    locations = dict(Location.objects.values_list("code", "pk"))
    booked = 0
    for sku, code, on_hand, point, quantity in STOCK:
        if sku not in items or code not in locations:
            continue  # the demo catalogue was edited: stock what still exists
        item, location = items[sku], locations[code]
        services.stock_thresholds_set(
            item_id=item, location_id=location, reorder_point=point, reorder_qty=quantity,
            actor=None,
        )  # fmt: skip
        services.stock_receive(
            item_id=item, location_id=location, quantity=on_hand, reference="opening stock",
            actor=None,
        )  # fmt: skip
        booked += 1
    return f"Received opening stock for {booked} stock levels."


# Run once each by load_demo_data, under these names.
STEPS = {"inventory.opening_stock": book_opening_stock}
