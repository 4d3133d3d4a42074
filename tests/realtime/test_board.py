"""/board/: signed-in only, drawn from the current state, allowed to open its socket."""

import pytest
from django.test import Client

from apps.realtime.selectors import head_position
from tests.factories import UserFactory
from tests.realtime.conftest import publish, run

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
