"""Bulk import and export in the admin (CSV and XLSX): a preview shows every row's errors
before anything is written, a bad row writes nothing, and what is imported goes through
the services (audited as its importer)."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.forms import BooleanField
from django.test import Client

from apps.eventlog.models import Event
from apps.inventory.models import Item, StockLevel, StockMovement
from apps.resources.models import Project
from tests.factories import UserFactory
from tests.inventory.factories import ItemFactory, WarehouseFactory

pytestmark = pytest.mark.django_db

CSV, XLSX = "0", "1"  # the formats' positions in IMPORT_EXPORT_FORMATS


def staff(role: str) -> Client:
    client = Client()
    client.user = UserFactory(roles=[role], is_staff=True)
    client.force_login(client.user)
    return client


def upload(client, url: str, content: bytes, name: str, fmt: str = CSV):
    return client.post(
        f"{url}import/", {"format": fmt, "import_file": SimpleUploadedFile(name, content)}
    )


def confirm(client, url: str, preview):
    form = preview.context["confirm_form"]
    return client.post(f"{url}process_import/", {k: v for k, v in form.initial.items()})


ITEMS = "/admin/inventory/item/"


def test_a_preview_shows_each_bad_row_and_nothing_is_written():
    keeper = staff("Warehouse")
    rows = (
        b"sku,name,unit,unit_price,active,auto_reorder\n"
        b"BOLT-1,Bolt,pcs,0.20,1,0\nNUT-1,Nut,pcs,-3,1,0\n"  # a negative price
    )
    preview = upload(keeper, ITEMS, rows, "items.csv")
    assert preview.status_code == 200
    page = preview.content.decode()
    assert "Errors" in page or "errors" in page
    assert preview.context.get("confirm_form") is None  # nothing to confirm
    assert not Item.objects.filter(sku__in=["BOLT-1", "NUT-1"]).exists()


def test_an_import_goes_through_the_catalogue_service_as_its_importer():
    keeper = staff("Warehouse")
    existing = ItemFactory(sku="BOLT-1", name="Old name")
    rows = (
        b"sku,name,unit,unit_price,active,auto_reorder\n"
        b"BOLT-1,Bolt M8,pcs,0.20,1,0\nNUT-1,Nut,pcs,0.05,1,0\n"
    )
    preview = upload(keeper, ITEMS, rows, "items.csv")
    assert preview.context["confirm_form"] is not None
    assert not Item.objects.filter(sku="NUT-1").exists()  # the preview wrote nothing
    assert confirm(keeper, ITEMS, preview).status_code == 302
    existing.refresh_from_db()
    assert existing.name == "Bolt M8" and Item.objects.filter(sku="NUT-1").exists()
    created = Event.objects.filter(type="inventory.item.created").latest("seq")
    assert created.actor["username"] == keeper.user.username
    assert Event.objects.filter(
        type="inventory.item.updated", aggregate_id=str(existing.pk)
    ).exists()


def test_projects_import_from_xlsx():
    operator = staff("Operator")
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["code", "name", "active"])
    sheet.append(["P-IMPORT", "Imported project", 1])
    content = io.BytesIO()
    book.save(content)
    preview = upload(operator, "/admin/resources/project/", content.getvalue(), "p.xlsx", XLSX)
    assert confirm(operator, "/admin/resources/project/", preview).status_code == 302
    assert Project.objects.get(code="P-IMPORT").name == "Imported project"


def test_opening_stock_is_received_through_the_stock_service():
    keeper = staff("Warehouse")
    item, warehouse = ItemFactory(sku="OPEN-1"), WarehouseFactory(code="WH-OPEN")
    rows = f"item,location,quantity\n{item.sku},{warehouse.code},12\n".encode()
    preview = upload(keeper, "/admin/inventory/stocklevel/", rows, "opening.csv")
    assert confirm(keeper, "/admin/inventory/stocklevel/", preview).status_code == 302
    assert StockLevel.objects.get(item=item, location=warehouse).on_hand == 12
    receipt = StockMovement.objects.get(item=item, location=warehouse)
    assert (receipt.kind, receipt.reason, receipt.actor) == (
        "receipt",
        "opening stock",
        keeper.user,
    )
    bad = upload(
        keeper, "/admin/inventory/stocklevel/",
        f"item,location,quantity\n{item.sku},{warehouse.code},-1\nNOPE,{warehouse.code},1\n".encode(),
        "bad.csv",
    )  # fmt: skip
    assert bad.context.get("confirm_form") is None
    assert StockMovement.objects.filter(item=item).count() == 1


def test_every_catalogue_list_exports_as_csv_and_xlsx():
    keeper = staff("Warehouse")
    ItemFactory(sku="EXP-1")
    form = keeper.get(f"{ITEMS}export/").context["form"]
    chosen = {name: "on" for name, field in form.fields.items() if name.endswith(("_sku", "_name"))}
    for fmt, marker in ((CSV, b"EXP-1"), (XLSX, b"PK")):
        response = keeper.post(f"{ITEMS}export/", {"format": fmt, "resource": "0", **chosen})
        content = b"".join(response.streaming_content) if response.streaming else response.content
        assert response.status_code == 200 and marker in content, content[:200]


def test_importing_needs_the_permission_to_add():
    viewer = staff("Viewer")
    assert viewer.get(f"{ITEMS}import/").status_code == 403
    assert viewer.get("/admin/inventory/stocklevel/import/").status_code == 403


@pytest.mark.parametrize(
    ("role", "url"),
    [
        ("Operator", "/admin/resources/allocation/"),
        ("Operator", "/admin/orders/order/"),
        ("Warehouse", "/admin/inventory/stockmovement/"),
        ("Warehouse", "/admin/inventory/replenishment/"),
        ("Warehouse", "/admin/reports/stockdaily/"),
    ],
)
def test_the_daily_lists_export_too(role, url):
    client = staff(role)
    assert client.get(url).status_code == 200
    form = client.get(f"{url}export/").context["form"]
    # Every field of the list's resource (a box each).
    chosen = {name: "on" for name, field in form.fields.items() if isinstance(field, BooleanField)}
    response = client.post(f"{url}export/", {"format": XLSX, "resource": "0", **chosen})
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 200 and content.startswith(b"PK"), content[:120]
