from apps.platform.problems import PROBLEM_CONTENT_TYPE, problem_type_uri


def assert_problem(response, status: int, problem_type: str | None = None) -> dict:
    """The response is a problem+json document with that status (and type)."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE
    body = response.json()
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]
    assert body["request_id"] == response["X-Request-ID"]
    if problem_type is not None:
        assert body["type"] == problem_type_uri(problem_type)
    return body


def openapi_component(name: str) -> dict:
    """A component schema of the published contract (docs/openapi.yaml) as JSON Schema:
    references inlined, OpenAPI's `nullable` as a null alternative."""
    import yaml
    from django.conf import settings

    components = yaml.safe_load((settings.BASE_DIR / "docs" / "openapi.yaml").read_text())[
        "components"
    ]["schemas"]

    def convert(node):
        if isinstance(node, list):
            return [convert(item) for item in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            return convert(components[node["$ref"].rsplit("/", 1)[1]])
        converted = {k: convert(v) for k, v in node.items() if k not in {"nullable", "readOnly"}}
        return {"anyOf": [converted, {"type": "null"}]} if node.get("nullable") else converted

    return convert(components[name])


def assert_matches_contract(body, component: str) -> None:
    import jsonschema

    jsonschema.validate(body, openapi_component(component))
