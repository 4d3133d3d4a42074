import functools
import subprocess

from django.conf import settings

# The release; pyproject.toml names the same one.
VERSION = "0.1.0"


@functools.cache
def build_id() -> str:
    """APP_BUILD when the deployment sets it, else `git describe` of the checkout."""
    if settings.APP_BUILD:
        return settings.APP_BUILD
    try:
        result = subprocess.run(
            ["git", "describe", "--always", "--dirty", "--tags"],  # noqa: S607
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return result.stdout.strip() or "unknown"


def version_info() -> dict:
    return {"version": VERSION, "build": build_id()}
