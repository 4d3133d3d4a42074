"""GraphQL over the portal's HTTP endpoint, as a front end calls it."""

import pytest


class GraphQL:
    """graphql(query, **variables) → the response's JSON, for one caller (an APIClient)."""

    def __init__(self, client):
        self.client = client
        self.user = getattr(client, "user", None)

    def __call__(self, query: str, **variables) -> dict:
        response = self.client.post(
            "/graphql/", {"query": query, "variables": variables}, format="json"
        )
        assert response.status_code == 200, response.content
        return response.json()

    def data(self, query: str, **variables) -> dict:
        """The data of an answer that must have no errors."""
        answer = self(query, **variables)
        assert "errors" not in answer, answer["errors"]
        return answer["data"]


@pytest.fixture
def graphql_as(client_as):
    """graphql_as("Operator") → a GraphQL caller with a token of a new user in that role."""
    return lambda *roles: GraphQL(client_as(*roles))


def error_codes(answer: dict) -> list[str]:
    return [error.get("extensions", {}).get("code") for error in answer.get("errors", [])]
