"""The real server process: started as a user would, spoken to over HTTP on loopback."""

import http.client
import json
import os
import socket
import subprocess
import sys
import time

import pytest

from conftest import FIXTURES, free_port

SECRET = "Zanzibar-memo-7731"
TOKEN = [""]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`contextcards serve` on a free port with a private data dir; yields (port, process, log path)."""
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
    TOKEN[0] = token
    yield port, process, log
    process.terminate()
    process.wait(timeout=10)


def request(port, method, path, body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    payload = json.dumps(body).encode() if body is not None else None
    all_headers = {"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN[0]}", **(headers or {})}
    connection.request(method, path, body=payload, headers=all_headers)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, response.headers, json.loads(data) if data else None


def test_annotate_over_http(server):
    port, _, _ = server
    text = f"😀 {SECRET}: Xi Jinping praised DeepSeek in China."
    status, headers, body = request(port, "POST", "/v1/annotate",
                                    {"url": "https://n.example/x", "title": "t", "blocks": [{"id": "p1", "text": text}]})
    assert status == 200 and headers["Content-Type"] == "application/json"
    found = {a["text"]: a for a in body["annotations"]}
    assert set(found) == {"Xi Jinping", "DeepSeek", "China"}
    encoded = text.encode("utf-16-le")
    for mention, item in found.items():
        assert encoded[item["start"] * 2:item["end"] * 2].decode("utf-16-le") == mention


def test_health_over_http(server):
    port, _, _ = server
    status, _, body = request(port, "GET", "/health")
    assert status == 200 and body["pack_size"] == 11


def test_errors_over_http_are_json(server):
    port, _, _ = server
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    connection.request("POST", "/v1/annotate", body=b"{not json",
                       headers={"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN[0]}"})
    response = connection.getresponse()
    status, body = response.status, json.loads(response.read())
    connection.close()
    assert status == 400 and body["error"]["code"] == "malformed_json"


def test_rebinding_host_is_refused_over_http(server):
    port, _, _ = server
    status, _, body = request(port, "GET", "/health", headers={"Host": f"attacker.example:{port}"})
    assert status == 403 and body["error"]["code"] == "bad_host"


def test_only_loopback_listens(server):
    """A server reachable from the network would expose the history: it must listen on 127.0.0.1 only."""
    port, process, _ = server
    listening = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table) as handle:
            for line in handle.readlines()[1:]:
                local, state = line.split()[1], line.split()[3]
                address, hex_port = local.rsplit(":", 1)
                if state == "0A" and int(hex_port, 16) == port:
                    listening.append(address)
    assert listening == ["0100007F"]


def test_log_holds_no_page_text(server):
    port, _, log = server
    request(port, "POST", "/v1/annotate", {"url": "https://n.example/x?token=abc", "title": SECRET,
                                            "blocks": [{"id": "p", "text": SECRET + " DeepSeek"}]})
    time.sleep(0.2)
    content = log.read_text()
    assert "listening on http://127.0.0.1" in content
    assert SECRET not in content and "n.example" not in content and TOKEN[0] not in content


def test_pairing_code_printed_at_start_gives_the_token(server):
    port, _, log = server
    code = next(line.split(":", 1)[1].split()[0] for line in log.read_text().splitlines() if "pairing code" in line)
    status, _, body = request(port, "POST", "/v1/pair", {"code": code}, headers={"Authorization": ""})
    assert status == 200 and body["token"] == TOKEN[0]
    status, _, body = request(port, "POST", "/v1/pair", {"code": code}, headers={"Authorization": ""})
    assert status == 401, "a pairing code works once"


def _post_raw(port, body, chunked):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN[0]}"}
    try:
        connection.request("POST", "/v1/annotate", body=body, headers=headers, encode_chunked=chunked)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type"), response.read()
    finally:
        connection.close()


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_body_over_the_limit_is_413_json(server, chunked):
    """A body bigger than the limit is refused before parsing, whether its length is declared or chunked."""
    port, _, _ = server
    oversized = b'{"url": "u", "title": "t", "blocks": [{"id": "a", "text": "' + b"a" * (5 * 1024 * 1024) + b'"}]}'
    body = iter([oversized[i:i + 65536] for i in range(0, len(oversized), 65536)]) if chunked else oversized
    status, content_type, data = _post_raw(port, body, chunked)
    assert status == 413 and content_type == "application/json"
    assert json.loads(data)["error"]["code"] == "payload_too_large"
