"""Users, roles, API tokens, sessions and login rate limiting.

Users live in the workspace store as ``users`` documents (argon2 password hashes); API tokens as
``api_tokens`` documents holding only the SHA-256 of the secret (a 256-bit random secret needs no
slow hash). Sessions are signed cookies (itsdangerous) carrying the user name, the user's session
epoch (bumped on password change or deletion, which ends every session) and the CSRF token.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from escucha.errors import ConflictError, NotFoundError, ValidationError

if TYPE_CHECKING:
    from escucha.workspace import Workspace

ROLES: tuple[str, ...] = ("viewer", "agent", "analyst", "admin")

# permissions
READ = "read"
CUSTOMERS = "customers:read"
FEEDBACK_WRITE = "feedback:write"
ANALYZE_TEXT = "analyze:text"
EXPORT = "export"
INGEST = "ingest"
ANALYSIS_RUN = "analysis:run"
CASES_WRITE = "cases:write"
ADMIN = "admin"

_VIEWER = frozenset({READ})
_AGENT = _VIEWER | {CUSTOMERS, FEEDBACK_WRITE, ANALYZE_TEXT, CASES_WRITE}
_ANALYST = _AGENT | {EXPORT, INGEST, ANALYSIS_RUN}
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "viewer": _VIEWER,
    "agent": frozenset(_AGENT),
    "analyst": frozenset(_ANALYST),
    "admin": frozenset(_ANALYST | {ADMIN}),
}

USERS = "users"
SESSIONS = "sessions"
TOKENS = "api_tokens"
USERNAME = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
MIN_PASSWORD = 10
TOKEN_PREFIX = "esk_"


@dataclass(slots=True)
class Principal:
    """Who is making a request."""

    username: str
    role: str
    kind: str  # "session" or "token"
    language: str = "es"
    csrf: str | None = None
    token_id: str | None = None
    session_id: str | None = None

    def can(self, permission: str) -> bool:
        return permission in ROLE_PERMISSIONS.get(self.role, frozenset())

    @property
    def writes(self) -> bool:
        return self.role != "viewer"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# -- passwords ------------------------------------------------------------------------------
def _hasher() -> Any:
    from argon2 import PasswordHasher

    return PasswordHasher()


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return str(_hasher().hash(password))


def verify_password(hashed: str, password: str) -> bool:
    from argon2.exceptions import InvalidHashError, VerificationError

    try:
        return bool(_hasher().verify(hashed, password))
    except (VerificationError, InvalidHashError):
        return False


_DUMMY_HASH: str | None = None


def _dummy_hash() -> str:
    global _DUMMY_HASH
    if _DUMMY_HASH is None:
        _DUMMY_HASH = hash_password(secrets.token_urlsafe(16))
    return _DUMMY_HASH


# -- users ----------------------------------------------------------------------------------
def _check_role(role: str) -> str:
    if role not in ROLES:
        raise ValidationError(f"unknown role {role!r}; use one of {', '.join(ROLES)}", field="role")
    return role


def _check_language(language: str) -> str:
    if language not in ("es", "en"):
        raise ValidationError(f"unknown language {language!r}; use es or en", field="language")
    return language


def add_user(ws: Workspace, username: str, password: str, role: str = "viewer", language: str = "es",
             replace: bool = False) -> dict[str, Any]:  # fmt: skip
    """Create (or with ``replace``, reset) a user; returns the public record (no hash)."""
    if not USERNAME.match(username):
        raise ValidationError(
            f"bad user name {username!r}: 1-64 letters, digits or _ . @ -", field="username", record=username
        )
    _check_role(role)
    _check_language(language)
    if len(password) < MIN_PASSWORD:
        raise ValidationError(
            f"password too short for {username!r}: at least {MIN_PASSWORD} characters",
            field="password",
            record=username,
        )
    users = ws.store.get_docs(USERS)
    old = users.get(username)
    if old is not None and not replace:
        raise ValidationError(f"user {username!r} already exists", field="username", record=username)
    if old is not None and old.get("role") == "admin" and role != "admin":
        _keep_an_admin(users, username)
    doc = {
        "username": username,
        "role": role,
        "language": language,
        "password_hash": hash_password(password),
        "created_at": old["created_at"] if old else _now(),
        "updated_at": _now(),
        "epoch": (int(old.get("epoch", 0)) + 1) if old else 0,
    }
    ws.store.put_docs(USERS, {username: doc})
    _cache.clear()
    return public_user(doc)


def public_user(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: doc.get(k) for k in ("username", "role", "language", "created_at", "updated_at")}


def list_users(ws: Workspace) -> list[dict[str, Any]]:
    return [public_user(d) for d in ws.store.get_docs(USERS).values()]


def get_user(ws: Workspace, username: str) -> dict[str, Any] | None:
    return _cached(ws, USERS).get(username)


def _keep_an_admin(users: dict[str, dict[str, Any]], leaving: str) -> None:
    """Refuse a change that would leave the workspace without an admin (nobody could manage it)."""
    if not any(d.get("role") == "admin" for name, d in users.items() if name != leaving):
        raise ConflictError(f"{leaving!r} is the last admin: add another admin first", field="username",
                            record=leaving)  # fmt: skip


def delete_user(ws: Workspace, username: str) -> None:
    """Delete a user (their sessions end); the last admin cannot be deleted."""
    users = ws.store.get_docs(USERS)
    if username not in users:
        raise NotFoundError(f"no user {username!r}", field="username", record=username)
    if users[username].get("role") == "admin":
        _keep_an_admin(users, username)
    ws.store.delete_docs(USERS, [username])
    _cache.clear()


def set_language(ws: Workspace, username: str, language: str) -> None:
    _check_language(language)
    users = ws.store.get_docs(USERS)
    if username not in users:
        raise NotFoundError(f"no user {username!r}", field="username", record=username)
    doc = {**users[username], "language": language, "updated_at": _now()}
    ws.store.put_docs(USERS, {username: doc})
    _cache.clear()


def has_admin(ws: Workspace) -> bool:
    return any(d.get("role") == "admin" for d in ws.store.get_docs(USERS).values())


def authenticate(ws: Workspace, username: str, password: str) -> dict[str, Any] | None:
    """The user record when the password matches (same cost whether or not the user exists)."""
    user = ws.store.get_docs(USERS).get(username)
    if user is None:
        verify_password(_dummy_hash(), password)
        return None
    return user if verify_password(str(user.get("password_hash", "")), password) else None


# -- API tokens -----------------------------------------------------------------------------
def _token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_token(ws: Workspace, name: str, role: str = "analyst", created_by: str = "cli") -> tuple[str, str]:
    """A new API token: returns (token id, the token to give the machine; shown only once)."""
    _check_role(role)
    if not name or len(name) > 100:
        raise ValidationError("token name must have 1-100 characters", field="name")
    token_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    doc = {
        "id": token_id,
        "name": name,
        "role": role,
        "hash": _token_hash(secret),
        "created_by": created_by,
        "created_at": _now(),
        "revoked_at": None,
    }
    ws.store.put_docs(TOKENS, {token_id: doc})
    _cache.clear()
    return token_id, f"{TOKEN_PREFIX}{token_id}_{secret}"


def list_tokens(ws: Workspace) -> list[dict[str, Any]]:
    return [{k: v for k, v in d.items() if k != "hash"} for d in ws.store.get_docs(TOKENS).values()]


def revoke_token(ws: Workspace, token_id: str) -> None:
    docs = ws.store.get_docs(TOKENS)
    if token_id not in docs:
        raise NotFoundError(f"no API token {token_id!r}", field="token_id", record=token_id)
    ws.store.put_docs(TOKENS, {token_id: {**docs[token_id], "revoked_at": _now()}})
    _cache.clear()


def verify_token(ws: Workspace, token: str) -> dict[str, Any] | None:
    """The token's record when ``token`` is a valid, unrevoked API token."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    token_id, _, secret = token[len(TOKEN_PREFIX) :].partition("_")
    doc = _cached(ws, TOKENS).get(token_id)
    if doc is None or doc.get("revoked_at") or not secret:
        return None
    return doc if hmac.compare_digest(str(doc.get("hash", "")), _token_hash(secret)) else None


# -- a short-lived cache of users and tokens (other processes' changes show within TTL) --------
CACHE_TTL_S = 2.0
_cache: dict[tuple[str, str], tuple[float, dict[str, dict[str, Any]]]] = {}
_cache_lock = threading.Lock()


def _cached(ws: Workspace, kind: str) -> dict[str, dict[str, Any]]:
    key = (str(ws.path), kind)
    now = time.monotonic()
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None and now - hit[0] < CACHE_TTL_S:
            return hit[1]
    docs = ws.store.get_docs(kind)
    with _cache_lock:
        _cache[key] = (now, docs)
    return docs


def clear_cache() -> None:
    _cache.clear()


# -- sessions -------------------------------------------------------------------------------
SESSION_COOKIE = "escucha_session"
LOGIN_COOKIE = "escucha_login"


@dataclass
class SessionCodec:
    """Signs and checks session cookies."""

    secret_key: str
    max_age_s: int

    def _serializer(self, salt: str) -> Any:
        from itsdangerous import URLSafeTimedSerializer

        return URLSafeTimedSerializer(self.secret_key, salt=salt)

    def issue(self, user: dict[str, Any], session_id: str) -> tuple[str, str]:
        """(cookie value, CSRF token) for the session ``session_id`` of ``user``."""
        csrf = secrets.token_urlsafe(24)
        value = self._serializer("escucha-session").dumps(
            {"u": user["username"], "e": int(user.get("epoch", 0)), "c": csrf, "s": session_id}
        )
        return value, csrf

    def read(self, value: str) -> dict[str, Any] | None:
        from itsdangerous import BadSignature

        try:
            data = self._serializer("escucha-session").loads(value, max_age=self.max_age_s)
        except (BadSignature, ValueError, TypeError):
            return None
        return data if isinstance(data, dict) and {"u", "e", "c", "s"} <= data.keys() else None

    def login_token(self) -> tuple[str, str]:
        """(signed cookie value, form token) protecting the login form itself."""
        token = secrets.token_urlsafe(18)
        return self._serializer("escucha-login").dumps(token), token

    def check_login_token(self, cookie: str | None, form_token: str | None) -> bool:
        from itsdangerous import BadSignature

        if not cookie or not form_token:
            return False
        try:
            token = self._serializer("escucha-login").loads(cookie, max_age=3600)
        except (BadSignature, ValueError, TypeError):
            return False
        return hmac.compare_digest(str(token), form_token)


def start_session(ws: Workspace, username: str, max_age_s: int) -> str:
    """A new server-side session for ``username`` (its id goes in the signed cookie); sessions
    past their lifetime are dropped on the way."""
    now = time.time()
    old = [k for k, d in ws.store.get_docs(SESSIONS).items() if float(d.get("expires", 0)) < now]
    if old:
        ws.store.delete_docs(SESSIONS, old)
    sid = secrets.token_urlsafe(18)
    ws.store.put_docs(SESSIONS, {sid: {"username": username, "started": _now(), "expires": now + max_age_s}})
    _cache.clear()
    return sid


def end_session(ws: Workspace, session_id: str) -> None:
    """End a session for good: its cookie no longer signs anyone in, in any server process."""
    ws.store.delete_docs(SESSIONS, [session_id])
    _cache.clear()


def principal_from_session(ws: Workspace, codec: SessionCodec, cookie: str) -> Principal | None:
    data = codec.read(cookie)
    if data is None:
        return None
    session = _cached(ws, SESSIONS).get(str(data["s"]))
    if session is None or session.get("username") != data["u"] or float(session.get("expires", 0)) < time.time():
        return None
    user = get_user(ws, str(data["u"]))
    if user is None or int(user.get("epoch", 0)) != int(data["e"]):
        return None
    return Principal(
        username=user["username"], role=user["role"], kind="session",
        language=user.get("language") or "es", csrf=str(data["c"]), session_id=str(data["s"]),
    )  # fmt: skip


def principal_from_token(ws: Workspace, token: str) -> Principal | None:
    doc = verify_token(ws, token)
    if doc is None:
        return None
    return Principal(username=f"token:{doc['name']}", role=doc["role"], kind="token", token_id=doc["id"])


# -- login rate limiting --------------------------------------------------------------------
@dataclass
class LoginLimiter:
    """At most ``max_failures`` failed logins per (IP, user) and ``5 * max_failures`` per IP in
    ``window_s`` seconds; beyond that, 429 until the window passes."""

    max_failures: int = 5
    window_s: float = 60.0
    _fails: dict[tuple[str, str], deque[float]] = field(default_factory=lambda: defaultdict(deque))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        q = self._fails[key]
        while q and now - q[0] > self.window_s:
            q.popleft()
        return q

    def retry_after(self, ip: str, username: str) -> float:
        """Seconds to wait before trying again (0 when allowed)."""
        now = time.monotonic()
        with self._lock:
            waits = []
            for key, cap in (((ip, username.lower()), self.max_failures), ((ip, "*"), 5 * self.max_failures)):
                q = self._recent(key, now)
                if len(q) >= cap:
                    waits.append(self.window_s - (now - q[0]))
            return max(waits, default=0.0)

    def failed(self, ip: str, username: str) -> None:
        now = time.monotonic()
        with self._lock:
            self._fails[(ip, username.lower())].append(now)
            self._fails[(ip, "*")].append(now)
            if len(self._fails) > 50_000:  # forget idle keys
                for k in [k for k, q in self._fails.items() if not q or now - q[-1] > self.window_s]:
                    del self._fails[k]

    def succeeded(self, ip: str, username: str) -> None:
        with self._lock:
            self._fails.pop((ip, username.lower()), None)
