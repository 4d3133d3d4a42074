"""The layers of the portal hold: no import from a lower layer to a higher one, no cycle."""

import textwrap

from django.apps import apps

from tools.check_imports import LAYERS, check


def test_the_portal_imports_respect_its_layers_and_have_no_cycles():
    assert check() == []


def test_the_platform_imports_no_app_and_every_app_has_a_layer():
    assert LAYERS[-1] == ("apps.platform",)
    layered = {package for layer in LAYERS for package in layer}

    portal_apps = {
        config.name for config in apps.get_app_configs() if config.name.startswith("apps.")
    }
    assert portal_apps <= layered


def write(root, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def test_an_upward_import_and_a_cycle_hidden_in_a_function_are_found(tmp_path, monkeypatch):
    write(
        tmp_path,
        {
            "layered/__init__.py": "",
            "layered/high/__init__.py": "",
            "layered/high/views.py": "from layered.low import models\n",
            "layered/low/__init__.py": "",
            "layered/low/models.py": """
                def forget():
                    from layered.low import services
                """,
            "layered/low/services.py": "from layered.low import models\n",
            "layered/low/report.py": "from layered.high import views\n",
        },
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    problems = check(["layered"], layers=(("layered.high",), ("layered.low",)))
    assert (
        "layered.low must not import layered.high: layered.low.report -> layered.high.views"
        in problems
    )
    assert "import cycle: layered.low.models <-> layered.low.services" in problems
