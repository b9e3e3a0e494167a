"""``escucha serve``'s preflight: refuse unsafe setups before the server starts."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from escucha.errors import ConfigError

if TYPE_CHECKING:
    from escucha.workspace import Workspace

log = logging.getLogger("escucha.api")
MIN_SECRET = 32


def preflight(ws: Workspace, host: str) -> list[str]:
    """Refuse unsafe setups: off loopback the server needs a strong secret key and an admin user.
    Returns warnings for setups that are allowed but weak."""
    from escucha.http.auth import has_admin
    from escucha.http.security import is_loopback

    warnings: list[str] = []
    key = ws.settings.secret_key or ""
    if not is_loopback(host):
        if len(key) < MIN_SECRET:
            raise ConfigError(
                f"refusing to serve on {host}: set a secret key of at least {MIN_SECRET} characters "
                "(ESCUCHA_SECRET_KEY or secret_key in escucha.yaml); e.g. "
                'python -c "import secrets; print(secrets.token_urlsafe(48))"',
                field="secret_key",
            )
        if not has_admin(ws):
            raise ConfigError(
                f"refusing to serve on {host}: create an admin first with "
                f"`escucha --workspace {ws.path} users add NAME --role admin`",
                field="users",
            )
        from urllib.parse import urlsplit

        if is_loopback(urlsplit(ws.settings.survey_base_url).hostname):
            warnings.append(f"survey_base_url is {ws.settings.survey_base_url}: survey and portal links sent to "
                            "customers will not reach this server; set it to the public address")  # fmt: skip
    else:
        if not key:
            warnings.append("no secret key: sessions end when the server stops")
        if not has_admin(ws):
            warnings.append(f"no admin user yet: `escucha --workspace {ws.path} users add NAME --role admin`")
    return warnings
