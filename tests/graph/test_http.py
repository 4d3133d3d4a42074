"""/graphql/ as a transport: who may call it (as on REST), the limits that refuse an
abusive document before it runs, introspection only where allowed, GraphiQL in
development only, served by the portal itself."""

import re

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from apps.graph.schema import build_schema
from tests.factories import UserFactory
from tests.graph.conftest import error_codes
from tests.helpers import assert_problem
from tests.resources.factories import ProjectFactory

pytestmark = pytest.mark.django_db

QUERY = {"query": "{ projects { totalCount } }"}


def test_without_credentials_the_answer_is_a_401_problem_as_on_rest():
    response = APIClient().post("/graphql/", QUERY, format="json")
    assert_problem(response, 401, "not-authenticated")
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_token_that_is_not_valid_is_a_401_problem():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Bearer fo_forged")
    assert_problem(client.post("/graphql/", QUERY, format="json"), 401)


def test_a_session_must_send_its_csrf_token():
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(UserFactory(roles=["Viewer"]))
    assert_problem(client.post("/graphql/", QUERY, format="json"), 403)


def test_queries_may_come_by_get(graphql_as):
    ProjectFactory()
    response = graphql_as("Viewer").client.get(
        "/graphql/", {"query": "{ projects { totalCount } }"}
    )
    assert response.json() == {"data": {"projects": {"totalCount": 1}}}


def nested(depth: int) -> str:
    # location { parent { parent { ... code } } }: `depth` fields deep.
    inner = "code"
    for _ in range(depth - 2):
        inner = f"parent {{ {inner} }}"
    return f"{{ location(id: 1) {{ {inner} }} }}"


def test_a_query_nested_too_deep_is_refused_before_it_runs(graphql_as):
    graphql = graphql_as("Viewer")
    assert "errors" not in graphql(nested(10))

    answer = graphql(nested(11))

    assert answer.get("data") is None
    assert error_codes(answer) == ["QUERY_TOO_DEEP"]
    assert answer["errors"][0]["extensions"]["maxDepth"] == 10


def test_a_query_that_could_read_too_many_objects_is_refused_with_its_cost(graphql_as):
    answer = graphql_as("Viewer")(
        """{ projects(first: 100) { edges { node {
             allocations(first: 100) { edges { node { resource { name } } } } } } } }"""
    )

    assert answer.get("data") is None
    assert error_codes(answer) == ["QUERY_TOO_COSTLY"]
    extensions = answer["errors"][0]["extensions"]
    assert extensions["cost"] > extensions["maxCost"] == 5000


def test_a_page_size_given_as_a_variable_costs_the_largest_page(graphql_as):
    answer = graphql_as("Viewer")(
        """query($n: Int) { projects(first: $n) { edges { node {
             allocations(first: $n) { edges { node { id } } } } } } }""",
        n=1,
    )
    assert error_codes(answer) == ["QUERY_TOO_COSTLY"]


def test_too_many_aliases_are_refused(graphql_as):
    aliases = " ".join(f"a{n}: projects {{ totalCount }}" for n in range(31))
    answer = graphql_as("Viewer")(f"{{ {aliases} }}")
    assert answer.get("data") is None and answer["errors"]


def test_introspection_is_refused_where_the_setting_does_not_allow_it():
    introspection = "{ __schema { queryType { name } } }"
    assert build_schema(introspection=True).execute_sync(introspection).errors is None
    refused = build_schema(introspection=False).execute_sync(introspection)
    assert refused.errors and "introspection" in refused.errors[0].message.lower()


def test_production_answers_no_introspection_unless_told_to():
    from fusionops.settings import base

    assert base.GRAPHQL_INTROSPECTION is False


def test_graphiql_is_served_in_development_from_the_portal_itself():
    client = APIClient()
    client.force_login(UserFactory(roles=["Viewer"]))
    with override_settings(GRAPHQL_GRAPHIQL=True):
        page = client.get("/graphql/", HTTP_ACCEPT="text/html")
    assert page.status_code == 200
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.content.decode())
    assert any("graphiql.min.js" in source for source in sources)
    assert all(source.startswith("/static/") for source in sources)  # no CDN
    assert "ws://" in page["Content-Security-Policy"]  # the subscriptions socket


def test_graphiql_is_not_served_outside_development():
    client = APIClient()
    client.force_login(UserFactory(roles=["Viewer"]))
    page = client.get("/graphql/", HTTP_ACCEPT="text/html")
    assert b"graphiql" not in page.content.lower()


def test_graphiql_asks_a_signed_out_browser_to_sign_in():
    with override_settings(GRAPHQL_GRAPHIQL=True):
        page = APIClient().get("/graphql/", HTTP_ACCEPT="text/html")
    assert page.status_code == 302 and "login" in page["Location"]


def test_the_published_schema_is_the_schema_the_portal_serves():
    from django.conf import settings
    from strawberry.printer import print_schema

    from apps.graph.schema import schema

    published = (settings.BASE_DIR / "docs" / "schema.graphql").read_text()
    assert published == print_schema(schema), (
        "docs/schema.graphql is stale: run `make graphql-schema` and commit it"
    )
