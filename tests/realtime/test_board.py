"""/board/: signed-in only, drawn from the current state, allowed to open its socket."""

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from apps.realtime.selectors import head_position
from tests.factories import UserFactory
from tests.realtime.conftest import publish, run
from tests.resources.factories import ProjectFactory, ResourceFactory

pytestmark = pytest.mark.django_db


def test_the_board_needs_a_signed_in_user():
    response = Client().get("/board/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_the_board_tells_its_script_where_the_socket_is_and_csp_allows_it(settings):
    settings.WS_PORT = 8101
    client = Client()
    client.force_login(UserFactory(roles=["Viewer"]))
    response = client.get("/board/")
    assert response.status_code == 200
    config = response.context["board_config"]
    assert config["wsUrl"] == "ws://testserver:8101/ws/notify/"
    assert config["topics"] == ["allocations", "inventory"]  # a Viewer does not follow orders
    assert config["position"] == head_position()
    connect_src = next(
        part for part in response["Content-Security-Policy"].split(";") if "connect-src" in part
    )
    assert "'self'" in connect_src
    assert "ws://testserver:8101" in connect_src
    assert b'id="orders"' not in response.content


def test_behind_a_proxy_the_socket_is_on_the_same_site(settings):
    settings.REALTIME_WS_URL = "/ws/notify/"
    client = Client()
    client.force_login(UserFactory(roles=["Operator"]))
    config = client.get("/board/", secure=True).context["board_config"]
    assert config["wsUrl"] == "wss://testserver/ws/notify/"
    assert config["topics"] == ["allocations", "orders"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_board_starts_from_where_the_log_was_sealed(booker):
    booker(0)  # this hour: still today (UTC), the day the board draws, whatever the time
    run(publish())
    client = Client()
    client.force_login(UserFactory(roles=["Viewer"]))
    response = client.get("/board/")
    assert response.context["board_config"]["position"] == head_position()
    assert 'data-allocation="' in response.content.decode()


def _board(client, **query):
    response = client.get("/board/", query)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def viewer_client():
    client = Client()
    client.force_login(UserFactory(roles=["Viewer"]))
    return client


def _booking(starts_at, *, zone="UTC"):
    from apps.resources.services import AllocationItem, allocate

    resource = ResourceFactory(timezone=zone)
    return allocate(
        project_id=ProjectFactory().pk,
        items=[AllocationItem(resource.pk, starts_at, starts_at + timedelta(hours=1))],
        actor=None,
    )[0]


def test_any_day_or_week_is_drawn_and_each_booking_on_its_own_day(viewer_client):
    tuesday = _booking(datetime(2027, 4, 6, 10, tzinfo=UTC))
    bar = f'data-allocation="{tuesday.pk}"'
    assert bar in _board(viewer_client, date="2027-04-06", tz="UTC")
    assert bar not in _board(viewer_client, date="2027-04-05", tz="UTC")
    week = _board(viewer_client, date="2027-04-08", span="week", tz="UTC")  # from Monday
    assert bar in week and "week of Mon 5 Apr 2027" in week
    config = viewer_client.get("/board/", {"date": "2027-04-06", "tz": "UTC"}).context[
        "board_config"
    ]
    assert config["periodStart"] == "2027-04-06T00:00:00+00:00"
    assert config["periodEnd"] == "2027-04-07T00:00:00+00:00"


def test_the_board_draws_the_viewers_time_zone_and_names_each_resources_own(viewer_client):
    late = _booking(datetime(2027, 4, 6, 22, 30, tzinfo=UTC), zone="Europe/Berlin")
    bar = f'data-allocation="{late.pk}"'
    moscow = _board(viewer_client, date="2027-04-07", tz="Europe/Moscow")  # 01:30 there
    assert bar in moscow and "Times in Europe/Moscow" in moscow
    assert "Europe/Berlin" in moscow  # the resource's own zone, beside its name
    assert bar not in _board(viewer_client, date="2027-04-06", tz="Europe/Moscow")


@pytest.mark.parametrize(
    "query", [{"date": "yesterday"}, {"span": "year"}, {"tz": "Mars/Base"}, {"date": "99999-01-01"}]
)
def test_a_malformed_period_is_today_not_an_error(viewer_client, query):
    assert "Bookings on" in _board(viewer_client, **query)
