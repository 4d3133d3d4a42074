"""The alert rules load, every alert is unit-tested to fire and to stay quiet
(`promtool test rules`), and every alert has its runbook section."""

import re
import shutil
import subprocess

import yaml
from django.conf import settings

RULES = settings.BASE_DIR / "deploy" / "prometheus"
PROMTOOL = shutil.which("promtool") or "/usr/bin/promtool"


def promtool(*args) -> subprocess.CompletedProcess:
    return subprocess.run([PROMTOOL, *args], cwd=RULES, capture_output=True, text=True, timeout=120)


def alerts() -> set[str]:
    groups = yaml.safe_load((RULES / "alerts.yaml").read_text())["groups"]
    return {rule["alert"] for group in groups for rule in group["rules"]}


def test_the_rules_load():
    result = promtool("check", "rules", "alerts.yaml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_every_alert_fires_when_it_should_and_stays_quiet_when_it_should_not():
    result = promtool("test", "rules", "alerts.test.yaml")
    assert result.returncode == 0, result.stdout + result.stderr
    cases = [
        case
        for test in yaml.safe_load((RULES / "alerts.test.yaml").read_text())["tests"]
        for case in test["alert_rule_test"]
    ]
    fired = {case["alertname"] for case in cases if case["exp_alerts"]}
    quiet = {case["alertname"] for case in cases if not case["exp_alerts"]}
    assert fired == alerts()
    assert quiet == alerts()


def test_every_alert_has_a_runbook_section():
    runbook = (settings.BASE_DIR / "docs" / "runbook.md").read_text()
    sections = set(re.findall(r"^## (\S+)$", runbook, re.MULTILINE))
    assert sections == alerts()
    groups = yaml.safe_load((RULES / "alerts.yaml").read_text())["groups"]
    for rule in (rule for group in groups for rule in group["rules"]):
        anchor = rule["annotations"]["runbook_url"]
        assert anchor == f"docs/runbook.md#{rule['alert'].lower()}"
