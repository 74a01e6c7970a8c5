"""Superset settings for the warehouse's BI (loaded through SUPERSET_CONFIG_PATH by bi/run.py).

Everything Superset keeps lives in SUPERSET_HOME (default bi/.superset, git-ignored): the sqlite
metadata database and the generated SECRET_KEY (mode 0600). Nothing leaves the machine: the
content-security policy allows only this server, which also blocks the frontend's telemetry
pixel, map tiles and web fonts.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

SUPERSET_HOME = Path(os.environ.get("SUPERSET_HOME") or Path(__file__).parent / ".superset")
SUPERSET_HOME.mkdir(parents=True, exist_ok=True)


def _secret_key(path: Path) -> str:
    """The key that signs sessions and encrypts stored passwords: generated once, kept 0600."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        key = secrets.token_urlsafe(48)
        handle.write(key + "\n")
    return key


SECRET_KEY = _secret_key(SUPERSET_HOME / "secret_key")
SQLALCHEMY_DATABASE_URI = f"sqlite:///{SUPERSET_HOME / 'superset.db'}?check_same_thread=false"

# Only this server: no telemetry pixel (scarf), no map tiles, no fonts from the web.
THEME_FONT_URL_ALLOWED_DOMAINS: list[str] = []
TALISMAN_ENABLED = True
TALISMAN_CONFIG = {
    "content_security_policy": {
        "base-uri": ["'self'"],
        "default-src": ["'self'"],
        "img-src": ["'self'", "blob:", "data:"],
        "worker-src": ["'self'", "blob:"],
        "connect-src": ["'self'"],
        "object-src": "'none'",
        "style-src": ["'self'", "'unsafe-inline'"],
        "font-src": ["'self'", "data:"],
        "script-src": ["'self'", "'strict-dynamic'"],
    },
    "content_security_policy_nonce_in": ["script-src"],
    "force_https": False,
    "session_cookie_secure": False,
}
# Warnings and errors only: `make bi` prints its URL and login, not every request.
LOG_LEVEL = "WARNING"

# Every page and API call is same-origin: no cross-origin readers (Superset allows two tile hosts).
ENABLE_CORS = False
