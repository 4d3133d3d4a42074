import pytest
from oidc_provider_mock import run_server_in_thread

from apps.accounts.provider import forget_provider_metadata


@pytest.fixture
def provider(settings, monkeypatch):
    """A running OpenID provider (oidc-provider-mock), and the portal configured for it
    through discovery."""
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")
    with run_server_in_thread() as server:
        url = f"http://127.0.0.1:{server.server_port}"
        settings.OIDC_RP_CLIENT_ID = "fusionops"
        settings.OIDC_RP_CLIENT_SECRET = "fusionops-secret"
        settings.OIDC_OP_DISCOVERY_URL = f"{url}/.well-known/openid-configuration"
        forget_provider_metadata()
        yield url
    forget_provider_metadata()
