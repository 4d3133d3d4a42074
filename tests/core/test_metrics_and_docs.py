"""Prometheus metrics (each process's own port, never the public one); OpenAPI 3 at
/api/schema/ and Swagger UI served offline."""

import re

import pytest
import yaml
from django.conf import settings
from prometheus_client import REGISTRY, generate_latest

from tests.factories import SystemSettingFactory

pytestmark = pytest.mark.django_db


def test_metrics_expose_request_latency_database_and_cache_figures(client_as):
    SystemSettingFactory()
    client_as("Viewer").get("/api/v1/settings/")  # touches the database and the cache
    body = generate_latest(REGISTRY).decode()
    assert "fusionops_django_http_requests_total_by_method_total" in body
    assert "fusionops_django_http_requests_latency_seconds_by_view_method_bucket" in body
    assert re.search(
        r'fusionops_django_db_execute_total\{alias="default",vendor="postgresql"\}', body
    )
    assert "fusionops_django_cache_get_total" in body


def test_metrics_are_not_served_on_the_public_port(client):
    assert client.get("/metrics").status_code == 404


def test_every_metric_of_the_portal_carries_its_prefix():
    names = {metric.name for metric in REGISTRY.collect()}
    ours = {name for name in names if not name.startswith(("python_", "process_"))}
    assert ours and all(name.startswith("fusionops_") for name in ours), sorted(ours)


def test_schema_is_openapi_3_and_lists_the_settings_endpoints(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/settings/" in schema["paths"]
    assert set(schema["paths"]["/api/v1/settings/{key}/"]) >= {"get", "put", "delete"}


def test_swagger_ui_is_served_from_the_portal_without_a_cdn(client):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert not re.search(r"(src|href)=\"https?://", html), "docs must not load from a CDN"
    assets = re.findall(r"(?:src|href)=\"(/static/[^\"]+)\"", html)
    # Named as collected: hashed (swagger-ui-bundle.1a2b3c.js) under the manifest storage.
    assert any(re.search(r"/swagger-ui-bundle(\.\w+)?\.js$", asset) for asset in assets)
    # The init script comes from a URL, not inline, so the CSP needs no 'unsafe-inline'.
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()
    assert "/api/schema/" in script.content.decode()


def test_schema_describes_bearer_authentication(client):
    schema = yaml.safe_load(client.get("/api/schema/").content)
    assert schema["components"]["securitySchemes"]["bearerToken"]["scheme"] == "bearer"


def test_the_published_contract_is_the_schema_the_portal_serves(client):
    published = (settings.BASE_DIR / "docs" / "openapi.yaml").read_text()
    served = client.get("/api/schema/").content.decode()
    assert yaml.safe_load(published) == yaml.safe_load(served), (
        "docs/openapi.yaml is stale: run `make openapi` and commit it"
    )
