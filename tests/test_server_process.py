"""The real server process: started as a user would, spoken to over HTTP on loopback."""

import http.client
import json
import time

import pytest

# The server process loads the real model and takes seconds to start.
pytestmark = [pytest.mark.slow, pytest.mark.model]

SECRET = "Zanzibar-memo-7731"


def request(server, method, path, body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    payload = json.dumps(body).encode() if body is not None else None
    all_headers = {"Content-Type": "application/json", "Authorization": f"Bearer {server.token}", **(headers or {})}
    connection.request(method, path, body=payload, headers=all_headers)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, response.headers, json.loads(data) if data else None


def test_annotate_over_http(server):
    text = f"😀 {SECRET}: Xi Jinping praised DeepSeek in China."
    status, headers, body = request(server, "POST", "/v1/annotate",
                                    {"url": "https://n.example/x", "title": "t", "blocks": [{"id": "p1", "text": text}]})
    assert status == 200 and headers["Content-Type"] == "application/json"
    found = {a["text"]: a for a in body["annotations"]}
    assert set(found) == {"Xi Jinping", "DeepSeek", "China"}
    encoded = text.encode("utf-16-le")
    for mention, item in found.items():
        assert encoded[item["start"] * 2:item["end"] * 2].decode("utf-16-le") == mention


def test_health_over_http(server):
    status, _, body = request(server, "GET", "/health")
    assert status == 200 and body["pack_size"] == 11


def test_errors_over_http_are_json(server):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request("POST", "/v1/annotate", body=b"{not json",
                       headers={"Content-Type": "application/json", "Authorization": f"Bearer {server.token}"})
    response = connection.getresponse()
    status, body = response.status, json.loads(response.read())
    connection.close()
    assert status == 400 and body["error"]["code"] == "malformed_json"


def test_rebinding_host_is_refused_over_http(server):
    status, _, body = request(server, "GET", "/health", headers={"Host": f"attacker.example:{server.port}"})
    assert status == 403 and body["error"]["code"] == "bad_host"


def test_only_loopback_listens(server):
    """A server reachable from the network would expose the history: it must listen on 127.0.0.1 only."""
    port = server.port
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
    log = server.log
    request(server, "POST", "/v1/annotate", {"url": "https://n.example/x?token=abc", "title": SECRET,
                                            "blocks": [{"id": "p", "text": SECRET + " DeepSeek"}]})
    time.sleep(0.2)
    content = log.read_text()
    assert "listening on http://127.0.0.1" in content
    assert SECRET not in content and "n.example" not in content and server.token not in content


def test_pairing_code_printed_at_start_gives_the_token(server):
    log = server.log
    code = next(line.split(":", 1)[1].split()[0] for line in log.read_text().splitlines() if "pairing code" in line)
    status, _, body = request(server, "POST", "/v1/pair", {"code": code}, headers={"Authorization": ""})
    assert status == 200 and body["token"] == server.token
    status, _, body = request(server, "POST", "/v1/pair", {"code": code}, headers={"Authorization": ""})
    assert status == 401, "a pairing code works once"


def _post_raw(server, body, chunked):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {server.token}"}
    try:
        connection.request("POST", "/v1/annotate", body=body, headers=headers, encode_chunked=chunked)
        response = connection.getresponse()
        return response.status, response.getheader("Content-Type"), response.read()
    finally:
        connection.close()


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_body_over_the_limit_is_413_json(server, chunked):
    """A body bigger than the limit is refused before parsing, whether its length is declared or chunked."""
    oversized = b'{"url": "u", "title": "t", "blocks": [{"id": "a", "text": "' + b"a" * (5 * 1024 * 1024) + b'"}]}'
    body = iter([oversized[i:i + 65536] for i in range(0, len(oversized), 65536)]) if chunked else oversized
    status, content_type, data = _post_raw(server, body, chunked)
    assert status == 413 and content_type == "application/json"
    assert json.loads(data)["error"]["code"] == "payload_too_large"
