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
PAIRED_FILE = "paired"  # exists once an extension has exchanged a code for the token
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud and typed by hand
CODE_LIFETIME = 600
MAX_FAILED_ATTEMPTS = 5
MAX_CODE_CHARS = 32  # what POST /v1/pair accepts: a code is 9 characters, with room for spaces


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


def is_paired(data_dir: Path) -> bool:
    """Whether an extension has been paired with this install (so `serve` need not print a code)."""
    return (data_dir / PAIRED_FILE).exists()


def start_line(data_dir: Path) -> str:
    """What `serve` says about pairing: a fresh code while no extension is paired, else how to get one."""
    if is_paired(data_dir):
        return "pairing: an extension is paired (`contextcards pair` prints a code for another)"
    code = new_pairing_code(data_dir)
    return f"pairing code: {code} (valid {CODE_LIFETIME // 60} minutes; enter it in the extension's popup)"


def read_code_state(path: Path) -> dict | None:
    """The stored code's {sha256, expires, failures}, or None when there is none or the file is unusable
    (torn, not JSON, wrong types): a corrupt file is no code, and is removed."""
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        state = None
    valid = isinstance(state, dict) and isinstance(state.get("sha256"), str) and state["sha256"].isascii() \
        and isinstance(state.get("expires"), (int, float)) and isinstance(state.get("failures", 0), int)
    if not valid:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            pass
        return None
    return {"sha256": state["sha256"], "expires": state["expires"], "failures": state.get("failures", 0)}


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
            state = read_code_state(path)
            if state is None:
                return None
            if (now or time.time()) > state["expires"]:
                path.unlink(missing_ok=True)
                return None
            if hmac.compare_digest(state["sha256"], _digest(code)):
                path.unlink(missing_ok=True)
                try:
                    write_private(self.data_dir / PAIRED_FILE, json.dumps({"paired_at": int(time.time())}))
                except OSError:
                    pass  # a full disk costs only the next start's "already paired" line
                return self.token
            state["failures"] += 1
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
