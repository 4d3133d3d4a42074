"""fusionops login: a token is checked before it is saved, for its owner's eyes only; the
device flow is refused by a provider without it, and followed (RFC 8628) by one with it."""

import json
import stat
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest
from fusionops_cli import oidc
from oidc_provider_mock import run_server_in_thread

from tests.cli.conftest import Fusionops
from tests.factories import UserFactory, issue_token

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def config_file(fusionops: Fusionops):
    return fusionops.config_home / "fusionops" / "config.json"


def test_login_checks_the_token_and_saves_it_readable_by_its_owner_only(fusionops):
    token = issue_token(UserFactory(roles=["Viewer"]))

    result = fusionops.run("login", "--url", fusionops.url, "--token", token, FUSIONOPS_URL=None)

    assert result.exit_code == 0, result.output
    saved = config_file(fusionops)
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    assert stat.S_IMODE(saved.parent.stat().st_mode) == 0o700
    assert json.loads(saved.read_text()) == {
        "url": fusionops.url,
        "token": token,
        "method": "token",
    }
    # Later commands need neither --url nor --token.
    listed = fusionops.run(
        "availability", "--from", "2026-12-01T00:00Z", "--to", "2026-12-02T00:00Z",
        FUSIONOPS_URL=None,
    )  # fmt: skip
    assert listed.exit_code == 0, listed.output


def test_login_refuses_a_token_the_portal_does_not_accept_and_saves_nothing(fusionops):
    result = fusionops.run("login", "--url", fusionops.url, "--token", "fo_not-a-token")

    assert result.exit_code == 3
    assert "does not accept this token" in result.stderr
    assert not config_file(fusionops).exists()


def test_login_refuses_a_token_whose_user_holds_no_role(fusionops):
    result = fusionops.run("login", "--token", issue_token(UserFactory()))

    assert result.exit_code == 3
    assert not config_file(fusionops).exists()


def test_a_failed_login_keeps_the_sign_in_saved_before(fusionops):
    token = issue_token(UserFactory(roles=["Operator"]))
    assert fusionops.run("login", "--token", token).exit_code == 0

    assert fusionops.run("login", "--token", "fo_forged").exit_code == 3
    assert json.loads(config_file(fusionops).read_text())["token"] == token


@pytest.fixture
def oidc_provider(monkeypatch):
    """The mock OpenID provider the sign-in tests use (it has no device flow)."""
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")
    with run_server_in_thread() as server:
        yield f"http://127.0.0.1:{server.server_port}"


def test_the_device_flow_is_refused_when_the_provider_does_not_offer_it(tmp_path, oidc_provider):
    cli = Fusionops(tmp_path, url="http://127.0.0.1:9")  # the portal is never asked

    result = cli.run("login", "--device", "--issuer", oidc_provider, "--client-id", "fusionops")

    assert result.exit_code == 2
    assert "does not support the device flow" in result.stderr
    assert "--token" in result.stderr
    assert not (tmp_path / "fusionops" / "config.json").exists()


class DeviceProvider(BaseHTTPRequestHandler):
    """A provider with the device flow: pending, then slow_down, then the token."""

    answers: list[tuple[int, dict]]
    polls: list[dict]
    token: str

    def do_GET(self):
        base = f"http://127.0.0.1:{self.server.server_port}"
        self._answer(
            200,
            {
                "issuer": base,
                "token_endpoint": f"{base}/token",
                "device_authorization_endpoint": f"{base}/device",
            },
        )

    def do_POST(self):
        form = {
            name: values[0]
            for name, values in parse_qs(
                self.rfile.read(int(self.headers["Content-Length"])).decode()
            ).items()
        }
        if self.path == "/device":
            self._answer(
                200,
                {
                    "device_code": "dev-123",
                    "user_code": "WDJB-MJHT",
                    "verification_uri": "https://sso.example.com/device",
                    "expires_in": 600,
                    "interval": 2,
                },
            )
        else:
            type(self).polls.append(form)
            self._answer(*type(self).answers.pop(0))

    def _answer(self, status: int, body: dict):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


def test_the_device_flow_polls_as_the_provider_says_and_saves_the_access_token(
    fusionops, monkeypatch
):
    # The portal accepts its own tokens as bearer tokens: the provider hands one out here.
    token = issue_token(UserFactory(roles=["Viewer"]))
    DeviceProvider.polls = []
    DeviceProvider.answers = [
        (400, {"error": "authorization_pending"}),
        (400, {"error": "slow_down"}),
        (400, {"error": "authorization_pending"}),
        (200, {"access_token": token, "token_type": "Bearer", "expires_in": 300}),
    ]
    waits = []
    monkeypatch.setattr(oidc, "pause", waits.append)
    server = ThreadingHTTPServer(("127.0.0.1", 0), DeviceProvider)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    issuer = f"http://127.0.0.1:{server.server_port}"
    try:
        result = fusionops.run("login", "--device", "--issuer", issuer, "--client-id", "cli")
    finally:
        server.shutdown()

    assert result.exit_code == 0, result.output
    assert "https://sso.example.com/device" in result.stderr
    assert "WDJB-MJHT" in result.stderr
    assert waits == [2, 2, 7, 7]  # the interval, and 5 s more after slow_down
    assert {poll["grant_type"] for poll in DeviceProvider.polls} == {oidc.DEVICE_GRANT}
    assert {poll["device_code"] for poll in DeviceProvider.polls} == {"dev-123"}
    saved = json.loads(config_file(fusionops).read_text())
    assert saved == {"url": fusionops.url, "token": token, "method": "device", "issuer": issuer}
