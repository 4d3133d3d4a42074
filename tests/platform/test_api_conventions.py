"""The API's one convention: every path ends with a slash (the old paths and parameter
names answer for one release, marked deprecated), one cursor pagination with an optional
count, `ordering` on every list, multi-value filters, and exports negotiated by Accept or
`?format=`."""

import csv
import io
from datetime import timedelta

import openpyxl
import pytest
from django.test import Client
from django.urls import get_resolver
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator

from apps.platform.api.routes import SUNSET
from tests.helpers import assert_problem
from tests.inventory.factories import ItemFactory, WarehouseFactory
from tests.resources.factories import ProjectFactory, ResourceFactory

pytestmark = pytest.mark.django_db

START = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=30)


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def list_operations(schema):
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if get and "Paginated" in str(get["responses"]["200"]):
            yield path, get


def test_every_path_of_the_schema_ends_with_a_slash(schema):
    assert [path for path in schema["paths"] if not path.endswith("/")] == []


def test_every_list_pages_by_cursor_and_offers_count_and_ordering(schema):
    lists = dict(list_operations(schema))
    assert len(lists) >= 20
    for path, operation in lists.items():
        names = {p.get("name") for p in operation["parameters"]}
        assert {"cursor", "page_size", "count", "ordering"} <= names, path


def test_the_old_paths_are_left_out_of_the_schema(schema):
    names = get_resolver("fusionops.urls").reverse_dict.keys()
    deprecated = [name for name in names if isinstance(name, str) and name.endswith("-deprecated")]
    assert deprecated == [], "API names live in the api namespace"
    api = get_resolver("fusionops.urls").namespace_dict["api"][1].reverse_dict.keys()
    old = [name for name in api if isinstance(name, str) and name.endswith("-deprecated")]
    assert len(old) >= 30
    assert not any(path.endswith(".csv") or path.endswith(".csv/") for path in schema["paths"])


def test_an_old_path_answers_with_the_deprecation_headers(client_as):
    item, location = ItemFactory(), WarehouseFactory()
    keeper = client_as("Warehouse")
    body = {"item": item.pk, "location": location.pk, "quantity": 5, "reference": "PO-1"}

    old = keeper.post("/api/v1/stock/receive", body, format="json")

    assert old.status_code == 201
    assert old["Deprecation"].startswith("@")
    assert (
        old["Sunset"]
        == "Tue, 01 Jun 2027 00:00:00 GMT"
        == SUNSET.strftime("%a, %d %b %Y %H:%M:%S GMT")
    )
    assert old["Link"] == '</api/v1/stock/receive/>; rel="successor-version"'
    new = keeper.post("/api/v1/stock/receive/", {**body, "reference": "PO-2"}, format="json")
    assert new.status_code == 201
    assert "Deprecation" not in new and "Link" not in new
    assert new.json().keys() == old.json().keys()


def book(client, project, resource, start, *, hours: int) -> dict:
    booked = client.post(
        "/api/v1/allocate/",
        {"project": project.pk, "items": [
            {"resource": resource.pk, "from": start.isoformat(),
             "to": (start + timedelta(hours=hours)).isoformat()}
        ]},
        format="json",
    )  # fmt: skip
    assert booked.status_code == 201
    return booked.json()["allocations"][0]


def test_an_old_parameter_name_is_read_as_the_new_one_and_marked_deprecated(client_as):
    resource, project = ResourceFactory(), ProjectFactory()
    operator = client_as("Operator")
    for day in range(3):
        book(operator, project, resource, START + timedelta(days=day), hours=2)
    window = START + timedelta(days=1)

    new = operator.get("/api/v1/allocations/", {"overlaps_from": window.isoformat()})
    old = operator.get("/api/v1/allocations/", {"from": window.isoformat()})

    assert "Deprecation" not in new
    assert old["Deprecation"].startswith("@") and "Link" not in old
    assert [a["id"] for a in old.json()["results"]] == [a["id"] for a in new.json()["results"]]
    assert len(new.json()["results"]) == 2


def test_filters_take_several_values(client_as):
    project = ProjectFactory()
    first, second, third = ResourceFactory(), ResourceFactory(), ResourceFactory()
    operator = client_as("Operator")
    ids = {}
    for resource in (first, second, third):
        ids[resource.pk] = book(operator, project, resource, START, hours=1)["id"]
    operator.post(f"/api/v1/allocations/{ids[third.pk]}/cancel/", {}, format="json")

    two = operator.get(f"/api/v1/allocations/?resource={first.pk}&resource={second.pk}")
    both = operator.get(
        "/api/v1/allocations/?status=booked&status=cancelled&project=" + str(project.pk)
    )
    cancelled = operator.get(f"/api/v1/allocations/?status=cancelled&project={project.pk}")

    assert sorted(a["id"] for a in two.json()["results"]) == sorted([ids[first.pk], ids[second.pk]])
    assert len(both.json()["results"]) == 3
    assert [a["id"] for a in cancelled.json()["results"]] == [ids[third.pk]]
    assert_problem(operator.get("/api/v1/allocations/?status=lost"), 400)
    assert_problem(operator.get("/api/v1/allocations/?resource=1&resource=x"), 400)
    many = "&".join(f"resource={n}" for n in range(1, 102))
    assert_problem(operator.get(f"/api/v1/allocations/?{many}"), 400)


def test_lists_order_by_what_they_offer_and_refuse_anything_else(client_as):
    for name in ("pear", "apple", "quince"):
        ItemFactory(name=name)
    viewer = client_as("Viewer")

    by_name = viewer.get("/api/v1/items/", {"ordering": "name", "page_size": 2})
    rest = viewer.get(by_name.json()["next"])
    backwards = viewer.get("/api/v1/items/", {"ordering": "-name"})

    assert [i["name"] for i in by_name.json()["results"] + rest.json()["results"]] == [
        "apple", "pear", "quince",
    ]  # fmt: skip
    assert [i["name"] for i in backwards.json()["results"]] == ["quince", "pear", "apple"]
    refused = assert_problem(viewer.get("/api/v1/items/", {"ordering": "unit_price"}), 400)
    assert "ordering" in refused["errors"]


def test_a_list_counts_only_when_asked(client_as):
    for _ in range(3):
        ItemFactory()
    viewer = client_as("Viewer")

    plain = viewer.get("/api/v1/items/", {"page_size": 2}).json()
    counted = viewer.get("/api/v1/items/", {"page_size": 2, "count": "true"}).json()

    assert "count" not in plain
    assert counted["count"] == 3 and len(counted["results"]) == 2
    assert_problem(viewer.get("/api/v1/items/", {"count": "1"}), 400)


@pytest.fixture
def three_events(client_as):
    # Settings changes are audited: three events an auditor may export.
    admin = client_as("Admin")
    for n in range(3):
        changed = admin.put(f"/api/v1/settings/export.{n}/", {"value": n}, format="json")
        assert changed.status_code in (200, 201)
    return client_as("AuditViewer")


def test_the_export_is_csv_or_xlsx_by_accept_or_format(three_events):
    auditor = three_events
    filters = {"aggregate_type": "core.setting"}

    as_csv = auditor.get("/api/v1/events/export/", filters, HTTP_ACCEPT="text/csv")
    by_format = auditor.get("/api/v1/events/export/", {**filters, "format": "xlsx"})
    by_accept = auditor.get(
        "/api/v1/events/export/",
        filters,
        HTTP_ACCEPT="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )

    rows = list(csv.reader(io.StringIO(b"".join(as_csv.streaming_content).decode())))
    assert len(rows) == 4 and rows[0][0] == "seq"
    for response in (by_format, by_accept):
        assert response.status_code == 200
        assert response["Content-Disposition"] == 'attachment; filename="events.xlsx"'
        sheet = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
        cells = [[cell.value for cell in row] for row in sheet.iter_rows()]
        assert cells[0] == rows[0]
        assert [row[0] for row in cells[1:]] == [int(row[0]) for row in rows[1:]]
    refused = assert_problem(auditor.get("/api/v1/events/export/", {"format": "pdf"}), 400)
    assert "format" in refused["errors"]


def test_the_old_export_path_still_answers_csv(three_events):
    old = three_events.get("/api/v1/events/export.csv", {"aggregate_type": "core.setting"})

    assert old.status_code == 200 and old["Content-Type"].startswith("text/csv")
    assert old["Link"] == (
        '</api/v1/events/export/?format=csv&aggregate_type=core.setting>; rel="successor-version"'
    )


def test_an_anonymous_caller_of_an_old_path_is_refused_as_on_the_new(api_client):
    old, new = api_client.get("/api/v1/stock/thresholds"), Client().get("/api/v1/stock/thresholds/")
    assert old.status_code == new.status_code == 401


def test_a_cursor_the_list_did_not_hand_out_is_a_400_naming_it(client_as):
    viewer = client_as("Viewer")
    for cursor in ("not-a-cursor", "cD1ub3Rhbm9tYmVy", "cD0A"):
        refused = assert_problem(viewer.get("/api/v1/items/", {"cursor": cursor}), 400)
        assert "cursor" in refused["errors"]
