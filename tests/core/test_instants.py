"""Every time the API is given goes through one parser: with its UTC offset, kept in UTC,
and refused with a 400 problem (never a 500) when PostgreSQL could not store it."""

import pytest

from apps.platform.instants import InvalidInstant, parse_instant

pytestmark = pytest.mark.django_db

# Offsets Python accepts and PostgreSQL refuses, as the fuzzer found them.
FAR_OFFSET = "0777-10-13T09:06:21+19:32"


def test_a_far_offset_is_read_in_utc():
    assert parse_instant(FAR_OFFSET).isoformat() == "0777-10-12T13:34:21+00:00"


@pytest.mark.parametrize(
    "text",
    ["", "  ", "yesterday", "2027-04-31T10:00:00Z", "2027-04-06T10:00:00",
     "0001-01-01T00:30:00+01:00", "9999-12-31T23:30:00-01:00"],
)  # fmt: skip
def test_what_cannot_be_stored_is_refused(text):
    with pytest.raises(InvalidInstant):
        parse_instant(text)


@pytest.mark.parametrize(
    ("url", "role"),
    [
        ("/api/v1/events/?to=", "Admin"),
        ("/api/v1/ops/dead-letters/?died_after=", "Admin"),
        ("/api/v1/orders/?from=", "Operator"),
        ("/api/v1/stock/movements/?to=", "Warehouse"),
        ("/api/v1/reports/order-throughput/?hour_from=", "Operator"),
    ],
)
def test_a_list_filtered_by_an_impossible_time_answers_a_problem(client_as, url, role):
    client = client_as(role)
    assert client.get(url + FAR_OFFSET.replace("+", "%2B")).status_code == 200
    refused = client.get(url + "0001-01-01T00:30:00%2B01:00")
    assert refused.status_code == 400, refused.content
    assert refused["Content-Type"] == "application/problem+json"
    assert client.get(url + "soon").status_code == 400
    assert client.get(url).status_code == 400  # present but empty: not a time


def test_a_booking_in_a_far_offset_is_stored_in_utc(client_as):
    from tests.resources.factories import ProjectFactory, ResourceFactory

    operator = client_as("Operator")
    booked = operator.post(
        "/api/v1/allocate/",
        {"project": ProjectFactory().pk, "items": [{
            "resource": ResourceFactory().pk,
            "from": "2027-04-06T10:00:00+15:30", "to": "2027-04-06T12:00:00+15:30",
        }]},
        format="json",
    )  # fmt: skip
    assert booked.status_code == 201, booked.content
    assert booked.json()["allocations"][0]["from"] == "2027-04-05T18:30:00Z"
