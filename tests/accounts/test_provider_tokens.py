"""Access tokens from the identity provider as API (and websocket) bearer tokens."""

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from apps.accounts.models import User
from tests.helpers import assert_problem

pytestmark = pytest.mark.django_db

ISSUER = "https://idp.example/realms/operations"
AUDIENCE = "fusionops"
VIEWER_ONLY = "/api/v1/settings/"  # any role-guarded read: Viewer may, nobody else below


class KeyServer:
    """Serves a JWKS that tests can change (key rotation), and counts its fetches."""

    def __init__(self):
        self.keys: list[dict] = []
        self.fetches = 0
        keys = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                keys.fetches += 1
                body = json.dumps({"keys": keys.keys}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/jwks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def new_key(self, kid: str):
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private.public_key()))
        self.keys.append({**public, "kid": kid, "use": "sig", "alg": "RS256"})
        return private


@pytest.fixture
def keys(settings):
    server = KeyServer()
    settings.OIDC_RP_CLIENT_ID = AUDIENCE
    settings.OIDC_OP_DISCOVERY_URL = ""
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = "https://idp.example/auth"
    settings.OIDC_OP_JWKS_ENDPOINT = server.url
    settings.OIDC_OP_ISSUER = ISSUER
    yield server
    server.server.shutdown()


def token(private, kid="k1", algorithm="RS256", header_typ="at+jwt", **overrides) -> str:
    """An access token (RFC 9068: `at+jwt`) as the provider would sign it."""
    now = int(time.time())
    claims = {
        "iss": ISSUER, "aud": AUDIENCE, "sub": "svc-ledger", "iat": now, "exp": now + 300,
        "preferred_username": "ledger-sync", "groups": ["Viewer"],
    }  # fmt: skip
    claims.update(overrides)
    return jwt.encode(claims, private, algorithm=algorithm, headers={"kid": kid, "typ": header_typ})


def get(api_client, raw):
    api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return api_client.get(VIEWER_ONLY)


def test_a_valid_jwt_from_the_provider_authenticates_with_the_roles_it_claims(keys, api_client):
    private = keys.new_key("k1")
    assert get(api_client, token(private)).status_code == 200
    user = User.objects.get(oidc_subject="svc-ledger")
    assert set(user.groups.values_list("name", flat=True)) == {"Viewer"}
    assert get(api_client, token(private, sub="svc-other", groups=[])).status_code == 403
    fetches = keys.fetches
    for _ in range(3):
        assert get(api_client, token(private)).status_code == 200
    assert keys.fetches == fetches  # the key set is cached, not fetched per request


def tampered(private) -> str:
    """A valid token whose claims were changed (to Admin) after signing."""
    head, _payload, signature = token(private).split(".")
    claims = {
        **jwt.decode(token(private), options={"verify_signature": False}),
        "groups": ["Admin"],
    }
    forged = jwt.utils.base64url_encode(json.dumps(claims).encode()).decode()
    return f"{head}.{forged}.{signature}"


def hmac_signed_with_public_key(private) -> str:
    """Algorithm confusion: HS256 keyed by the public key, which anyone can fetch."""
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "x", "exp": int(time.time()) + 60}
    header = jwt.utils.base64url_encode(json.dumps({"alg": "HS256", "kid": "k1"}).encode())
    body = jwt.utils.base64url_encode(json.dumps(claims).encode())
    signature = hmac.new(public_pem, header + b"." + body, hashlib.sha256).digest()
    return (header + b"." + body + b"." + jwt.utils.base64url_encode(signature)).decode()


def without_expiry(private) -> str:
    claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "x", "iat": int(time.time())}
    return jwt.encode(claims, private, algorithm="RS256", headers={"kid": "k1", "typ": "at+jwt"})


def id_token(private) -> str:
    """An ID token: for the portal as a client (so its audience), but no access token."""
    return token(private, header_typ="JWT", nonce="n-0S6_WzA2Mj")


def other_algorithm_same_key_id(private) -> str:
    """An EC signature that names the RSA key's id."""
    from cryptography.hazmat.primitives.asymmetric import ec

    return token(ec.generate_private_key(ec.SECP256R1()), algorithm="ES256")


INVALID = {
    "an id token": id_token,
    "es256 naming an rsa key": other_algorithm_same_key_id,
    "expired": lambda key: token(key, exp=int(time.time()) - 120),
    "wrong audience": lambda key: token(key, aud="someone-else"),
    "wrong issuer": lambda key: token(key, iss="https://evil.example"),
    "tampered signature": tampered,
    "alg none": lambda key: token(None, algorithm="none"),
    "hs256 keyed by the public key": hmac_signed_with_public_key,
    "no expiry": without_expiry,
}


@pytest.mark.parametrize("case", sorted(INVALID))
def test_an_invalid_jwt_is_a_401(keys, api_client, case):
    raw = INVALID[case](keys.new_key("k1"))
    assert_problem(get(api_client, raw), 401, "authentication-failed")
    assert not User.objects.filter(groups__name="Admin").exists()


def test_keycloak_access_tokens_say_what_they_are_in_a_claim(keys, api_client):
    private = keys.new_key("k1")
    assert get(api_client, token(private, header_typ="JWT", typ="Bearer")).status_code == 200


def test_an_older_token_does_not_bring_back_roles_taken_away_since(keys, api_client):
    private = keys.new_key("k1")
    issued = int(time.time())
    older = token(private, iat=issued - 60, groups=["Viewer"])
    assert get(api_client, token(private, iat=issued, groups=[])).status_code == 403
    assert get(api_client, older).status_code == 403
    assert not User.objects.get(oidc_subject="svc-ledger").groups.exists()


def test_a_token_without_a_roles_claim_leaves_the_roles_alone(keys, api_client):
    private = keys.new_key("k1")
    assert get(api_client, token(private, iat=int(time.time()) - 5)).status_code == 200
    without = jwt.decode(token(private), options={"verify_signature": False})
    del without["groups"]
    raw = jwt.encode(without, private, algorithm="RS256", headers={"kid": "k1", "typ": "at+jwt"})
    assert get(api_client, raw).status_code == 200
    assert User.objects.get(oidc_subject="svc-ledger").groups.get().name == "Viewer"


def test_a_rotated_key_is_picked_up_when_a_token_names_it(keys, api_client, settings):
    settings.OIDC_JWKS_REFRESH_COOLDOWN_SECONDS = 0
    old = keys.new_key("k1")
    assert get(api_client, token(old)).status_code == 200
    new = keys.new_key("k2")  # the provider rotates: k2 now signs
    assert get(api_client, token(new, kid="k2")).status_code == 200
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    assert_problem(get(api_client, token(stranger, kid="k3")), 401, "authentication-failed")


def test_unknown_key_ids_refetch_the_keys_at_most_once_per_cooldown(keys, api_client, settings):
    settings.OIDC_JWKS_REFRESH_COOLDOWN_SECONDS = 60
    private = keys.new_key("k1")
    assert get(api_client, token(private)).status_code == 200
    fetches = keys.fetches
    for n in range(5):
        assert get(api_client, token(private, kid=f"made-up-{n}")).status_code == 401
    assert keys.fetches == fetches


def test_a_provider_whose_keys_cannot_be_fetched_is_a_503_not_a_500(keys, api_client, settings):
    private = keys.new_key("k1")
    settings.OIDC_OP_JWKS_ENDPOINT = "http://127.0.0.1:9/jwks"
    assert_problem(get(api_client, token(private)), 503, "identity-provider-unavailable")


def opaque_access_token(provider: str, sub: str, **claims) -> str:
    """An access token as an integration would get one (authorization code flow)."""
    requests.put(f"{provider}/users/{sub}", json=claims, timeout=5).raise_for_status()
    redirect = "http://integration.example/callback"
    answer = requests.post(
        f"{provider}/oauth2/authorize",
        params={"client_id": "fusionops", "redirect_uri": redirect, "response_type": "code",
                "scope": "openid email"},
        data={"sub": sub}, allow_redirects=False, timeout=5,
    )  # fmt: skip
    code = answer.headers["Location"].split("code=")[1].split("&")[0]
    issued = requests.post(
        f"{provider}/oauth2/token",
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": redirect,
              "client_id": "fusionops", "client_secret": "fusionops-secret"},
        timeout=5,
    )  # fmt: skip
    issued.raise_for_status()
    access = issued.json()["access_token"]
    assert access.count(".") != 2  # this provider's access tokens are opaque
    return access


def test_an_opaque_token_is_checked_at_userinfo_and_a_revoked_one_is_a_401(
    provider, api_client, settings
):
    settings.OIDC_USERINFO_CACHE_SECONDS = 0  # every call asks the provider
    raw = opaque_access_token(provider, "svc-billing", groups=["Viewer"])
    assert get(api_client, raw).status_code == 200
    assert User.objects.get(oidc_subject="svc-billing").groups.get().name == "Viewer"
    requests.post(f"{provider}/users/svc-billing/revoke-tokens", timeout=5).raise_for_status()
    assert_problem(get(api_client, raw), 401, "authentication-failed")
    assert_problem(get(api_client, "not-a-token-the-provider-knows"), 401, "authentication-failed")


def test_the_userinfo_answer_is_cached_briefly(provider, api_client):
    from django.core.cache import cache

    from apps.accounts.provider_tokens import token_cache_key

    raw = opaque_access_token(provider, "svc-cache", groups=["Viewer"])
    assert get(api_client, raw).status_code == 200
    requests.post(f"{provider}/users/svc-cache/revoke-tokens", timeout=5).raise_for_status()
    cache.delete(token_cache_key(raw, "user"))  # only the userinfo answer is left
    # Within OIDC_USERINFO_CACHE_SECONDS (60) the earlier answer stands: no call per request.
    assert get(api_client, raw).status_code == 200


def test_the_portals_own_tokens_keep_working_beside_the_providers(provider, client_as):
    assert client_as("Viewer").get(VIEWER_ONLY).status_code == 200


def test_a_provider_jwt_opens_a_websocket(keys):
    from channels.testing import WebsocketCommunicator

    from apps.realtime.routing import websocket_application
    from tests.realtime.conftest import run

    raw = token(keys.new_key("k1"))

    async def scenario():
        socket = WebsocketCommunicator(
            websocket_application(), "/ws/notify/", subprotocols=["fusionops.bearer", raw]
        )
        connected, subprotocol = await socket.connect(timeout=5)
        assert connected and subprotocol == "fusionops.bearer"
        await socket.send_json_to({"action": "subscribe", "topics": ["allocations"]})
        assert (await socket.receive_json_from(timeout=5))["topics"] == ["allocations"]
        await socket.disconnect()

    run(scenario())


def test_an_address_sending_bad_tokens_is_refused_before_anything_is_checked(
    keys, api_client, monkeypatch, one_window
):
    from channels.testing import WebsocketCommunicator
    from rest_framework.throttling import SimpleRateThrottle

    from apps.realtime.routing import websocket_application
    from tests.realtime.conftest import run

    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "auth_failure", "2/min")
    private = keys.new_key("k1")
    for _ in range(2):
        assert_problem(get(api_client, token(private, aud="someone-else")), 401)
    assert_problem(get(api_client, token(private)), 429, "throttled")

    async def scenario():
        # The same budget for websockets, from the same address.
        socket = WebsocketCommunicator(
            websocket_application(),
            "/ws/notify/",
            subprotocols=["fusionops.bearer", token(private)],
        )
        socket.scope["client"] = ("127.0.0.1", 50000)
        await socket.connect(timeout=5)
        return (await socket.receive_output(timeout=5))["code"]

    assert run(scenario()) == 4401
