"""Threat tests from the second hardening round (issue 11) that need the real server process and raw sockets."""

import json
import socket
import threading
import time

from test_server_process import request


def raw(server, data: bytes, timeout: float = 30) -> tuple[int, dict, bytes]:
    """Send bytes as they are on a fresh connection; the status, headers and body of the answer."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=timeout) as sock:
        sock.sendall(data)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
            head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
            headers = dict(line.split(": ", 1) for line in head.decode("latin-1").split("\r\n")[1:] if ": " in line)
            if "Content-Length" in headers and len(body) >= int(headers["Content-Length"]):
                break
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.lower(): v for k, v in (line.split(": ", 1) for line in lines[1:] if ": " in line)}
    return int(lines[0].split()[1]), headers, body


def test_two_hundred_idle_connections_do_not_lock_out_the_reader(server):
    """A hostile page opens 200 connections, half silent, half trickling a header line each second; the
    extension's next request still gets its answer."""
    host = f"Host: 127.0.0.1:{server.port}\r\n".encode()
    opened, stop = [], threading.Event()
    try:
        for i in range(200):
            sock = socket.create_connection(("127.0.0.1", server.port), timeout=30)
            if i % 2:
                sock.sendall(b"POST /v1/annotate HTTP/1.1\r\n" + host)
            opened.append(sock)

        def trickle():
            while not stop.wait(1.0):
                for sock in opened[1::2]:
                    try:
                        sock.sendall(b"X-Slow: 1\r\n")
                    except OSError:
                        pass

        threading.Thread(target=trickle, daemon=True).start()
        time.sleep(1.5)  # the server has seen all 200 (or stopped accepting)
        status, _, body = request(server, "GET", "/health")
        assert status == 200 and body["status"] in ("ok", "degraded")
        status, _, body = request(server, "POST", "/v1/annotate", {"url": "https://n.example/x", "title": "t",
                                                                    "blocks": [{"id": "p1", "text": "DeepSeek."}]})
        assert status == 200 and [a["text"] for a in body["annotations"]] == ["DeepSeek"]
    finally:
        stop.set()
        for sock in opened:
            sock.close()


def test_absolute_form_request_line_cannot_name_another_host(server):
    """`GET http://evil.example/health` with a right Host header: the request line names the host that counts."""
    for target in (b"http://evil.example/health", b"http://evil.example:%d/health" % server.port):
        status, headers, body = raw(server, b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
                                    b"Connection: close\r\n\r\n" % server.port)
        assert status == 403 and json.loads(body)["error"]["code"] == "bad_host"
    status, _, _ = raw(server, b"GET http://127.0.0.1:%d/health HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
                       b"Connection: close\r\n\r\n" % (server.port, server.port))
    assert status == 200  # absolute form naming this server is allowed (HTTP/1.1 servers must accept it)


def test_malformed_requests_get_a_json_error_not_plain_text(server):
    """Errors waitress answers before the app runs (bad Content-Length, NUL in a header, a bad chunk, a body over
    8 MB) are JSON too."""
    host = b"Host: 127.0.0.1:%d\r\n" % server.port
    cases = [
        b"POST /v1/annotate HTTP/1.1\r\n" + host + b"Content-Length: abc\r\n\r\n",
        b"GET /health HTTP/1.1\r\n" + host + b"X-Bad: a\x00b\r\n\r\n",
        b"POST /v1/annotate HTTP/1.1\r\n" + host + b"Transfer-Encoding: chunked\r\nContent-Type: application/json"
        b"\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
        b"POST /v1/annotate HTTP/1.1\r\n" + host + b"Content-Length: 9000000\r\nContent-Type: application/json\r\n\r\n",
    ]
    for case in cases:
        status, headers, body = raw(server, case)
        assert 400 <= status < 500, (case, status)
        assert headers.get("content-type", "").startswith("application/json"), (case, headers, body[:200])
        error = json.loads(body)["error"]
        assert error["code"] and error["message"]
