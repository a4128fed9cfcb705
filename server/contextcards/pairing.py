"""Pairing: the per-install token, short-lived pairing codes, and the bearer check on private routes."""

import errno
import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from pathlib import Path

TOKEN_FILE = "token"
CODE_FILE = "pairing-code.json"
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud and typed by hand
CODE_LIFETIME = 600
MAX_FAILED_ATTEMPTS = 5


def write_private(path: Path, data: str) -> None:
    """Write a file readable by the user alone, replacing any old one atomically."""
    temp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)  # a full disk leaves no half-written file behind
        raise


def load_or_create_token(data_dir: Path) -> str:
    """The install's token (32 random bytes, hex), created on first use."""
    path = data_dir / TOKEN_FILE
    try:
        token = path.read_text(encoding="utf-8").strip()
        if len(token) == 64:
            try:
                os.chmod(path, 0o600)
            except OSError as exc:
                if exc.errno != errno.EROFS:  # a read-only disk: the token still works
                    raise
            return token
    except FileNotFoundError:
        pass
    token = secrets.token_hex(32)
    write_private(path, token)
    return token


def _digest(code: str) -> str:
    return hashlib.sha256(code.replace("-", "").upper().encode()).hexdigest()


def new_pairing_code(data_dir: Path, now: float | None = None) -> str:
    """A fresh code like 'K7QP-4MZD', valid for 10 minutes; only its hash is stored."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    expires = (now or time.time()) + CODE_LIFETIME
    write_private(data_dir / CODE_FILE, json.dumps({"sha256": _digest(raw), "expires": expires, "failures": 0}))
    return f"{raw[:4]}-{raw[4:]}"


class Pairing:
    """Exchanges a valid pairing code for the token; wrong guesses burn the code after a few tries."""

    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self.token = load_or_create_token(data_dir)
        self.lock = threading.Lock()

    def exchange(self, code: str, now: float | None = None) -> str | None:
        """The token if the code is right and fresh, else None (the code file is gone after use)."""
        path = self.data_dir / CODE_FILE
        with self.lock:
            try:
                state = json.loads(path.read_text(encoding="utf-8"))
            except (FileNotFoundError, ValueError):
                return None
            if (now or time.time()) > state.get("expires", 0):
                path.unlink(missing_ok=True)
                return None
            if hmac.compare_digest(state.get("sha256", ""), _digest(code)):
                path.unlink(missing_ok=True)
                return self.token
            state["failures"] = state.get("failures", 0) + 1
            if state["failures"] >= MAX_FAILED_ATTEMPTS:
                path.unlink(missing_ok=True)
            else:
                write_private(path, json.dumps(state))
            return None

    def authorized(self, header: str | None) -> bool:
        """Whether an Authorization header carries the token, compared in constant time."""
        if not header or not header.startswith("Bearer "):
            return False
        return hmac.compare_digest(header[len("Bearer "):].strip().encode(), self.token.encode())
