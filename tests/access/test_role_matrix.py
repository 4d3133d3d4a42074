"""The role matrix: every endpoint of the API schema, and every websocket topic, answers
each role (and anonymous callers) exactly as the table in `matrix.py` says."""

import re

import pytest
from django.urls import Resolver404, resolve
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from apps.platform import roles
from tests.access.matrix import ANONYMOUS, API_ACCESS
from tests.factories import UserFactory, issue_token

pytestmark = pytest.mark.django_db

IDENTITIES = (ANONYMOUS, *roles.ROLES)
# Path parameters: ids that exist nowhere (whichever form the URL takes). A role that may
# call the endpoint gets past authorization and then a 404 (or a 400 for the empty body);
# one that may not gets 403.
PLACEHOLDERS = ("999999", "00000000-0000-4000-8000-000000000000", "no.such.setting")


def schema_operations() -> list[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return sorted(
        (path, method.upper())
        for path, operations in schema["paths"].items()
        for method in operations
    )


def concrete(path: str) -> str:
    for placeholder in PLACEHOLDERS:
        url = re.sub(r"\{\w+\}", placeholder, path)
        try:
            match = resolve(url)
        except Resolver404:
            continue
        if match.url_name != "api-not-found":  # the API's catch-all is no route of its own
            return url
    raise AssertionError(f"no placeholder fits {path}")


@pytest.fixture(scope="module")
def operations():
    return schema_operations()


def test_every_endpoint_of_the_schema_is_in_the_table_and_nothing_else(operations):
    assert sorted(API_ACCESS) == operations


@pytest.fixture
def callers():
    made = {ANONYMOUS: APIClient()}
    for role in roles.ROLES:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_token(UserFactory(roles=[role]))}")
        made[role] = client
    return made


def test_each_role_may_call_exactly_what_the_table_allows(operations, callers):
    wrong = []
    for path, method in operations:
        allowed = API_ACCESS[(path, method)]
        for identity in IDENTITIES:
            response = callers[identity].generic(
                method, concrete(path), data="{}", content_type="application/json"
            )
            status = response.status_code
            if identity in allowed:
                ok = status not in (401, 403) and status < 500
                expected = "through"
            elif identity == ANONYMOUS:
                ok, expected = status == 401, "401"
            else:
                ok, expected = status == 403, "403"
            if not ok:
                wrong.append(f"{method} {path} as {identity}: {status}, expected {expected}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_each_role_may_follow_exactly_the_topics_the_table_allows():
    from tests.access.matrix import TOPIC_ACCESS
    from tests.realtime.conftest import open_socket, run, session_cookie, subscribe
    from tests.resources.factories import ProjectFactory

    project = ProjectFactory()
    names = {topic: topic.replace("<id>", str(project.pk)) for topic in TOPIC_ACCESS}
    cookies = {role: session_cookie(UserFactory(roles=[role])) for role in roles.ROLES}

    async def scenario():
        anonymous = await open_socket()
        assert (await anonymous.receive_output(timeout=5))["code"] == 4401
        wrong = []
        for role, cookie in cookies.items():
            socket = await open_socket(cookie=cookie)
            answer = await subscribe(socket, list(names.values()))
            joined = set(answer[-1]["topics"])
            refused = {m["topic"] for m in answer if m.get("code") == "forbidden-topic"}
            for topic, name in names.items():
                allowed = role in TOPIC_ACCESS[topic]
                if (name in joined) != allowed or (name in refused) == allowed:
                    wrong.append(f"{topic} as {role}: joined={name in joined}")
            await socket.disconnect()
        return wrong

    wrong = run(scenario())
    assert not wrong, "\n".join(wrong)


def test_every_admin_action_requires_the_permission_its_api_needs():
    """Admin actions change state like the API's writes: each names the permission it
    needs (Django then hides and refuses it for everyone else)."""
    from django.contrib import admin

    missing = [
        f"{model._meta.label}: {name}"
        for model, model_admin in admin.site._registry.items()
        for action, name, _description in model_admin._get_base_actions()
        if not getattr(action, "allowed_permissions", None)
    ]
    assert not missing
