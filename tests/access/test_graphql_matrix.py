"""The role matrix over GraphQL: every root field of the schema is in the table, and each
role (and a caller without credentials) is let through or refused exactly as it says."""

import asyncio

import pytest
from rest_framework.test import APIClient

from apps.graph.schema import schema
from apps.platform import roles
from tests.access.matrix import ANONYMOUS, GRAPHQL_ACCESS
from tests.factories import UserFactory, issue_token
from tests.resources.factories import ProjectFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

T = '"2027-03-01T08:00:00Z"'
U = '"2027-03-01T09:00:00Z"'
LINE = '{item: 999999, location: 999999, quantity: "1"}'
# One document per root field, naming things that exist nowhere: a caller let through gets
# a null, an empty page or a typed problem; one refused gets FORBIDDEN.
DOCUMENTS = {
    ("query", "skills"): "{ skills { totalCount } }",
    ("query", "skill"): "{ skill(id: 999999) { id } }",
    ("query", "resources"): "{ resources { totalCount } }",
    ("query", "resource"): "{ resource(id: 999999) { id } }",
    ("query", "projects"): "{ projects { totalCount } }",
    ("query", "project"): "{ project(id: 999999) { id } }",
    ("query", "allocations"): "{ allocations { totalCount } }",
    ("query", "allocation"): "{ allocation(id: 999999) { id } }",
    ("query", "availability"): f"{{ availability(from: {T}, to: {U}) {{ edges {{ cursor }} }} }}",
    ("query", "items"): "{ items { totalCount } }",
    ("query", "item"): "{ item(id: 999999) { id } }",
    ("query", "locations"): "{ locations { totalCount } }",
    ("query", "location"): "{ location(id: 999999) { id } }",
    ("query", "stockLevels"): "{ stockLevels { totalCount } }",
    ("query", "stockMovements"): "{ stockMovements { totalCount } }",
    ("query", "replenishments"): "{ replenishments { totalCount } }",
    ("query", "orders"): "{ orders { totalCount } }",
    ("query", "order"): "{ order(id: 999999) { id } }",
    ("query", "events"): "{ events(first: 1) { totalCount } }",
    ("query", "event"): '{ event(id: "00000000-0000-4000-8000-000000000000") { id } }',
    ("query", "settings"): "{ settings { totalCount } }",
    ("query", "setting"): '{ setting(key: "no.such.setting") { key } }',
    ("mutation", "book"): (
        f"mutation {{ book(project: 999999, items: [{{resource: 999999, from: {T}, to: {U}}}])"
        " { __typename } }"
    ),
    ("mutation", "cancelBooking"): "mutation { cancelBooking(id: 999999) { __typename } }",
    ("mutation", "match"): (
        f'mutation {{ match(demands: [{{key: "a", from: {T}, to: {U}}}]) {{ __typename }} }}'
    ),
    ("mutation", "receiveStock"): (
        'mutation { receiveStock(item: 999999, location: 999999, quantity: "1") { __typename } }'
    ),
    ("mutation", "issueStock"): (
        'mutation { issueStock(item: 999999, location: 999999, quantity: "1") { __typename } }'
    ),
    ("mutation", "adjustStock"): (
        'mutation { adjustStock(item: 999999, location: 999999, quantity: "1", reason: "count")'
        " { __typename } }"
    ),
    ("mutation", "transferStock"): (
        "mutation { transferStock(item: 999999, source: 999998, destination: 999999,"
        ' quantity: "1") { __typename } }'
    ),
    ("mutation", "reserveStock"): (
        f'mutation {{ reserveStock(lines: [{LINE}], reference: "r") {{ __typename }} }}'
    ),
    ("mutation", "releaseStock"): 'mutation { releaseStock(reference: "r") { __typename } }',
    ("mutation", "placeOrder"): (
        f'mutation {{ placeOrder(customerReference: "c", lines: [{LINE}], idempotencyKey: "k")'
        " { __typename } }"
    ),
    ("mutation", "cancelOrder"): "mutation { cancelOrder(id: 999999) { __typename } }",
    ("subscription", "allocations"): "subscription { allocations { position } }",
    ("subscription", "project"): "subscription { project(id: PROJECT) { position } }",
    ("subscription", "inventory"): "subscription { inventory { position } }",
    ("subscription", "orders"): "subscription { orders { position } }",
    ("subscription", "myOrders"): "subscription { myOrders { position } }",
    ("subscription", "audit"): "subscription { audit { position } }",
}


def root_fields() -> set[tuple[str, str]]:
    graphql_schema = schema._schema
    kinds = {
        "query": graphql_schema.query_type,
        "mutation": graphql_schema.mutation_type,
        "subscription": graphql_schema.subscription_type,
    }
    return {(kind, name) for kind, type_ in kinds.items() for name in type_.fields}


def test_every_root_field_is_in_the_table_with_a_document_and_nothing_else():
    assert set(GRAPHQL_ACCESS) == root_fields() == set(DOCUMENTS)


def codes(errors) -> set:
    return {(error.get("extensions") or {}).get("code") for error in errors or []}


def test_each_role_may_query_and_mutate_exactly_what_the_table_allows():
    callers = {}
    for role in roles.ROLES:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_token(UserFactory(roles=[role]))}")
        callers[role] = client
    wrong = []
    for (kind, field), allowed in GRAPHQL_ACCESS.items():
        if kind == "subscription":
            continue
        document = DOCUMENTS[(kind, field)]
        anonymous = APIClient().post("/graphql/", {"query": document}, format="json")
        if anonymous.status_code != 401:
            wrong.append(f"{kind} {field} as {ANONYMOUS}: {anonymous.status_code}")
        for role, client in callers.items():
            answer = client.post("/graphql/", {"query": document}, format="json").json()
            found = codes(answer.get("errors"))
            if role in allowed and (found & {"FORBIDDEN", None} or "data" not in answer):
                wrong.append(f"{kind} {field} as {role}: {answer}, expected through")
            if role not in allowed and "FORBIDDEN" not in found:
                wrong.append(f"{kind} {field} as {role}: {answer}, expected FORBIDDEN")
    assert not wrong, "\n".join(wrong)


async def first_answer(document: str, user):
    """A subscription's refusal, or None when it is let through (it then waits for the
    stream, which has nothing to send)."""

    async def still_allowed():
        return True

    context = {"user": user, "still_allowed": still_allowed}
    started = await schema.subscribe(document, context_value=context)
    if not hasattr(started, "__anext__"):
        return started.errors
    try:
        result = await asyncio.wait_for(anext(started), timeout=0.5)
    except TimeoutError:
        return None
    finally:
        await started.aclose()
    return result.errors


def test_each_role_may_subscribe_to_exactly_what_the_table_allows():
    from asgiref.sync import async_to_sync

    project = ProjectFactory()
    users = {role: UserFactory(roles=[role]) for role in roles.ROLES}
    wrong = []
    for (kind, field), allowed in GRAPHQL_ACCESS.items():
        if kind != "subscription":
            continue
        document = DOCUMENTS[(kind, field)].replace("PROJECT", str(project.pk))
        for role, user in users.items():
            errors = async_to_sync(first_answer)(document, user)
            if (role in allowed) != (errors is None):
                wrong.append(f"subscription {field} as {role}: {errors}")
            elif errors is not None and "FORBIDDEN" not in codes([e.formatted for e in errors]):
                wrong.append(f"subscription {field} as {role}: {errors}, expected FORBIDDEN")
    assert not wrong, "\n".join(wrong)
