"""The schema says what the answers hold: a field whose column may be null is nullable
in every serializer the API answers with."""

import pytest
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.urls import get_resolver
from rest_framework import serializers

from tests.helpers import assert_matches_contract


def api_serializers():
    found = set()

    def walk(patterns):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                walk(pattern.url_patterns)
                continue
            view = getattr(pattern.callback, "cls", None)
            serializer = getattr(view, "serializer_class", None)
            if serializer is not None:
                found.add(serializer)

    walk(get_resolver().url_patterns)
    return found


def nullable_columns_not_said_nullable(serializer_class) -> list[str]:
    serializer = serializer_class()
    model = getattr(getattr(serializer_class, "Meta", None), "model", None)
    if model is None:
        return []
    wrong = []
    for name, field in serializer.fields.items():
        if isinstance(field, serializers.SerializerMethodField) or field.source == "*":
            continue
        try:
            column = model._meta.get_field(field.source.split(".")[0])
        except FieldDoesNotExist:  # a property or an annotation, not a column
            continue
        if isinstance(column, models.Field) and column.null and not field.allow_null:
            wrong.append(f"{serializer_class.__name__}.{name}")
    return wrong


def test_every_nullable_column_is_nullable_in_the_schema():
    serializers_found = api_serializers()
    assert len(serializers_found) > 10
    wrong = [w for s in serializers_found for w in nullable_columns_not_said_nullable(s)]
    assert not wrong, wrong


@pytest.mark.django_db
def test_a_live_bookings_cancellation_time_is_null_and_the_schema_says_so(client_as):
    import yaml
    from django.conf import settings

    from tests.resources.factories import ProjectFactory, ResourceFactory

    schema = yaml.safe_load((settings.BASE_DIR / "docs" / "openapi.yaml").read_text())
    assert schema["components"]["schemas"]["Allocation"]["properties"]["cancelled_at"]["nullable"]
    booked = client_as("Operator").post(
        "/api/v1/allocate/",
        {"project": ProjectFactory().pk, "items": [{"resource": ResourceFactory().pk,
         "from": "2027-04-06T10:00:00Z", "to": "2027-04-06T11:00:00Z"}]},
        format="json",
    )  # fmt: skip
    assert booked.json()["allocations"][0]["cancelled_at"] is None


def published_schema() -> dict:
    import yaml
    from django.conf import settings

    return yaml.safe_load((settings.BASE_DIR / "docs" / "openapi.yaml").read_text())


def test_every_operation_documents_the_problems_it_can_answer():
    schema = published_schema()
    operations = [
        (path, method, operation)
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]
    assert len(operations) > 50
    for path, method, operation in operations:
        responses = operation["responses"]
        assert "429" in responses, (path, method)
        if operation.get("requestBody"):
            assert {"400", "413", "415"} <= set(responses), (path, method)
        if operation.get("security") and {} not in operation["security"]:
            assert {"401", "403"} <= set(responses), (path, method)
        if "{" in path:
            assert "404" in responses, (path, method)
        assert {"$ref": "#/components/parameters/RequestId"} in operation["parameters"]


@pytest.mark.django_db
def test_real_problems_match_the_published_problem_schema(api_client, client_as):
    answers = [
        api_client.get("/api/v1/resources/"),  # 401
        client_as("Warehouse").get("/api/v1/allocations/"),  # 403
        client_as("Operator").post("/api/v1/allocate/", {"items": "x"}, format="json"),  # 400
        client_as("Operator").get("/api/v1/resources/999999/"),  # 404
    ]
    assert [a.status_code for a in answers] == [401, 403, 400, 404]
    for answer in answers:
        assert_matches_contract(answer.json(), "Problem")
