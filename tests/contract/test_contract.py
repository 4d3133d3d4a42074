"""The API keeps its published contract: Schemathesis generates requests from the schema
the portal serves (every check, the stateful phase on) against a portal running the
production settings, once per role's token, with a fixed seed and a random one.

`make test-contract` runs it (and .ci/run); zero failures is the bar. Each run's report is
left in var/contract/<role>-<seed>/ (junit.xml, and the failing cases as a pytest file);
`--contract-seed=N` replays a run's random seed.
"""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest
from django.conf import settings

from apps.platform.roles import ADMIN, AUDIT_VIEWER, INTEGRATION, OPERATOR, VIEWER, WAREHOUSE
from tests.contract.seed import seed_portal_data
from tests.factories import UserFactory, issue_token
from tests.processes import Portal

pytestmark = [
    pytest.mark.contract,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

ROLES = (ADMIN, OPERATOR, WAREHOUSE, AUDIT_VIEWER, VIEWER, INTEGRATION)
FIXED_SEED = 20261202
PHASES = "examples,coverage,fuzzing,stateful"
REPORTS = Path(settings.BASE_DIR) / "var" / "contract"

# What is not fuzzed, and why (everything else is).
EXCLUDED_OPERATIONS = {
    # The fuzzer would revoke the very token it authenticates with (it may list it), and
    # every later request would be a 401. Revocation is tested in tests/accounts.
    "POST /api/v1/tokens/{id}/revoke/": "revokes the suite's own token",
}
# Refusals of requests the schema allows, where the rule is not one a schema can state:
# (operations, fields, what the portal says) → why. A schema-valid request refused for
# anything else is a failure.
REFERENCES = (
    "a reference to a row (by id; a skill by name): which rows exist, and are active, is the "
    "data's state"
)
KNOWN_REFUSALS: list[tuple[str, str, str, str]] = [
    (r".*", r"(.+\.)?(item|location|source|destination|parent|project|resources?|skills?|user)",
     r"There is no|does not exist|is not active|not found|Unknown skills", REFERENCES),
    (r".*", r"code|sku|name|key", r"already exists",
     "another row holds the value (alone, a 409; here beside another field's refusal)"),
    (r"GET .*", r"cursor", r"Not a cursor",
     "a cursor is opaque: only those a list hands out (next, previous) are valid"),
    (r".* /api/v1/webhooks/endpoints/.*", r"url", r"does not resolve|private|public",
     "the URL's host must resolve, to a public address: a fact of the network"),
    (r".* /api/v1/webhooks/endpoints/.*", r"event_types", r"match no public event type",
     "a pattern must match an event type of the running portal's catalogue"),
    (r"GET /api/v1/resources/availability/", r"to", r"after the start|days",
     "the window ends after it starts, within 31 days: a relation between two parameters"),
    (r"POST /api/v1/(allocate|match)/", r"(items|demands)\.\d+\.to", r"after",
     "each window ends after it starts: a relation between two fields"),
    (r"POST /api/v1/stock/transfer/", r"destination", r"another location",
     "the destination differs from the source: a relation between two fields"),
    (r"POST /api/v1/events/", r"type", r"the portal's own",
     "the namespaces of the portal's own events are those its apps declare"),
    (r"POST /api/v1/events/", r"occurred_at", r"5 minutes from now",
     "no event occurs more than 5 minutes after the portal's clock"),
    (r".* /api/v1/locations/.*", r"non_field_errors|parent|kind",
     r"bins_have_a_parent|A bin lies in a warehouse|holds bins is a warehouse",
     "a bin lies in a warehouse and a warehouse in nothing: a relation of kind and parent"),
    (r".* /api/v1/resources/.*", r"non_field_errors", r"work_hours_order",
     "work ends after it starts (or at midnight): a relation between two fields"),
]  # fmt: skip
# Problems that answer a schema-valid request for a reason of its own.
KNOWN_PROBLEM_TYPES = {
    "idempotency-key-reused": "the fuzzer sends one Idempotency-Key with different bodies, "
    "which the portal refuses (422) as it must",
}


@pytest.fixture
def production_portal():
    """gunicorn, uvicorn and a worker with the production settings (over plain HTTP on
    127.0.0.1, which is all that differs), the test database's runtime role, and rates a
    fuzzer's burst stays under."""
    started = Portal(
        DJANGO_SETTINGS_MODULE="fusionops.settings.production",
        # Tokens are keyed by it: the portal must check those the test issues.
        SECRET_KEY=settings.SECRET_KEY,
        SECURE_SSL_REDIRECT="false",
        AUDIT_SIGNING_KEYS=json.dumps(settings.AUDIT_SIGNING_KEYS),
        AUDIT_SIGNING_KEY_ID=settings.AUDIT_SIGNING_KEY_ID,
        API_THROTTLE_USER="1000000/min",
        API_THROTTLE_ANON="1000000/min",
        API_THROTTLE_AUTH_FAILURES="1000000/min",
        EVENTS_INGEST_RATE="1000000/min",
        CACHE_KEY_PREFIX=f"fusionops-contract-{os.getpid()}",
        LOG_LEVEL="ERROR",
    )
    yield started
    started.stop()


def schemathesis(
    portal: Portal, token: str, seed: int, report: Path, max_examples: int
) -> subprocess.CompletedProcess:
    command = [
        os.path.join(os.path.dirname(sys.executable), "st"), "run", f"{portal.url}/api/schema/",
        "--checks", "all",
        # The coverage phase enumerates each parameter's edge values, the same for every
        # seed: the fixed seed's run covers them, the random seed's goes on generating.
        "--phases", PHASES if seed == FIXED_SEED else PHASES.replace(",coverage", ""),
        "--max-examples", str(max_examples),
        "--seed", str(seed),
        "--header", f"Authorization: Bearer {token}",
        "--workers", "2",
        "--request-timeout", "30",
        "--continue-on-failure",
        "--generation-database", "none",
        # PostgreSQL cannot store U+0000, so the portal refuses it anywhere in a request
        # (a 400, README: The API in brief); the schema's strings do not repeat that.
        "--generation-allow-x00", "false",
        "--suppress-health-check", "too_slow,filter_too_much",
        "--report", "junit,pytest",
        "--report-dir", str(report),
        "--report-junit-path", str(report / "junit.xml"),
        "--no-color",
        "--output-truncate", "false",
    ]  # fmt: skip
    for operation in EXCLUDED_OPERATIONS:
        _method, path = operation.split(" ", 1)  # each excluded path has one operation
        command += ["--exclude-path", path]
    return subprocess.run(command, capture_output=True, text=True, timeout=1200, check=False)


def failures_of(junit: Path) -> dict[str, str]:
    """Operation → its failures' text (every check that failed, with the reproduction),
    from Schemathesis's JUnit report."""
    found = {}
    report = ElementTree.parse(junit)  # noqa: S314  written by Schemathesis just now
    for case in report.getroot().iter("testcase"):
        for failure in [*case.iter("failure"), *case.iter("error")]:
            text = (failure.text or failure.get("message") or "").strip()
            found[case.get("name")] = f"{found.get(case.get('name'), '')}\n{text}".strip()
    return found


CASE = re.compile(r"^\d+\. Test Case ID", re.MULTILINE)
URI_TOO_LONG = "[414] URI Too Long"
ERRORS = re.compile(r'"errors": (\{.*?\})\}`', re.DOTALL)
CURL = re.compile(r"curl -X (\w+) .*?https?://[^/\s]+(/[^?'\s]*)")
PROBLEM = re.compile(r'"type": "urn:fusionops:problem:([a-z0-9-]+)"')


def known_refusal(operation: str, case: str) -> bool:
    if operation == "Stateful tests":  # a step of a sequence: its request says which
        request = CURL.search(case)
        operation = f"{request.group(1)} {request.group(2)}" if request else operation
    problem = PROBLEM.search(case)
    if problem and problem.group(1) in KNOWN_PROBLEM_TYPES:
        return True
    named = ERRORS.search(case)
    if not named:
        return False
    errors = json.loads(named.group(1))
    return bool(errors) and all(
        any(
            re.fullmatch(operations, operation)
            and re.fullmatch(fields, field)
            and all(re.search(says, message) for message in messages)
            for operations, fields, says, _why in KNOWN_REFUSALS
        )
        for field, messages in errors.items()
    )


def unexpected_cases(operation: str, text: str) -> list[str]:
    """The cases of `text` that are not a known refusal of `operation`."""
    unexpected = []
    for case in (case.strip() for case in CASE.split(text)):
        if not case:
            continue
        checks = set(re.findall(r"- (ST\d+)", case)) or {"error"}
        if checks == {"ST202"} and known_refusal(operation, case):
            continue
        # A request line over gunicorn's limit_request_line (8,190 bytes) is refused before
        # the portal sees it (README: The API in brief): a refusal, as the check wants,
        # with a status the check does not list.
        if checks == {"ST201"} and URI_TOO_LONG in case:
            continue
        unexpected.append(case)
    return unexpected


@pytest.mark.parametrize("role", ROLES)
def test_the_api_keeps_its_contract_for_each_role(production_portal, role, pytestconfig):
    # A fixed seed, and a new one each run (printed in the report header).
    seeds = (FIXED_SEED, pytestconfig.option.contract_seed)
    max_examples = pytestconfig.option.contract_max_examples
    seed_portal_data()
    token = issue_token(UserFactory(roles=[role], username=f"contract-{role.lower()}"))
    unexpected = []
    for seed in seeds:
        report = REPORTS / f"{role}-{seed}"
        shutil.rmtree(report, ignore_errors=True)
        finished = schemathesis(production_portal, token, seed, report, max_examples)
        junit = report / "junit.xml"
        assert junit.exists(), f"no report (exit {finished.returncode}):\n{finished.stdout[-5000:]}"
        failures = failures_of(junit)
        for operation, text in sorted(failures.items()):
            unexpected += [
                f"seed {seed}: {operation}\n{case}" for case in unexpected_cases(operation, text)
            ]
        if not failures:
            assert finished.returncode == 0, finished.stdout[-5000:]
    listed = "\n\n".join(unexpected)
    assert not unexpected, f"{len(unexpected)} contract failure(s) as {role}:\n\n{listed}"
