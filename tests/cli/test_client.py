"""The client's own rules, without a portal: what is retried and how long it waits, how
pages are followed, how checkpoints are read, which status is which exit code."""

import json

import httpx
import pytest
from fusionops_cli.checkpoints import checkpoints_read
from fusionops_cli.client import Client
from fusionops_cli.errors import ApiError, CliError, ExitCode, UsageError, exit_code_for
from fusionops_cli.live import TypeFilter


def client_answering(answers: list, seen: list, **options) -> tuple[Client, list[float]]:
    waits: list[float] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    client = Client(
        "http://portal.test", "fo_token", transport=httpx.MockTransport(handle),
        sleep=waits.append, **options,
    )  # fmt: skip
    return client, waits


def problem(status: int, problem_type: str, **headers) -> httpx.Response:
    return httpx.Response(
        status,
        json={"type": f"urn:fusionops:problem:{problem_type}", "title": "t", "status": status,
              "detail": "d", "request_id": "r"},
        headers={"Content-Type": "application/problem+json", **headers},
    )  # fmt: skip


def test_429_and_503_are_retried_as_retry_after_says():
    seen = []
    client, waits = client_answering(
        [problem(429, "throttled", **{"Retry-After": "2"}), problem(503, "unavailable"),
         httpx.Response(200, json={"results": [], "next": None})],
        seen,
    )  # fmt: skip

    assert client.get("/api/v1/tokens/") == {"results": [], "next": None}
    assert waits == [2.0, 1.0]  # Retry-After, then the backoff
    assert [request.headers["Authorization"] for request in seen] == ["Bearer fo_token"] * 3


def test_a_portal_still_unavailable_after_the_retries_is_exit_code_7():
    seen = []
    client, waits = client_answering([problem(503, "unavailable") for _ in range(4)], seen)

    with pytest.raises(ApiError) as refused:
        client.get("/api/v1/tokens/")

    assert refused.value.exit_code == ExitCode.UNAVAILABLE
    assert len(seen) == 4 and len(waits) == 3


def test_a_retry_after_longer_than_the_client_waits_gives_up_at_once():
    seen = []
    client, waits = client_answering([problem(429, "throttled", **{"Retry-After": "3600"})], seen)

    with pytest.raises(ApiError) as refused:
        client.get("/api/v1/tokens/")

    assert refused.value.exit_code == ExitCode.UNAVAILABLE
    assert waits == []


def test_a_post_without_a_key_is_not_sent_again_after_a_broken_connection():
    seen = []
    client, _ = client_answering([httpx.ReadError("reset")], seen)

    with pytest.raises(CliError) as failed:
        client.post("/api/v1/match/", {"demands": []})

    assert failed.value.exit_code == ExitCode.UNAVAILABLE
    assert "may or may not have been carried out" in failed.value.message
    assert len(seen) == 1


def test_a_post_with_a_key_is_sent_again_with_the_same_key():
    seen = []
    client, _ = client_answering(
        [httpx.ReadError("reset"), httpx.Response(201, json={"id": 1})], seen
    )

    client.post("/api/v1/orders/", {"lines": []}, headers={"Idempotency-Key": "k-1"})

    assert [request.headers["Idempotency-Key"] for request in seen] == ["k-1", "k-1"]


def test_pages_are_followed_on_the_base_url_whatever_host_next_names():
    seen = []
    client, _ = client_answering(
        [httpx.Response(200, json={"results": [1, 2], "next": "http://internal:8000/api/v1/events/?cursor=abc"}),
         httpx.Response(200, json={"results": [3], "next": None})],
        seen,
    )  # fmt: skip

    assert list(client.pages("/api/v1/events/", {"type": "orders.*", "page_size": None})) == [
        1,
        2,
        3,
    ]
    assert [str(request.url) for request in seen] == [
        "http://portal.test/api/v1/events/?type=orders.%2A",
        "http://portal.test/api/v1/events/?cursor=abc",
    ]


@pytest.mark.parametrize(
    ("status", "problem_type", "code"),
    [
        (400, "validation-error", ExitCode.INVALID),
        (401, "not-authenticated", ExitCode.NOT_ALLOWED),
        (403, "permission-denied", ExitCode.NOT_ALLOWED),
        (404, "not-found", ExitCode.NOT_FOUND),
        (409, "allocation-conflict", ExitCode.CONFLICT),
        (413, "request-too-large", ExitCode.INVALID),
        (422, "unprocessable", ExitCode.INVALID),
        (422, "idempotency-key-reused", ExitCode.CONFLICT),
        (429, "throttled", ExitCode.UNAVAILABLE),
        (500, "server-error", ExitCode.UNAVAILABLE),
    ],
)
def test_each_refusal_has_its_exit_code(status, problem_type, code):
    assert exit_code_for(status, {"type": f"urn:fusionops:problem:{problem_type}"}) == code


CHECKPOINT = {"format": 1, "chain": "ab" * 32, "at": "2026-12-01T00:00:00Z", "key_id": "k",
              "signature": "sig"}  # fmt: skip


def test_checkpoints_are_read_from_a_directory_of_files_oldest_first(tmp_path):
    for position in (20, 3):
        (tmp_path / f"checkpoint-{position:020d}.json").write_text(
            json.dumps({**CHECKPOINT, "position": position})
        )
    (tmp_path / "notes.txt").write_text("not a checkpoint")

    assert [c["position"] for c in checkpoints_read(tmp_path)] == [3, 20]


def test_checkpoints_are_read_from_the_checkpoint_lines_of_a_log(tmp_path):
    log = tmp_path / "worker.log"
    log.write_text(
        "\n".join(
            json.dumps(line)
            for line in [
                {"event": "relay.batch", "count": 3},
                {"event": "audit.checkpoint", "level": "info", **CHECKPOINT, "position": 7},
                {**CHECKPOINT, "position": 5},
            ]
        )
        + "\n\n"
    )

    read = checkpoints_read(log)

    assert [c["position"] for c in read] == [5, 7]
    assert set(read[0]) == {"format", "position", "chain", "at", "key_id", "signature"}


def test_a_file_that_is_not_checkpoints_is_a_usage_error(tmp_path):
    log = tmp_path / "worker.log"
    log.write_text("Dec 01 worker started\n")

    with pytest.raises(UsageError, match="line 1 is not JSON"):
        checkpoints_read(log)


def test_the_type_filter_reads_topic_messages_by_the_catalogue_and_audit_ones_by_their_type():
    catalogue = {
        "event_types": [
            {"type": "resources.allocation.created", "message_type": "allocationCreated"},
            {"type": "resources.allocation.cancelled", "message_type": "allocationCancelled"},
            {"type": "orders.order.placed", "message_type": "orderPlaced"},
        ]
    }
    only = TypeFilter.from_catalogue(["resources.allocation.*"], catalogue)

    assert only.passes({"type": "allocationCreated"})
    assert only.passes({"type": "allocationCancelled"})
    assert not only.passes({"type": "orderPlaced"})
    assert only.passes({"type": "auditEvent", "data": {"type": "resources.allocation.created"}})
    assert not only.passes({"type": "auditEvent", "data": {"type": "orders.order.placed"}})
