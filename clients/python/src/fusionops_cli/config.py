"""Where the portal is and who the client is: the options, the environment, then the file
`fusionops login` writes ($XDG_CONFIG_HOME/fusionops/config.json, readable by its owner
only)."""

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict

from fusionops_cli import paths
from fusionops_cli.errors import CliError, ExitCode, UsageError

URL_VARIABLE = "FUSIONOPS_URL"
TOKEN_VARIABLE = "FUSIONOPS_TOKEN"  # noqa: S105  the variable's name, not a secret
WS_URL_VARIABLE = "FUSIONOPS_WS_URL"


class StoredConfig(TypedDict, total=False):
    url: str
    token: str
    ws_url: str
    # How the token was had: "token" (given) or "device" (the provider's device flow).
    method: str
    issuer: str


def config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(Path.home(), ".config")
    return Path(base) / "fusionops" / "config.json"


def config_read() -> StoredConfig:
    path = config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise CliError(f"Cannot read {path}: {exc.strerror}.") from exc
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise CliError(f"{path} is not JSON: run `fusionops login` again.") from exc
    return data if isinstance(data, dict) else {}


def config_write(config: StoredConfig) -> Path:
    """Write the file as its owner's alone (0600, in a 0700 directory), replacing it whole:
    a token is never readable by others, not even for a moment."""
    path = config_path()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.fchmod(descriptor, 0o600)  # O_CREAT's mode is masked by the umask
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            json.dump(config, file, indent=2, sort_keys=True)
            file.write("\n")
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return path


def normalise_url(url: str) -> str:
    url = url.strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise UsageError(f"The portal's URL must start with http:// or https://, not {url!r}.")
    return url


def ws_url_for(base_url: str) -> str:
    """The notification socket of a portal: http→ws, https→wss, path /ws/notify/."""
    scheme, rest = base_url.split("://", 1)
    host = rest.split("/", 1)[0]
    return f"{'wss' if scheme == 'https' else 'ws'}://{host}{paths.WS_NOTIFY}"


@dataclass
class Target:
    """The portal and the credentials a command uses."""

    url: str
    token: str | None
    ws_url: str


def resolve(
    *, url: str | None, token: str | None, ws_url: str | None = None, need_token: bool = True
) -> Target:
    """Options first, then FUSIONOPS_URL / FUSIONOPS_TOKEN / FUSIONOPS_WS_URL, then the
    file `fusionops login` wrote."""
    stored: dict[str, Any] = dict(config_read())
    url = url or os.environ.get(URL_VARIABLE) or stored.get("url")
    if not url:
        raise UsageError(
            f"No portal: pass --url, set {URL_VARIABLE}, or run `fusionops login` first."
        )
    url = normalise_url(url)
    same_portal = stored.get("url") and normalise_url(stored["url"]) == url
    token = (
        token or os.environ.get(TOKEN_VARIABLE) or (stored.get("token") if same_portal else None)
    )
    if need_token and not token:
        raise CliError(
            f"Not signed in to {url}: pass --token, set {TOKEN_VARIABLE}, or run "
            "`fusionops login`.",
            ExitCode.NOT_ALLOWED,
        )
    ws_url = (
        ws_url
        or os.environ.get(WS_URL_VARIABLE)
        or (stored.get("ws_url") if same_portal else None)
        or ws_url_for(url)
    )
    return Target(url=url, token=token, ws_url=ws_url)
