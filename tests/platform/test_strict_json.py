"""A request means what the schema says, no more: JSON bodies carry the documented types,
decimals their documented form, flags in queries are true or false, an empty parameter is
not an absent one, and a value another row holds is a conflict."""

import pytest

from tests.helpers import assert_problem
from tests.inventory.factories import ItemFactory, WarehouseFactory
from tests.resources.factories import ProjectFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def keeper(client_as):
    return client_as("Warehouse")


@pytest.fixture
def stock():
    return {"item": ItemFactory().pk, "location": WarehouseFactory().pk, "reference": "PO-1"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("item", "1"),  # an id as text
        ("item", True),
        ("item", 1.5),
        ("reference", 42),  # text as a number
        ("quantity", 2.5),  # a decimal as a binary fraction
        ("quantity", "1e3"),
        ("quantity", " 5"),
        ("quantity", "0"),  # must be positive
        ("quantity", "-1"),
        ("quantity", "1.0001"),  # more decimals than a quantity has
        ("quantity", "NaN"),
        ("quantity", True),
    ],
)
def test_a_body_field_of_another_type_or_form_is_refused(keeper, stock, field, value):
    body = {**stock, "quantity": "5", field: value}
    problem = assert_problem(keeper.post("/api/v1/stock/receive/", body, format="json"), 400)
    assert field in problem["errors"]


@pytest.mark.parametrize("quantity", ["5", "5.25", "0.001", ".5", 7])
def test_decimals_arrive_as_text_or_whole_numbers(keeper, stock, quantity):
    body = {**stock, "quantity": quantity}
    assert keeper.post("/api/v1/stock/receive/", body, format="json").status_code == 201


def test_an_empty_list_where_one_is_needed_is_refused(client_as):
    refused = client_as("Operator").post(
        "/api/v1/allocate/", {"project": ProjectFactory().pk, "items": []}, format="json"
    )
    assert "items" in str(assert_problem(refused, 400)["errors"])


def test_a_value_another_row_holds_is_a_conflict(keeper):
    ItemFactory(sku="BOLT-1")
    body = {"sku": "BOLT-1", "name": "Bolt", "unit": "pcs", "unit_price": "1.00"}
    taken = assert_problem(
        keeper.post("/api/v1/items/", body, format="json"), 409, "already-exists"
    )
    assert "sku" in taken["errors"]


@pytest.mark.parametrize("value", ["1", "yes", "True", ""])
def test_a_flag_in_a_query_is_true_or_false(client_as, value):
    refused = assert_problem(client_as("Viewer").get("/api/v1/items/", {"active": value}), 400)
    assert "active" in refused["errors"]


def test_an_empty_parameter_is_not_an_absent_one(client_as):
    viewer = client_as("Viewer")
    assert_problem(viewer.get("/api/v1/reports/stock-daily/", {"day_to": ""}), 400)
    assert_problem(viewer.get("/api/v1/stock/", {"item": ""}), 400)
    # Text may be empty: it filters by the empty text, which every name contains.
    ItemFactory(name="Bolt")
    assert len(viewer.get("/api/v1/items/", {"name": ""}).json()["results"]) == 1


def test_query_numbers_are_text_by_nature_and_still_read(client_as):
    item = ItemFactory()
    found = client_as("Viewer").get("/api/v1/stock/", {"item": str(item.pk), "active": "true"})
    assert found.status_code == 200
