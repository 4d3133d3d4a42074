"""What the portal refuses comes back as problem+json on stderr and one exit code per kind
of refusal; --json puts the problem on stdout too."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.cli.conftest import Fusionops
from tests.factories import UserFactory, issue_token
from tests.processes import free_port
from tests.resources.factories import ProjectFactory, ResourceFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_401_404_and_400_have_exit_codes_3_4_and_6(fusionops):
    operator = issue_token(UserFactory(roles=["Operator"]))
    start = timezone.now() + timedelta(days=1)
    backwards = (
        "book", "--resource", ResourceFactory().pk, "--project", ProjectFactory().pk,
        "--start", start.isoformat(), "--end", (start - timedelta(hours=1)).isoformat(),
    )  # fmt: skip

    unauthenticated = fusionops.run("orders", "show", 1, token="fo_forged")
    missing = fusionops.run("orders", "show", 999_999_999, token=operator)
    invalid = fusionops.run(*backwards, token=operator)
    invalid_json = fusionops.run("--json", *backwards, token=operator)

    assert unauthenticated.exit_code == 3
    assert "(401)" in unauthenticated.stderr
    assert missing.exit_code == 4
    assert "(404)" in missing.stderr
    assert invalid.exit_code == 6
    assert "invalid fields" in invalid.stderr
    assert "  items." in invalid.stderr or "  to:" in invalid.stderr  # the field's own message
    problem = json.loads(invalid_json.stdout)
    assert (invalid_json.exit_code, problem["status"]) == (6, 400)
    assert problem["type"] == "urn:fusionops:problem:validation-error"
    assert problem["errors"]


def test_without_a_token_nothing_is_sent_and_the_exit_code_is_3(fusionops):
    result = fusionops.run("dlq", "list")

    assert result.exit_code == 3
    assert "Not signed in" in result.stderr


def test_a_role_that_may_not_book_gets_exit_code_3(fusionops):
    viewer = issue_token(UserFactory(roles=["Viewer"]))
    start = timezone.now() + timedelta(days=1)

    result = fusionops.run(
        "book", "--resource", ResourceFactory().pk, "--project", ProjectFactory().pk,
        "--start", start.isoformat(), "--end", (start + timedelta(hours=1)).isoformat(),
        token=viewer,
    )  # fmt: skip

    assert result.exit_code == 3
    assert "(403)" in result.stderr


def test_a_portal_that_cannot_be_reached_is_exit_code_7(tmp_path):
    cli = Fusionops(tmp_path, url=f"http://127.0.0.1:{free_port()}")

    result = cli.run("orders", "show", 1, token="fo_anything")

    assert result.exit_code == 7
    assert "unavailable" in result.stderr


def test_a_time_that_is_not_one_is_a_usage_error(tmp_path):
    cli = Fusionops(tmp_path, url="http://127.0.0.1:9")

    result = cli.run(
        "book", "--resource", 1, "--project", 1, "--start", "tomorrow", "--end", "later",
        token="fo_anything",
    )  # fmt: skip

    assert result.exit_code == 2
    assert "is not a time" in result.stderr
