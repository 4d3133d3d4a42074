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
