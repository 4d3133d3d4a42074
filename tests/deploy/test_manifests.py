"""The Kubernetes manifests as a cluster would take them: every overlay renders, every
object validates strictly against the Kubernetes schemas (custom resources against their
operators' published ones), the policy check passes, and the objects say what the
deployment promises (hardened pods, probes, canary, autoscaling, network policy)."""

import json
import subprocess
from functools import cache

import pytest
import yaml
from django.conf import settings

ROOT = settings.BASE_DIR
TOOLS = ROOT / ".venv-deploy" / "bin"
CHECKOV = ROOT / ".venv-checkov" / "bin" / "checkov"
OVERLAYS = ["dev", "production"]
WORKLOADS = {"Deployment", "Job", "Rollout"}
VALIDATE_CUSTOM_RESOURCES = ROOT / "deploy" / "tools" / "validate-custom-resources.mjs"


def run(*command, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(part) for part in command],
        cwd=ROOT, input=stdin, capture_output=True, text=True, timeout=300,
    )  # fmt: skip


@cache
def rendered(overlay: str) -> str:
    result = run(TOOLS / "kubectl", "kustomize", ROOT / "deploy" / "k8s" / "overlays" / overlay)
    assert result.returncode == 0, result.stderr
    return result.stdout


def objects(overlay: str) -> list[dict]:
    return [item for item in yaml.safe_load_all(rendered(overlay)) if item]


def one(overlay: str, kind: str, name: str) -> dict:
    (found,) = [o for o in objects(overlay) if o["kind"] == kind and o["metadata"]["name"] == name]
    return found


def pod_spec(workload: dict) -> dict:
    return workload["spec"]["template"]["spec"]


@pytest.fixture(params=OVERLAYS)
def overlay(request, tmp_path) -> str:
    return request.param


def test_every_object_validates_strictly_against_the_kubernetes_schemas(overlay, tmp_path):
    manifest = tmp_path / f"{overlay}.yaml"
    manifest.write_text(rendered(overlay))
    result = run(TOOLS / "kubernetes-validate", "--strict", "--quiet", "--no-warn", manifest)
    assert result.returncode == 0, result.stdout + result.stderr


def test_custom_resources_validate_against_their_published_schemas(overlay):
    result = run(
        "node", ROOT / "deploy/tools/validate-custom-resources.mjs", stdin=rendered(overlay)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    kinds = {o["kind"] for o in objects(overlay)}
    expected = {"ScaledObject", "ServiceMonitor"} | (
        {"Rollout", "AnalysisTemplate"} if overlay == "production" else set()
    )
    assert expected <= kinds
    assert f"{len([o for o in objects(overlay) if o['kind'] in expected])} custom" in result.stdout


def test_the_custom_resource_check_refuses_a_broken_one():
    broken = rendered("production").replace("setWeight: 10", "setWeight: ten")
    result = run("node", VALIDATE_CUSTOM_RESOURCES, stdin=broken)
    assert result.returncode != 0
    assert "Rollout/fusionops-web" in result.stderr


def test_the_policy_check_passes_with_no_privileged_container_no_root_and_limits_set(
    overlay, tmp_path
):
    manifest = tmp_path / f"{overlay}.yaml"
    manifest.write_text(rendered(overlay))
    result = run(
        CHECKOV, "--config-file", ROOT / "deploy/k8s/checkov.yaml", "--file", manifest,
        "--output", "json",
    )  # fmt: skip
    report = json.loads(result.stdout)
    assert report["summary"]["failed"] == 0, result.stdout[-4000:]
    passed = {(c["check_id"], c["resource"]) for c in report["results"]["passed_checks"]}
    workloads = {r for _, r in passed if r.split(".")[0] in {"Deployment", "Job"}}
    # CKV_K8S_16 privileged, _20 escalation, _23 root, _28 NET_RAW / _37 capabilities,
    # _11/_13 CPU and memory limits, _22 read-only root.
    for check in ("CKV_K8S_16", "CKV_K8S_20", "CKV_K8S_23", "CKV_K8S_37", "CKV_K8S_11",
                  "CKV_K8S_13", "CKV_K8S_22"):  # fmt: skip
        assert {(check, r) for r in workloads} <= passed, check


def test_every_pod_is_hardened_and_every_container_limited(overlay):
    for workload in (o for o in objects(overlay) if o["kind"] in WORKLOADS):
        spec = workload["spec"].get("template", {}).get("spec")
        if spec is None:  # the Rollout borrows the Deployment's template
            assert workload["spec"]["workloadRef"]["name"] == "fusionops-web"
            continue
        pod = spec["securityContext"]
        assert pod["runAsNonRoot"] is True and pod["runAsUser"] == 10001
        assert pod["seccompProfile"] == {"type": "RuntimeDefault"}
        assert spec["automountServiceAccountToken"] is False
        for container in spec["containers"] + spec.get("initContainers", []):
            security = container["securityContext"]
            assert security["readOnlyRootFilesystem"] is True
            assert security["allowPrivilegeEscalation"] is False
            assert security["capabilities"]["drop"] == ["ALL"]
            assert container["resources"]["limits"]["memory"]
            assert container["resources"]["requests"]["cpu"]


def test_web_ws_and_worker_have_probes_and_wait_for_their_migrations(overlay):
    for name in ("fusionops-web", "fusionops-ws", "fusionops-worker"):
        spec = pod_spec(one(overlay, "Deployment", name))
        (container,) = spec["containers"]
        assert container["livenessProbe"] and container["readinessProbe"], name
        assert [c["args"] for c in spec["initContainers"]] == [["await-migrations"]]
    web = pod_spec(one(overlay, "Deployment", "fusionops-web"))["containers"][0]
    assert web["readinessProbe"]["httpGet"]["path"] == "/health/ready"
    worker = pod_spec(one(overlay, "Deployment", "fusionops-worker"))["containers"][0]
    assert worker["livenessProbe"]["exec"]["command"][-1] == "alive"
    migrate = pod_spec(one(overlay, "Job", "fusionops-migrate"))["containers"][0]
    assert migrate["args"] == ["migrate"]


def test_the_ingress_sends_websockets_and_the_event_stream_to_ws_and_the_rest_to_web(overlay):
    (rule,) = one(overlay, "Ingress", "fusionops")["spec"]["rules"]
    routes = {p["path"]: p["backend"]["service"]["name"] for p in rule["http"]["paths"]}
    assert routes == {
        "/ws/": "fusionops-ws",
        "/api/v1/events/stream/": "fusionops-ws",
        "/api/v1/events/stream": "fusionops-ws",  # the old path, for one release
        "/": "fusionops-web",
    }
    services = {o["metadata"]["name"] for o in objects(overlay) if o["kind"] == "Service"}
    assert set(routes.values()) <= services
    # Browsers are told to open their socket on the same address.
    (config,) = [o for o in objects(overlay) if o["kind"] == "ConfigMap"]
    assert config["data"]["REALTIME_WS_URL"] == "/ws/notify/"


def test_secrets_are_referenced_never_kept(overlay):
    assert not [o for o in objects(overlay) if o["kind"] == "Secret"]
    for name in ("fusionops-web", "fusionops-ws", "fusionops-worker"):
        (container,) = pod_spec(one(overlay, "Deployment", name))["containers"]
        assert {"secretRef": {"name": "fusionops-secrets"}} in container["envFrom"]


def test_disruption_budgets_and_network_policies_cover_every_process(overlay):
    budgets = {
        o["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"]
        for o in objects(overlay) if o["kind"] == "PodDisruptionBudget"
    }  # fmt: skip
    assert budgets == {"fusionops-web", "fusionops-ws", "fusionops-worker"}
    deny = one(overlay, "NetworkPolicy", "fusionops-default-deny")["spec"]
    assert deny["policyTypes"] == ["Ingress", "Egress"] and "ingress" not in deny
    egress = one(overlay, "NetworkPolicy", "fusionops-egress")["spec"]["egress"]
    assert {p["port"] for rule in egress for p in rule["ports"]} == {
        53,
        5432,
        6379,
        443,
        4318,
        5671,
        5672,
        4222,
    }

    def sources(name):
        rules = one(overlay, "NetworkPolicy", name)["spec"]["ingress"]
        return (
            {s["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]
             for rule in rules for s in rule["from"]},
            {p["port"] for rule in rules for p in rule["ports"]},
        )  # fmt: skip

    assert sources("fusionops-from-ingress") == ({"ingress-nginx"}, {8000, 8001})
    assert sources("fusionops-from-monitoring") == ({"monitoring"}, {9100, 9101, 9102})


def test_autoscaling_web_and_ws_on_load_and_the_worker_on_outbox_lag(overlay):
    web = one(overlay, "HorizontalPodAutoscaler", "fusionops-web")["spec"]["scaleTargetRef"]
    expected = ("Rollout" if overlay == "production" else "Deployment", "fusionops-web")
    assert (web["kind"], web["name"]) == expected
    assert one(overlay, "HorizontalPodAutoscaler", "fusionops-ws")
    keda = one(overlay, "ScaledObject", "fusionops-worker")["spec"]
    assert keda["scaleTargetRef"]["name"] == "fusionops-worker"
    (trigger,) = keda["triggers"]
    assert (
        trigger["type"] == "prometheus"
        and "fusionops_outbox_lag_seconds" in trigger["metadata"]["query"]
    )


def test_production_releases_web_as_a_canary_judged_on_latency_and_errors():
    rollout = one("production", "Rollout", "fusionops-web")["spec"]
    canary = rollout["strategy"]["canary"]
    assert [s["setWeight"] for s in canary["steps"] if "setWeight" in s] == [10, 50]
    (template,) = canary["analysis"]["templates"]
    analysis = one("production", "AnalysisTemplate", template["templateName"])["spec"]
    assert {m["name"] for m in analysis["metrics"]} == {"p95-latency", "error-rate"}
    for metric in analysis["metrics"]:
        assert metric["failureLimit"] == 1
        assert "{{args.canary-hash}}" in metric["provider"]["prometheus"]["query"]
    # The Deployment keeps the template and no pods of its own.
    assert one("production", "Deployment", "fusionops-web")["spec"]["replicas"] == 0
    tls = one("production", "Ingress", "fusionops")["spec"]["tls"]
    assert tls[0]["secretName"] == "fusionops-tls"


def test_the_overlays_render_the_objects_a_deployment_needs():
    counts = {overlay: len(objects(overlay)) for overlay in OVERLAYS}
    # base: 22 objects; production adds the Rollout and its AnalysisTemplate.
    assert counts == {"dev": 22, "production": 24}


def test_prometheus_scrapes_every_process_on_its_metrics_port(overlay):
    monitor = one(overlay, "ServiceMonitor", "fusionops")["spec"]
    assert [e["port"] for e in monitor["endpoints"]] == ["metrics"]
    (selected,) = monitor["selector"]["matchExpressions"]
    for name, port in (("fusionops-web", 9100), ("fusionops-ws", 9101), ("fusionops-worker", 9102)):
        service = one(overlay, "Service", name)
        assert name in selected["values"]
        assert {"name": "metrics", "port": port, "targetPort": "metrics"} in service["spec"][
            "ports"
        ]
        (container,) = pod_spec(one(overlay, "Deployment", name))["containers"]
        assert {"name": "metrics", "containerPort": port} in container["ports"]


def test_the_containerfile_passes_hadolint():
    result = run(TOOLS / "hadolint", ROOT / "deploy" / "Containerfile")
    assert result.returncode == 0, result.stdout + result.stderr
