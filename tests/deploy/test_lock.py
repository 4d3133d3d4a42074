"""requirements.lock, which the image installs with --require-hashes, pins what the tests
run with: the versions of constraints.txt, every runtime requirement, each with hashes."""

import re

from django.conf import settings

PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)")


def normalised(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(path) -> dict[str, str]:
    found = {}
    for line in (settings.BASE_DIR / path).read_text().splitlines():
        if match := PIN.match(line):
            found[normalised(match[1])] = match[2]
    return found


def test_the_lock_holds_every_runtime_requirement_at_the_tested_version_with_hashes():
    lock, constraints, required = (
        pins("requirements.lock"),
        pins("constraints.txt"),
        pins("requirements.txt"),
    )
    assert set(required) <= set(lock)
    assert {name: lock[name] for name in lock} == {name: constraints[name] for name in lock}
    text = (settings.BASE_DIR / "requirements.lock").read_text()
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):  # one block per package
        if PIN.match(block):
            assert "--hash=sha256:" in block, block.splitlines()[0]
