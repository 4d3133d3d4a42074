"""The admin in a real browser against the portal's real processes (gunicorn, uvicorn and
a worker): the home follows the live stream, the booking and import forms show what the
services refuse and write nothing, and the Russian admin has no English left on its home.
Screenshots are left in var/screenshots/."""

import re
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from apps.inventory import services as inventory
from apps.inventory.models import StockLevel
from apps.resources.models import Allocation, Skill
from apps.resources.services import AllocationItem, allocate
from tests.browser import chromium, screenshots_dir
from tests.factories import UserFactory
from tests.inventory.factories import ItemFactory, WarehouseFactory
from tests.resources.factories import ProjectFactory, ResourceFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def tomorrow_at(hour: int) -> datetime:
    day = timezone.localdate() + timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, datetime.min.time())) + timedelta(hours=hour)


def test_a_stock_issue_below_the_reorder_point_shows_on_the_home_page_live(portal, monkeypatch):
    admin = UserFactory(roles=["Admin"], is_staff=True)
    keeper = UserFactory(roles=["Warehouse"], is_staff=True)
    item, warehouse = ItemFactory(sku="BOLT-9", auto_reorder=True), WarehouseFactory()
    inventory.stock_receive(item_id=item.pk, location_id=warehouse.pk, quantity="10", actor=None)
    inventory.stock_thresholds_set(
        item_id=item.pk, location_id=warehouse.pk, reorder_point="5", reorder_qty="20", actor=None
    )
    level = StockLevel.objects.get(item=item, location=warehouse)

    with chromium(monkeypatch) as browser:
        home = browser.page_as(admin, portal.url)
        home.goto(f"{portal.url}/admin/")
        home.wait_for_selector('#home-state[data-state="open"]', timeout=10_000)
        below = home.locator('[data-card="stock-below-reorder"] .home-card-value')
        assert below.text_content() == "0"
        expect(home.locator("canvas[data-chart]")).to_have_count(4)

        desk = browser.page_as(keeper, portal.url)
        desk.goto(f"{portal.url}/admin/inventory/stocklevel/{level.pk}/move/")
        desk.select_option("#id_operation", "issue")
        desk.fill("#id_quantity", "7")
        desk.fill("#id_reference", "DN-42")
        desk.click('#content-main [type="submit"]')
        desk.wait_for_url(re.compile(r"/admin/inventory/stocklevel/"))

        # No reload: the stockLow message makes the page read its figures again. (Waits
        # through locators: a predicate string would be evaluated by the page, which its
        # content security policy forbids.)
        expect(below).to_have_text("1", timeout=10_000)
        card = home.locator('[data-card="stock-below-reorder"]')
        assert "home-card-alert" in card.get_attribute("class")
        assert (
            home.locator('[data-card="open-replenishments"] .home-card-value').text_content() == "1"
        )
        home.screenshot(path=screenshots_dir() / "admin-home.png", full_page=True)
        card.click()
        home.wait_for_url(re.compile(r"below_reorder=yes"))
        assert home.locator("#result_list tbody tr").count() == 1


def test_a_booking_of_several_resources_with_one_in_the_way_names_it_and_books_nothing(
    portal, monkeypatch
):
    operator = UserFactory(roles=["Operator"], is_staff=True)
    project = ProjectFactory(code="NORTH")
    free, taken = ResourceFactory(name="Forklift 1"), ResourceFactory(name="Crane 2")
    allocate(
        project_id=ProjectFactory().pk,
        items=[AllocationItem(taken.pk, tomorrow_at(9), tomorrow_at(12))],
        actor=None,
    )
    booked_before = Allocation.objects.count()
    starts, ends = tomorrow_at(10), tomorrow_at(11)

    with chromium(monkeypatch) as browser:
        page = browser.page_as(operator, portal.url)
        page.goto(f"{portal.url}/admin/resources/allocation/book/")
        page.select_option("#id_project", str(project.pk))
        page.select_option("#id_resources", [str(free.pk), str(taken.pk)])
        page.fill("#id_starts_at_0", starts.strftime("%Y-%m-%d"))
        page.fill("#id_starts_at_1", starts.strftime("%H:%M:%S"))
        page.fill("#id_ends_at_0", ends.strftime("%Y-%m-%d"))
        page.fill("#id_ends_at_1", ends.strftime("%H:%M:%S"))
        page.click('#book-several [type="submit"]')
        errors = page.wait_for_selector("ul.errorlist.nonfield", timeout=10_000)
        text = errors.text_content()
        assert "Crane 2" in text and "Forklift 1" not in text
        page.screenshot(path=screenshots_dir() / "admin-book-conflict.png", full_page=True)
    assert Allocation.objects.count() == booked_before


def test_an_import_with_one_bad_row_previews_its_error_and_writes_nothing(
    portal, monkeypatch, tmp_path
):
    operator = UserFactory(roles=["Operator"], is_staff=True)
    rows = tmp_path / "skills.csv"
    rows.write_text("name,description\nWelding,Arc and MIG\n,A skill without a name\n")

    with chromium(monkeypatch) as browser:
        page = browser.page_as(operator, portal.url)
        page.goto(f"{portal.url}/admin/resources/skill/import/")
        page.set_input_files("#id_import_file", str(rows))
        page.select_option("#id_format", label="csv")
        page.click('.submit-row [type="submit"]')
        page.wait_for_selector(".validation-error-list", timeout=10_000)
        # The one bad row, with its field named, and nothing to confirm.
        refused = page.locator(".validation-error-list")
        assert refused.count() == 1
        assert "name" in refused.text_content()
        assert page.locator('[name="confirm"]').count() == 0
        page.screenshot(path=screenshots_dir() / "admin-import-preview.png", full_page=True)
    assert not Skill.objects.filter(name="Welding").exists()


# What may stay in Latin letters on a Russian page: the product's name, acronyms, and the
# language switcher's "English" (each language is named in itself).
LATIN_ALLOWED = {"fusionops", "api", "csv", "xlsx", "english"}


def test_the_russian_admin_home_has_no_untranslated_string(portal, monkeypatch):
    admin = UserFactory(username="ivanova", roles=["Admin"], is_staff=True)
    item, warehouse = ItemFactory(unit_price=Decimal("1250.50")), WarehouseFactory()
    inventory.stock_receive(item_id=item.pk, location_id=warehouse.pk, quantity="12", actor=None)

    with chromium(monkeypatch) as browser:
        page = browser.page_as(admin, portal.url, locale="ru-RU")
        page.goto(f"{portal.url}/admin/")
        page.wait_for_selector('#home-state[data-state="open"]', timeout=10_000)
        assert page.get_attribute("html", "lang") == "ru"
        text = page.locator("body").inner_text()
        words = {word.lower() for word in re.findall(r"[A-Za-z]{2,}", text)}
        words -= LATIN_ALLOWED | {admin.username}
        assert not words, sorted(words)
        assert "15\xa0006,00" in text  # the stock's value, 12 at 1,250.50, as Russians write it
        page.screenshot(path=screenshots_dir() / "admin-home-ru.png", full_page=True)
