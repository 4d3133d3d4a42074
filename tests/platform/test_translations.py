"""Russian: every marked string has a translation, the language follows Accept-Language and
the switcher, and problems, pages and figures speak it (numbers and dates as Russians write
them)."""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from tests.factories import UserFactory

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "ru" / "LC_MESSAGES" / "django.po"


def test_every_marked_string_has_a_russian_translation(tmp_path, settings, monkeypatch):
    assert shutil.which("msgcmp"), "gettext's tools are missing (make test installs them)"
    # Extract the marked strings afresh from a copy of the sources into a scratch catalogue
    # (in the checkout, makemessages would merge into the committed one), then compare:
    # msgcmp counts an untranslated or fuzzy entry of the committed catalogue as missing.
    sources = tmp_path / "sources"
    shutil.copytree(
        settings.BASE_DIR, sources,
        ignore=shutil.ignore_patterns(".*", "locale", "node_modules", "var", "staticfiles",
                                      "tests", "bench", "__pycache__"),
    )  # fmt: skip
    monkeypatch.chdir(sources)
    settings.LOCALE_PATHS = [tmp_path / "extracted"]
    call_command("makemessages", locale=["ru"], verbosity=0)
    extracted = tmp_path / "extracted" / "ru" / "LC_MESSAGES" / "django.po"
    assert extracted.exists()
    result = subprocess.run(
        ["msgcmp", str(CATALOGUE), str(extracted)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr[-4000:]


def test_the_catalogue_is_compiled_and_well_formed():
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(CATALOGUE)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "fuzzy" not in result.stderr and "untranslated" not in result.stderr, result.stderr
    assert CATALOGUE.with_suffix(".mo").exists(), "make setup compiles the catalogue"


@pytest.mark.django_db
def test_a_problem_speaks_the_callers_language(api_client):
    english = api_client.get("/api/v1/resources/", HTTP_ACCEPT_LANGUAGE="en")
    russian = api_client.get("/api/v1/resources/", HTTP_ACCEPT_LANGUAGE="ru")
    assert english.status_code == russian.status_code == 401
    assert english.json()["title"] == "Unauthorized"
    assert russian.json()["title"] == "Не авторизован"
    assert russian.json()["detail"] != english.json()["detail"]
    assert russian["Content-Language"] == "ru"


@pytest.mark.django_db
def test_the_switcher_sets_the_language_for_the_next_pages():
    client = Client()
    client.force_login(UserFactory(roles=["Admin"], is_staff=True))
    assert 'lang="en"' in client.get("/admin/").content.decode()
    switched = client.post("/i18n/setlang/", {"language": "ru", "next": "/admin/"})
    assert switched.status_code == 302 and switched["Location"] == "/admin/"
    page = client.get("/admin/").content.decode()
    assert 'lang="ru"' in page
    assert "Забронировано сегодня" in page


@pytest.mark.django_db
def test_figures_are_written_as_russians_write_them():
    from decimal import Decimal

    from apps.inventory import services
    from tests.inventory.factories import ItemFactory, WarehouseFactory

    item, warehouse = ItemFactory(unit_price=Decimal("1234.50")), WarehouseFactory()
    services.stock_receive(item_id=item.pk, location_id=warehouse.pk, quantity="1", actor=None)
    client = Client(headers={"accept-language": "ru"})
    client.force_login(UserFactory(roles=["Warehouse"], is_staff=True))
    cards = client.get("/admin/home/figures").json()["cards"]
    assert cards["stock-value"]["value"] == "1\xa0234,50"
    english = Client(headers={"accept-language": "en"})
    english.force_login(UserFactory(roles=["Warehouse"], is_staff=True))
    assert english.get("/admin/home/figures").json()["cards"]["stock-value"]["value"] == "1,234.50"
