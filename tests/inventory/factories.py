from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from apps.inventory.models import Item, Location


class ItemFactory(DjangoModelFactory):
    class Meta:
        model = Item

    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    name = factory.Sequence(lambda n: f"Item {n}")
    unit_price = Decimal("9.90")


class WarehouseFactory(DjangoModelFactory):
    class Meta:
        model = Location

    code = factory.Sequence(lambda n: f"WH{n}")
    name = factory.Sequence(lambda n: f"Warehouse {n}")
    kind = "warehouse"
