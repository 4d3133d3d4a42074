"""The resources API: catalogue CRUD, booking, cancelling, lists, and who may do what."""

from datetime import UTC, datetime, timedelta

import pytest

from apps.eventlog.models import Event
from apps.eventlog.relay import relay_batch
from apps.resources.models import Allocation, Resource
from tests.helpers import assert_problem
from tests.resources.factories import ProjectFactory, ResourceFactory, SkillFactory

pytestmark = pytest.mark.django_db

START = datetime(2027, 4, 5, 10, tzinfo=UTC)


def item(resource, start=START, hours=4):
    return {
        "resource": resource.pk,
        "from": start.isoformat(),
        "to": (start + timedelta(hours=hours)).isoformat(),
    }


def test_book_the_cnc_machine_and_a_crew_of_two(client_as):
    operator = client_as("Operator")
    project = ProjectFactory()
    cnc = ResourceFactory(name="CNC", kind="equipment")
    crew = ResourceFactory.create_batch(2, kind="person")
    response = operator.post(
        "/api/v1/allocate/",
        {"project": project.pk, "items": [item(cnc), *map(item, crew)], "note": "tomorrow"},
        format="json",
    )
    assert response.status_code == 201, response.content
    allocations = response.json()["allocations"]
    assert [a["resource"] for a in allocations] == [cnc.pk, *(c.pk for c in crew)]
    first = allocations[0]
    assert first["from"] == "2027-04-05T10:00:00Z" and first["to"] == "2027-04-05T14:00:00Z"
    assert first["project_code"] == project.code
    assert first["created_by"] == operator.user.username
    assert first["status"] == "booked"


def test_a_conflict_is_a_409_listing_the_bookings_in_the_way(client_as):
    operator = client_as("Operator")
    resource = ResourceFactory()
    project = ProjectFactory()
    first = operator.post(
        "/api/v1/allocate/", {"project": project.pk, "items": [item(resource)]}, format="json"
    ).json()["allocations"][0]
    response = operator.post(
        "/api/v1/allocate/",
        {"project": project.pk, "items": [item(resource, START + timedelta(hours=2))]},
        format="json",
    )
    body = assert_problem(response, 409, "allocation-conflict")
    assert body["conflicts"] == [
        {
            "item": 0,
            "allocation": first["id"],
            "resource": resource.pk,
            "resource_name": resource.name,
            "project": project.pk,
            "from": "2027-04-05T10:00:00Z",
            "to": "2027-04-05T14:00:00Z",
        }
    ]


BACKWARDS = {"from": "2027-04-05T12:00:00Z", "to": "2027-04-05T10:00:00Z"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"items": []}, "items.non_field_errors"),
        ({"items": [{"resource": "{resource}", **BACKWARDS}]}, "items.0.to"),
        ({"items": [{"resource": "{resource}", **BACKWARDS, "from": "soon"}]}, "items.0.from"),
        ({"items": [{"resource": 999999, **BACKWARDS, "from": "2027-04-05T09:00:00Z"}]},
         "items.0.resource"),
        ({"project": 999999}, "project"),
        ({"note": "x" * 2001}, "note"),
    ],
)  # fmt: skip
def test_invalid_bookings_are_a_400_naming_the_field(client_as, change, field):
    resource = ResourceFactory()
    body = {"project": ProjectFactory().pk, "items": [item(resource)], **change}
    for entry in body["items"]:
        if entry["resource"] == "{resource}":
            entry["resource"] = resource.pk
    response = client_as("Operator").post("/api/v1/allocate/", body, format="json")
    problem = assert_problem(response, 400, "validation-error")
    assert field in problem["errors"], problem
    assert not Allocation.objects.exists()


def test_cancel_frees_the_slot_and_answers_the_same_twice(client_as):
    operator = client_as("Operator")
    resource = ResourceFactory()
    project = ProjectFactory()
    booked = operator.post(
        "/api/v1/allocate/", {"project": project.pk, "items": [item(resource)]}, format="json"
    ).json()["allocations"][0]
    url = f"/api/v1/allocations/{booked['id']}/cancel/"
    first = operator.post(url, {"reason": "customer moved it"}, format="json")
    second = operator.post(url, {"reason": "again"}, format="json")
    assert first.status_code == second.status_code == 200
    assert first.json() == second.json()
    assert first.json()["status"] == "cancelled"
    assert first.json()["cancel_reason"] == "customer moved it"
    again = operator.post(
        "/api/v1/allocate/", {"project": project.pk, "items": [item(resource)]}, format="json"
    )
    assert again.status_code == 201
    assert_problem(operator.post("/api/v1/allocations/999999/cancel/", {}, format="json"), 404)


def test_allocation_list_filters(client_as):
    operator = client_as("Operator")
    a, b = ResourceFactory.create_batch(2)
    project, other = ProjectFactory.create_batch(2)
    for resource, proj, start in [
        (a, project, START),
        (a, other, START + timedelta(days=1)),
        (b, project, START + timedelta(days=2)),
    ]:
        operator.post(
            "/api/v1/allocate/",
            {"project": proj.pk, "items": [item(resource, start)]},
            format="json",
        )
    viewer = client_as("Viewer")

    def ids(**params):
        response = viewer.get("/api/v1/allocations/", params)
        assert response.status_code == 200, response.content
        return [(r["resource"], r["project"]) for r in response.json()["results"]]

    assert ids(resource=a.pk) == [(a.pk, other.pk), (a.pk, project.pk)]
    assert ids(project=project.pk) == [(b.pk, project.pk), (a.pk, project.pk)]
    window = {
        "from": (START + timedelta(days=1)).isoformat(),
        "to": (START + timedelta(days=2)).isoformat(),
    }
    assert ids(**window) == [(a.pk, other.pk)]
    assert ids(status="cancelled") == []
    assert_problem(viewer.get("/api/v1/allocations/", {"status": "nope"}), 400)


def test_projects_allocations_in_one_call(client_as, django_assert_max_num_queries):
    operator = client_as("Operator")
    resource = ResourceFactory()
    first, second, empty = ProjectFactory.create_batch(3)
    for project, day in ((first, 0), (first, 1), (second, 2)):
        operator.post(
            "/api/v1/allocate/",
            {"project": project.pk, "items": [item(resource, START + timedelta(days=day))]},
            format="json",
        )
    viewer = client_as("Viewer")
    viewer.get("/api/v1/projects/allocations/", {"ids": str(first.pk)})  # warm the auth cache
    with django_assert_max_num_queries(1):
        response = viewer.get(
            "/api/v1/projects/allocations/", {"ids": f"{first.pk},{second.pk},{empty.pk}"}
        )
    body = response.json()
    assert [len(body[str(p.pk)]) for p in (first, second, empty)] == [2, 1, 0]
    assert_problem(viewer.get("/api/v1/projects/allocations/", {"ids": "1,x"}), 400)
    # Exactly what the schema's pattern says: no spaces, empty parts, zero or over 100 ids.
    for refused in (" 1", "1,,2", "0", ",".join(str(n) for n in range(1, 102))):
        assert_problem(viewer.get("/api/v1/projects/allocations/", {"ids": refused}), 400)


def test_catalogue_crud_is_audited(client_as):
    operator = client_as("Operator")
    welding = operator.post("/api/v1/skills/", {"name": "Welding"}, format="json")
    assert welding.status_code == 201
    created = operator.post(
        "/api/v1/resources/",
        {
            "name": "Crew Anna",
            "kind": "person",
            "hourly_cost": "42.50",
            "skills": [welding.json()["id"]],
            "timezone": "Europe/Berlin",
            "work_days": [5, 1, 2],
            "work_start": "07:00",
            "work_end": "15:30",
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    resource = created.json()
    assert resource["work_days"] == [1, 2, 5] and resource["work_end"] == "15:30"
    url = f"/api/v1/resources/{resource['id']}/"
    changed = operator.patch(url, {"hourly_cost": "45.00", "skills": []}, format="json")
    assert changed.json()["hourly_cost"] == "45.00" and changed.json()["skills"] == []
    event = Event.objects.filter(
        type="resources.resource.updated", aggregate_id=str(resource["id"])
    ).get()
    assert event.payload["changed"] == ["hourly_cost", "skills"]
    assert operator.delete(url).status_code == 204
    assert Event.objects.filter(type="resources.resource.deleted").exists()


def test_catalogue_refuses_bad_values(client_as):
    operator = client_as("Operator")
    SkillFactory(name="Welding")
    taken = operator.post("/api/v1/skills/", {"name": "welding"}, format="json")
    assert assert_problem(taken, 409, "already-exists")["errors"]
    bad = operator.post(
        "/api/v1/resources/",
        {"name": "X", "kind": "person", "hourly_cost": "-1", "timezone": "Mars/Olympus"},
        format="json",
    )
    problem = assert_problem(bad, 400)
    assert {"hourly_cost", "timezone"} <= set(problem["errors"])
    hours = operator.post(
        "/api/v1/resources/",
        {
            "name": "X",
            "kind": "person",
            "hourly_cost": "1",
            "work_start": "17:00",
            "work_end": "08:00",
        },
        format="json",
    )
    assert_problem(hours, 400)


def test_a_booked_resource_cannot_be_deleted_only_deactivated(client_as):
    operator = client_as("Operator")
    resource = ResourceFactory()
    operator.post(
        "/api/v1/allocate/",
        {"project": ProjectFactory().pk, "items": [item(resource)]},
        format="json",
    )
    assert_problem(operator.delete(f"/api/v1/resources/{resource.pk}/"), 409, "in-use")
    assert Resource.objects.filter(pk=resource.pk).exists()
    assert (
        operator.patch(
            f"/api/v1/resources/{resource.pk}/", {"active": False}, format="json"
        ).status_code
        == 200
    )


def book_three_and_cancel_the_first(client_as):
    operator = client_as("Operator")
    project = ProjectFactory()
    resource = ResourceFactory()
    booked = [
        operator.post(
            "/api/v1/allocate/",
            {"project": project.pk, "items": [item(resource, START + timedelta(days=d))]},
            format="json",
        ).json()["allocations"][0]
        for d in range(3)
    ]
    operator.post(f"/api/v1/allocations/{booked[0]['id']}/cancel/", {}, format="json")
    relay_batch()
    return project, booked


def test_history_is_served_from_the_projection_by_cursor(client_as):
    project, booked = book_three_and_cancel_the_first(client_as)
    auditor = client_as("AuditViewer")
    url = f"/api/v1/audit/allocations/{project.pk}/"
    page = auditor.get(url, {"page_size": 3, "count": "true"}).json()
    assert page["count"] == 4
    assert [i["allocation_id"] for i in page["results"]] == [b["id"] for b in booked]
    assert set(page["results"][0]) == {
        "event_id", "allocation_id", "resource_id", "starts_at", "ends_at", "status", "actor",
        "recorded_at",
    }  # fmt: skip
    last = auditor.get(page["next"]).json()
    assert [(i["allocation_id"], i["status"]) for i in last["results"]] == [
        (booked[0]["id"], "cancelled")
    ]
    assert last["next"] is None and last["count"] == 4  # the links keep count=true
    recorded = last["results"][0]["recorded_at"]
    later = auditor.get(url, {"recorded_after": recorded, "count": "true"}).json()
    assert later["count"] == 1
    newest_first = auditor.get(url, {"ordering": "-recorded_at"}).json()["results"]
    assert newest_first[0]["status"] == "cancelled"
    assert_problem(auditor.get(url, {"ordering": "actor"}), 400)
    assert_problem(auditor.get(url, {"count": "yes"}), 400)
    assert_problem(auditor.get("/api/v1/audit/allocations/999999/"), 404)


def test_the_old_history_path_answers_by_page_for_one_release(client_as):
    project, booked = book_three_and_cancel_the_first(client_as)
    auditor = client_as("AuditViewer")
    url = f"/api/v1/audit/allocations/{project.pk}"
    response = auditor.get(url, {"page": 1, "page_size": 3})
    assert response["Deprecation"].startswith("@") and response["Sunset"]
    assert response["Link"] == f'<{url}/?page=1&page_size=3>; rel="successor-version"'
    page = response.json()
    assert (page["page"], page["page_size"], page["total"]) == (1, 3, 4)
    assert [i["allocationId"] for i in page["items"]] == [b["id"] for b in booked]
    assert set(page["items"][0]) == {
        "allocationId",
        "resourceId",
        "from",
        "to",
        "status",
        "recorded",
    }
    last = auditor.get(url, {"page": 2, "page_size": 3}).json()
    assert [(i["allocationId"], i["status"]) for i in last["items"]] == [
        (booked[0]["id"], "cancelled")
    ]
    later = auditor.get(url, {"from": last["items"][0]["recorded"]}).json()
    assert later["total"] == 1
    assert auditor.get(url, {"to": page["items"][0]["recorded"]}).json()["total"] == 0
    assert_problem(auditor.get(url, {"page": 0}), 400)
    assert_problem(auditor.get("/api/v1/audit/allocations/999999"), 404)


ENDPOINTS = [
    # method, url (formatted with ids), roles that may, body
    ("get", "/api/v1/skills/", {"Viewer", "Operator", "Admin"}, None),
    ("post", "/api/v1/skills/", {"Operator", "Admin"}, {"name": "role-{role}"}),
    ("get", "/api/v1/skills/{skill}/", {"Viewer", "Operator", "Admin"}, None),
    ("patch", "/api/v1/skills/{skill}/", {"Operator", "Admin"}, {"description": "x"}),
    ("get", "/api/v1/resources/", {"Viewer", "Operator", "Admin"}, None),
    ("get", "/api/v1/resources/{resource}/", {"Viewer", "Operator", "Admin"}, None),
    ("patch", "/api/v1/resources/{resource}/", {"Operator", "Admin"}, {"name": "R"}),
    (
        "get",
        "/api/v1/resources/availability/?from=2027-04-05T00:00:00Z&to=2027-04-06T00:00:00Z",
        {"Viewer", "Operator", "Admin"},
        None,
    ),
    ("get", "/api/v1/projects/", {"Viewer", "Operator", "Admin"}, None),
    ("post", "/api/v1/projects/", {"Operator", "Admin"}, {"code": "R-{role}", "name": "x"}),
    ("get", "/api/v1/projects/{project}/", {"Viewer", "Operator", "Admin"}, None),
    ("get", "/api/v1/projects/allocations/?ids={project}", {"Viewer", "Operator", "Admin"}, None),
    ("post", "/api/v1/allocate/", {"Operator", "Admin"}, "booking"),
    ("get", "/api/v1/allocations/", {"Viewer", "Operator", "Admin"}, None),
    ("get", "/api/v1/allocations/{allocation}/", {"Viewer", "Operator", "Admin"}, None),
    ("post", "/api/v1/allocations/{allocation}/cancel/", {"Operator", "Admin"}, {}),
    ("post", "/api/v1/match/", {"Viewer", "Operator", "Admin"}, "demand"),
    (
        "get",
        "/api/v1/audit/allocations/{project}/",
        {"Viewer", "Operator", "Admin", "AuditViewer"},
        None,
    ),
    ("delete", "/api/v1/skills/{skill}/", {"Operator", "Admin"}, None),
]
ROLES = ["Viewer", "Operator", "Warehouse", "AuditViewer", "Admin", "Integration"]


def request_body(body, *, role, booking):
    """The body an endpoint of the table gets: a named one, or the table's with the role
    filled in (so that each role creates something of its own)."""
    if body == "booking":
        return booking
    if body == "demand":
        end = START + timedelta(hours=1)
        return {"demands": [{"key": "a", "from": START.isoformat(), "to": end.isoformat()}]}
    if body is None:
        return None
    return {k: v.format(role=role) if isinstance(v, str) else v for k, v in body.items()}


@pytest.mark.parametrize(("method", "url", "allowed", "body"), ENDPOINTS)
def test_who_may_call_each_endpoint(client_as, api_client, method, url, allowed, body):
    for day, role in enumerate([None, *ROLES]):
        project = ProjectFactory()
        booked = ResourceFactory()
        ids = {
            "skill": SkillFactory().pk,
            "resource": ResourceFactory().pk,
            "project": project.pk,
            "allocation": Allocation.objects.create(
                resource=booked, project=project, period=(START, START + timedelta(hours=1))
            ).pk,
        }
        booking = {"project": project.pk, "items": [item(booked, START + timedelta(days=day + 1))]}
        client = api_client if role is None else client_as(role)
        response = getattr(client, method)(
            url.format(**ids), request_body(body, role=role, booking=booking), format="json"
        )
        if role is None:
            assert_problem(response, 401)
        elif role in allowed:
            assert response.status_code < 300, (role, response.content)
        else:
            assert_problem(response, 403)


def test_a_retried_booking_with_an_idempotency_key_books_once(client_as):
    operator = client_as("Operator")
    resource, project = ResourceFactory(), ProjectFactory()
    body = {"project": project.pk, "items": [item(resource)]}
    first = operator.post("/api/v1/allocate/", body, format="json", HTTP_IDEMPOTENCY_KEY="b-1")
    again = operator.post("/api/v1/allocate/", body, format="json", HTTP_IDEMPOTENCY_KEY="b-1")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert Allocation.objects.filter(resource=resource).count() == 1


def test_a_resource_without_a_cost_is_created_at_no_cost(client_as):
    created = client_as("Operator").post(
        "/api/v1/resources/", {"name": "Volunteer", "kind": "person"}, format="json"
    )
    assert created.status_code == 201, created.content
    assert created.json()["hourly_cost"] == "0.00"
