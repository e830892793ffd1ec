"""Presentation stage: the sign-in of /admin — session cookie, CSRF token, same-origin check, rate limit.

- The session is Flask's signed cookie, limited to /admin, HttpOnly, SameSite=Lax, Secure unless
  SSP_COOKIE_SECURE=0, expiring after SESSION_HOURS without a request. Its key: $SSP_SECRET_KEY, else a
  random key written once to <admin dir>/secret_key (mode 600).
- Every POST carries the session's CSRF token (a hidden form field) and, when the browser says where it
  comes from (Origin, Referer, Sec-Fetch-Site), must come from this site.
- Failed sign-ins are counted per account and per client address in this process's memory.
"""

from __future__ import annotations

import hmac
import os
import secrets
import tempfile
import threading
import time
from collections import defaultdict, deque
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from flask import request, session
from flask.sessions import SecureCookieSessionInterface

from etl import accounts

PREFIX = "/admin"
SESSION_HOURS = 8
CSRF_FIELD = "csrf_token"


def secret_key() -> str:
    """$SSP_SECRET_KEY, else the key in <admin dir>/secret_key (created once, readable by its owner only)."""
    key = os.environ.get("SSP_SECRET_KEY")
    if key:
        return key
    return _key_file(accounts.admin_dir() / "secret_key")


_keys: dict[Path, str] = {}
_keys_lock = threading.Lock()


def _key_file(path: Path) -> str:
    with _keys_lock:
        if path not in _keys:
            if not path.is_file():
                path.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".secret_key-")  # mode 600
                with os.fdopen(fd, "w") as out:
                    out.write(secrets.token_hex(32))
                try:
                    os.link(tmp, path)  # whole or not at all; a worker that comes second keeps the first key
                except FileExistsError:
                    pass
                finally:
                    os.unlink(tmp)
            key = path.read_text().strip()
            if len(key) < 32:
                raise RuntimeError(f"{path}: the session key is shorter than 32 characters")
            _keys[path] = key
        return _keys[path]


class AdminSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, for /admin only: the public pages neither read nor set a cookie, and
    the key is looked up when /admin is first used (not when the app is imported)."""

    def open_session(self, app, request):
        if not request.path.startswith(PREFIX):
            return None  # a null session: nothing is read or written
        return super().open_session(app, request)

    def get_signing_serializer(self, app):
        if not app.secret_key:
            app.secret_key = secret_key()
        return super().get_signing_serializer(app)


def configure(server) -> None:
    server.session_interface = AdminSessions()
    server.config.update(
        SESSION_COOKIE_NAME="ssp_admin",
        SESSION_COOKIE_PATH=PREFIX,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=os.environ.get("SSP_COOKIE_SECURE", "1") != "0",
        PERMANENT_SESSION_LIFETIME=timedelta(hours=SESSION_HOURS),
        SESSION_REFRESH_EACH_REQUEST=True,  # the expiry counts from the last request: idle time
    )


# --- who is signed in -----------------------------------------------------------------------------------


def current_user() -> str | None:
    """The signed-in account, or None (also when the account was removed since)."""
    name = session.get("user")
    if not name or name not in accounts.load():
        return None
    return name


def sign_in(name: str) -> None:
    """A fresh session for `name` (nothing of the anonymous one is kept: no fixation)."""
    session.clear()
    session.permanent = True
    session["user"] = name
    session[CSRF_FIELD] = secrets.token_urlsafe(32)


def sign_out() -> None:
    session.clear()


def csrf_token() -> str:
    """The session's CSRF token (made on first use: the sign-in form needs one before anyone signs in)."""
    if CSRF_FIELD not in session:
        session.permanent = True
        session[CSRF_FIELD] = secrets.token_urlsafe(32)
    return session[CSRF_FIELD]


def cross_site_problem() -> str | None:
    """Why this write request is refused as cross-site, or None: a missing or wrong CSRF token, or an
    Origin / Referer / Sec-Fetch-Site that names another site."""
    if request.headers.get("Sec-Fetch-Site") not in (None, "same-origin", "none"):
        return "request from another site"
    for header in ("Origin", "Referer"):
        value = request.headers.get(header)
        if value is not None:
            if value == "null" or urlsplit(value).netloc != request.host:
                return f"{header} is not this site"
            break  # Origin decides when present
    expected = session.get(CSRF_FIELD)
    sent = request.form.get(CSRF_FIELD, "")
    if not expected or not hmac.compare_digest(expected.encode(), sent.encode()):
        return "missing or wrong CSRF token"
    return None


# --- rate limit ---------------------------------------------------------------------------------------


class Attempts:
    """Failed sign-ins in the last `window` seconds per key; a key with `limit` of them is refused until the
    oldest leaves the window. In memory: each server process counts its own."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self._failures: dict[str, deque] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque:
        failures = self._failures[key]
        while failures and failures[0] <= now - self.window:
            failures.popleft()
        return failures

    def wait(self, key: str) -> float:
        """Seconds until `key` may try again (0: now)."""
        now = time.monotonic()
        with self._lock:
            failures = self._recent(key, now)
            if len(failures) < self.limit:
                if not failures:
                    self._failures.pop(key, None)
                return 0.0
            return failures[0] + self.window - now

    def fail(self, key: str) -> None:
        with self._lock:
            self._recent(key, time.monotonic()).append(time.monotonic())

    def clear(self, key: str) -> None:
        with self._lock:
            self._failures.pop(key, None)


WINDOW = 15 * 60
PER_ACCOUNT = Attempts(limit=5, window=WINDOW)
PER_ADDRESS = Attempts(limit=20, window=WINDOW)
