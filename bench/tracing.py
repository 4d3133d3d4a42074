"""`make bench-tracing`: what tracing costs the booking API.

Three gunicorns (4 sync workers each, production settings) over one database: one traces
every request, one a tenth of them (OTEL_TRACES_SAMPLER=parentbased_traceidratio, 0.1),
both exporting over OTLP/HTTP to a sink in this process that receives and counts the
spans, as a collector would; the third does not trace. wrk drives POST /api/v1/allocate/
(8 connections, bookings that never collide) against each in turn, rounds alternating so
that drift of this shared machine hits all alike. Figures: requests/s and latency of each
(medians over rounds), each traced one's ratio to the untraced (the median of the
per-round ratios), and the spans each sink received per request.
"""

import os
import signal
import statistics
import subprocess
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from bench.run import ENV, PYTHON, ROOT, free_port, fresh_database, wait_ready

DURATION = os.environ.get("BENCH_DURATION", "6s")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
RESOURCES = 100
FAR_FUTURE = datetime(2031, 1, 6, tzinfo=UTC)
DATABASE_URL = os.environ.get(
    "BENCH_TRACING_DATABASE_URL", "postgres://root@127.0.0.1:5432/fusionops_bench_tracing"
)


class Sink:
    """An OTLP/HTTP receiver that keeps the bodies; they are decoded after the run."""

    def __init__(self):
        self.bodies: list[bytes] = []
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                sink.bodies.append(self.rfile.read(int(self.headers["Content-Length"])))
                self.send_response(200)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def spans(self) -> int:
        from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
            ExportTraceServiceRequest,
        )

        return sum(
            len(scope.spans)
            for body in self.bodies
            for resource in ExportTraceServiceRequest.FromString(body).resource_spans
            for scope in resource.scope_spans
        )


def gunicorn(port: int, env: dict, log: Path) -> subprocess.Popen:
    with log.open("w") as out:
        return subprocess.Popen(
            [str(Path(PYTHON).parent / "gunicorn"), "fusionops.wsgi", "--config",
             "deploy/gunicorn.conf.py"],
            cwd=ROOT,
            env={**env, "HOST": "127.0.0.1", "PORT": str(port), "WEB_CONCURRENCY": "4",
                 "METRICS_PORT": str(free_port())},
            stdout=out, stderr=out, start_new_session=True,
        )  # fmt: skip


def main() -> None:
    env = {**ENV, "DATABASE_URL": DATABASE_URL}
    fresh_database(env)
    os.environ.update(env)
    import django

    django.setup()
    from apps.resources.models import Project, Resource
    from bench.resources import operator_token, wrk

    resources = Resource.objects.bulk_create(
        [
            Resource(name=f"traced-{n:03d}", kind="equipment", hourly_cost=10)
            for n in range(RESOURCES)
        ]
    )
    ids = sorted(resource.pk for resource in resources)
    project = Project.objects.create(code="BENCH-TRACE", name="bench")
    token = operator_token()

    sinks = {"traced": Sink(), "sampled_10pct": Sink()}
    logs = ROOT / "var" / "bench"
    logs.mkdir(parents=True, exist_ok=True)
    variants = {
        "untraced": env,
        "traced": {**env, "OTEL_EXPORTER_OTLP_ENDPOINT": sinks["traced"].url},
        "sampled_10pct": {**env, "OTEL_EXPORTER_OTLP_ENDPOINT": sinks["sampled_10pct"].url,
                          "OTEL_TRACES_SAMPLER": "parentbased_traceidratio",
                          "OTEL_TRACES_SAMPLER_ARG": "0.1"},
    }  # fmt: skip
    ports = {name: free_port() for name in variants}
    servers = {
        name: gunicorn(ports[name], variant_env, logs / f"gunicorn-{name}.log")
        for name, variant_env in variants.items()
    }
    booking = {
        "BENCH_TOKEN": token,
        "BENCH_FIRST_RESOURCE": str(ids[0]),
        "BENCH_RESOURCES": str(RESOURCES),
        "BENCH_PROJECT": str(project.pk),
        "BENCH_THREADS": "2",
    }
    windows = iter(range(1000))

    def book(name: str) -> dict:
        # A stretch of time of its own per run, so bookings never collide.
        epoch = int((FAR_FUTURE + timedelta(days=60 * next(windows))).timestamp())
        return wrk(
            f"http://127.0.0.1:{ports[name]}/api/v1/allocate/",
            "bench/allocate.lua",
            {**booking, "BENCH_BASE_EPOCH": str(epoch)},
        )

    try:
        for name, port in ports.items():
            wait_ready(f"http://127.0.0.1:{port}")
            book(name)  # warm up every worker
        time.sleep(6)  # the warm-up's spans leave within the exporter's 5 s schedule
        for sink in sinks.values():
            sink.bodies.clear()
        rounds = [{name: book(name) for name in ports} for _ in range(ROUNDS)]
    finally:
        for server in servers.values():
            os.killpg(server.pid, signal.SIGTERM)
        for server in servers.values():
            server.wait(timeout=30)  # gunicorn's workers flush their spans as they exit
        for sink in sinks.values():
            sink.server.shutdown()

    median = statistics.median
    print(f"# {ROUNDS} rounds of {DURATION} per server, POST /api/v1/allocate/, 8 connections")
    for name in ports:
        runs = [round_[name] for round_ in rounds]
        print(f"# tracing.{name} requests/s by round: " + " ".join(f"{r['rps']:.0f}" for r in runs))
        print(f"tracing.{name}.per_s {median(r['rps'] for r in runs):.0f}")
        for quantile in ("p50", "p95"):
            print(f"tracing.{name}.{quantile}_ms {median(r[f'{quantile}_ms'] for r in runs):.2f}")
        print(f"tracing.{name}.errors {sum(r['errors'] for r in runs)}")
    for name in ("traced", "sampled_10pct"):
        ratio = median(r[name]["rps"] / r["untraced"]["rps"] for r in rounds)
        print(f"tracing.{name}.ratio_to_untraced {ratio:.2f} (overhead {(1 - ratio) * 100:.0f}%)")
    for name, sink in sinks.items():
        requests = sum(r[name]["requests"] for r in rounds)
        print(f"tracing.{name}.spans_per_request {sink.spans() / requests:.2f}")


if __name__ == "__main__":
    main()
