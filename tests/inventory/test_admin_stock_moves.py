"""Every stock movement from the admin, through the services: from a level's page and as
one action on several levels (all or nothing), the services' refusals shown as the form's
errors, and only for those who may move stock."""

from decimal import Decimal

import pytest
from django.contrib.admin import helpers
from django.test import Client

from apps.eventlog.models import Event
from apps.inventory import services
from apps.inventory.models import Reservation, StockLevel, StockMovement
from tests.factories import UserFactory
from tests.inventory.factories import ItemFactory, WarehouseFactory

pytestmark = pytest.mark.django_db

LEVELS = "/admin/inventory/stocklevel/"


@pytest.fixture
def keeper():
    client = Client()
    client.user = UserFactory(roles=["Warehouse"], is_staff=True)
    client.force_login(client.user)
    return client


def level_with(quantity: str) -> StockLevel:
    item, warehouse = ItemFactory(), WarehouseFactory()
    services.stock_receive(item_id=item.pk, location_id=warehouse.pk, quantity=quantity, actor=None)
    return StockLevel.objects.get(item=item, location=warehouse)


def move(client, level, **data):
    return client.post(f"{LEVELS}{level.pk}/move/", {"reference": "", "reason": "", **data})


def on_hand(level) -> Decimal:
    level.refresh_from_db()
    return level.on_hand


def test_a_keeper_issues_from_a_levels_page_and_it_is_recorded_as_theirs(keeper):
    level = level_with("10")
    page = keeper.get(f"{LEVELS}{level.pk}/move/")
    assert page.status_code == 200 and "Receive" in page.content.decode()
    response = move(keeper, level, operation="issue", quantity="3", reference="DN-7")
    assert response.status_code == 302
    assert on_hand(level) == Decimal("7.000")
    movement = StockMovement.objects.filter(item=level.item, location=level.location).latest("pk")
    assert (movement.kind, movement.reference, movement.actor) == ("issue", "DN-7", keeper.user)
    assert Event.objects.filter(type="inventory.stock.issued").latest("seq").actor["username"] == (
        keeper.user.username
    )


@pytest.mark.parametrize(
    ("data", "error"),
    [
        ({"operation": "issue", "quantity": "11"}, "11.000 asked, 10.000 available"),
        ({"operation": "adjust", "quantity": "-1"}, "Say why the stock is adjusted."),
        ({"operation": "transfer", "quantity": "1"}, "Transfer to which location?"),
        ({"operation": "reserve", "quantity": "1"}, "kept under a reference"),
        ({"operation": "issue", "quantity": "-2"}, "quantity"),
    ],
)
def test_what_the_services_refuse_is_a_form_error_and_nothing_moves(keeper, data, error):
    level = level_with("10")
    before = StockMovement.objects.count()
    response = move(keeper, level, **data)
    assert response.status_code == 200
    assert error.lower() in response.content.decode().lower()
    assert StockMovement.objects.count() == before and on_hand(level) == Decimal("10.000")


def test_adjust_transfer_reserve_and_release(keeper):
    level, destination = level_with("10"), WarehouseFactory()
    move(keeper, level, operation="adjust", quantity="-2", reason="count 2026-12-01")
    move(keeper, level, operation="transfer", quantity="3", destination=destination.pk)
    move(keeper, level, operation="reserve", quantity="4", reference="SO-9")
    level.refresh_from_db()
    assert (level.on_hand, level.reserved) == (Decimal("5.000"), Decimal("4.000"))
    assert StockLevel.objects.get(item=level.item, location=destination).on_hand == 3
    assert Reservation.objects.filter(reference="SO-9").exists()
    move(keeper, level, operation="release", reference="SO-9")
    level.refresh_from_db()
    assert level.reserved == 0
    nothing = move(keeper, level, operation="release", reference="SO-9")
    assert "Nothing is reserved under SO-9" in nothing.content.decode()


def bulk(client, levels, **data):
    return client.post(
        LEVELS,
        {"action": "move_stock", helpers.ACTION_CHECKBOX_NAME: [lv.pk for lv in levels],
         "apply": "1", "reference": "", "reason": "", **data},
    )  # fmt: skip


def test_the_action_moves_several_levels_all_or_nothing(keeper):
    plenty, scarce = level_with("10"), level_with("1")
    form = keeper.post(
        LEVELS, {"action": "move_stock", helpers.ACTION_CHECKBOX_NAME: [plenty.pk, scarce.pk]}
    )
    assert form.status_code == 200 and "move-stock" in form.content.decode()
    assert bulk(keeper, [plenty, scarce], operation="receive", quantity="5").status_code == 302
    assert (on_hand(plenty), on_hand(scarce)) == (Decimal("15.000"), Decimal("6.000"))
    refused = bulk(keeper, [plenty, scarce], operation="issue", quantity="10")
    assert refused.status_code == 200
    assert scarce.item.sku in refused.content.decode()  # names the level that is short
    assert (on_hand(plenty), on_hand(scarce)) == (Decimal("15.000"), Decimal("6.000"))


def test_only_those_who_may_move_stock_get_the_form_or_the_action():
    viewer = Client()
    viewer.force_login(UserFactory(roles=["Viewer"], is_staff=True))
    level = level_with("10")
    assert viewer.get(f"{LEVELS}{level.pk}/move/").status_code == 403
    assert "move_stock" not in viewer.get(LEVELS).content.decode()
    assert on_hand(level) == Decimal("10.000")
