"""Data for the contract suite to find through the API's lists and links: a little of
everything, made through the services as the portal would."""

from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from apps.core.services import system_setting_set
from apps.inventory import services as inventory
from apps.orders import services as orders
from apps.resources import services as resources
from tests.inventory.factories import ItemFactory, WarehouseFactory
from tests.resources.factories import ProjectFactory, ResourceFactory, SkillFactory


def seed_portal_data() -> None:
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=7)
    with transaction.atomic():
        skill = SkillFactory()
        people = [ResourceFactory(skills=[skill]) for _ in range(3)]
        project = ProjectFactory()
        for day, person in enumerate(people):
            resources.allocate(
                project_id=project.pk,
                items=[resources.AllocationItem(
                    person.pk, start + timedelta(days=day), start + timedelta(days=day, hours=4)
                )],
                actor=None,
            )  # fmt: skip
        items = [ItemFactory() for _ in range(3)]
        warehouse = WarehouseFactory()
        for item in items:
            inventory.stock_receive(
                item_id=item.pk, location_id=warehouse.pk, quantity=50, actor=None, reference="seed"
            )
            inventory.stock_thresholds_set(
                item_id=item.pk, location_id=warehouse.pk, reorder_point=10, reorder_qty=20,
                actor=None,
            )  # fmt: skip
        orders.order_place(
            customer_reference="contract-seed",
            lines=[orders.LineRequest(items[0].pk, warehouse.pk, Decimal("2"))],
            actor=None,
        )
        system_setting_set(key="contract.seed", value={"seeded": True}, actor=None)
