"""Drives real Chromium with the unpacked extension against the real server; shared by the browser tests and the benchmark."""

import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
EXTENSION = ROOT / "extension"
PAGES = Path(__file__).with_name("pages")
TEST_PACK = Path(__file__).with_name("pack.toml")
EXTENSION_ID = "pokcfipdlbjicehphfgigidkolofbfja"
CHROMIUM_CANDIDATES = ["/usr/lib/chromium/chromium", "/usr/bin/chromium", "/usr/bin/chromium-browser"]
TRUSTED_TYPES_CSP = "require-trusted-types-for 'script'; trusted-types page"
# A name only this browser resolves, to loopback: the DNS-rebinding test's attacker host (see test_hostile_pages.py).
REBIND_HOST = "rebind.test"

sys.path.insert(0, str(ROOT / "benchmarks"))
from articles import paragraphs  # noqa: E402  (the benchmarks' deterministic news-like text)


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def chromium_path() -> str | None:
    """Debian's Chromium, if installed (never a Playwright-downloaded one)."""
    return next((p for p in CHROMIUM_CANDIDATES if Path(p).exists()), None)


def contextcards_command() -> list[str]:
    """The installed `contextcards` script of this checkout's virtual environment."""
    script = Path(sys.executable).with_name("contextcards")
    return [str(script)] if script.exists() else [sys.executable, "-m", "contextcards"]


def article_page(title: str, texts: list[str]) -> str:
    """A news page around the given paragraphs, with the probe loaded in <head>."""
    body = "\n".join(f'<p id="p{n}">{text}</p>' for n, text in enumerate(texts))
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<script src="/probe.js"></script>
<style>body {{ font: 17px/1.6 Georgia, serif; margin: 0 auto; max-width: 42rem; padding: 16px; background: #fff; }}</style>
</head><body><header><p>The Daily Ledger</p></header><main><article><h1>{title}</h1>
{body}
</article></main></body></html>"""


FILLER = ("the committee met again on a grey morning and talked for a long time about budgets, rooms, schedules "
          "and the weather, and then it adjourned until the following week without deciding anything at all.")


def edges_page() -> str:
    """Names at the left edge, the right edge and the end of a long page, far apart: the card-placement test."""
    filler = "\n".join(f"<p>{FILLER}</p>" for _ in range(12))
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Edges</title>
<style>body {{ font: 18px/1.6 Georgia, serif; margin: 0; padding: 0 12px; background: #fff; }}
#right {{ text-align: right; }}</style></head><body><main><article>
<p id="left">Nvidia makes the chips in question, {FILLER}</p>{filler}
<p id="right">{FILLER} So says the Entity List</p>{filler}
<p id="last">{FILLER} In the end it was Huawei.</p>
</article></main></body></html>"""


def sticky_page() -> str:
    """A 72 px sticky header over a long article, a nav link before and a footer link after, and a section the
    test hides once its names are underlined (a collapsed part of the page)."""
    filler = "\n".join(f"<p>{FILLER}</p>" for _ in range(6))
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sticky</title>
<style>body {{ font: 18px/1.6 Georgia, serif; margin: 0; background: #fff; }}
header.bar {{ position: sticky; top: 0; height: 72px; background: #123; color: #fff; z-index: 5; }}
main {{ max-width: 40rem; margin: 0 auto; padding: 0 12px; }}</style></head><body>
<header class="bar"><nav><a id="nav-link" href="#top">Front page</a></nav></header><main><article>
<p id="n1">Nvidia makes the chips in question.</p>{filler}
<p id="n2">The Entity List grew again.</p>{filler}
<section id="collapsible"><p id="n3">Huawei and SMIC both declined to comment.</p></section>{filler}
<p id="n4">TSMC said little.</p>{filler}
</article></main><footer><a id="footer-link" href="#end">Contact</a></footer></body></html>"""


class PagesHandler(SimpleHTTPRequestHandler):
    """Serves tests/browser/pages, the Trusted Types header for its page, and generated articles."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, directory=str(PAGES), **kwargs)

    def log_message(self, *args):
        pass

    def end_headers(self):
        if urlsplit(self.path).path == "/trusted-types.html":
            self.send_header("Content-Security-Policy", TRUSTED_TYPES_CSP)
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def do_GET(self):
        parts = urlsplit(self.path)
        if parts.path == "/long.html":
            return self.send_html(article_page("A 10,000-word report on chips and AI policy", paragraphs(10_000, seed=10)))
        if parts.path == "/long50k.html":
            # ?run=N changes the text, as for news.html: no server cache hides the work.
            run = int(dict(p.split("=") for p in parts.query.split("&") if "=" in p).get("run", "0"))
            return self.send_html(article_page("A 50,000-word report on chips and AI policy", paragraphs(50_000, seed=50 + run)))
        if parts.path == "/sticky.html":
            return self.send_html(sticky_page())
        if parts.path == "/edges.html":
            return self.send_html(edges_page())
        if parts.path == "/news.html":
            # A seed-like article of about 900 words; ?run=N changes the text so no server cache hides the work.
            run = int(dict(p.split("=") for p in parts.query.split("&") if "=" in p).get("run", "0"))
            return self.send_html(article_page(f"Chips, controls and AI: report {run}", paragraphs(900, seed=1000 + run)))
        return super().do_GET()

    def send_html(self, html: str):
        data = html.encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@contextmanager
def serve_pages():
    """The test pages on a free loopback port; yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), PagesHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def get_json(port: int, path: str, token: str | None = None, timeout: float = 5):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, json.loads(body) if body else None


class ServerProcess:
    """`contextcards serve --port N` as a user runs it: offline, on a temporary data dir, with the test pack."""

    def __init__(self, data_dir: Path, pack: Path | list[Path] | None = TEST_PACK, bundled: bool = False):
        self.port = free_port()
        self.data_dir = data_dir
        self.env = {**os.environ, "CONTEXTCARDS_DATA_DIR": str(data_dir), "CONTEXTCARDS_OFFLINE": "1",
                    "CONTEXTCARDS_BUNDLED_PACK": "1" if bundled else "0"}
        if pack:
            self.env["CONTEXTCARDS_PACKS"] = os.pathsep.join(str(p) for p in (pack if isinstance(pack, list) else [pack]))
        self.log = data_dir.with_name(data_dir.name + "-serve.log")
        self.process = None
        self.token = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60):
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen([*contextcards_command(), "serve", "--port", str(self.port)],
                                            env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"contextcards serve exited: {self.log.read_text()}")
            try:
                if get_json(self.port, "/health")[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        else:
            raise RuntimeError("contextcards serve did not answer /health in time")
        self.token = subprocess.run([*contextcards_command(), "token"], env=self.env, capture_output=True,
                                    text=True, check=True).stdout.strip()
        return self

    def pairing_code(self) -> str:
        """A fresh pairing code from `contextcards pair`, as a new user would get one."""
        out = subprocess.run([*contextcards_command(), "pair"], env=self.env, capture_output=True, text=True,
                             check=True).stdout
        return out.split("pairing code:")[1].split()[0]

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


class RecordingProxy:
    """A loopback proxy in front of the server: records annotate bodies and can make chosen cards arrive pending.

    For a card id in `pending`, annotate answers carry it as {"status": "pending"} without its text, and the
    first GET of that card is answered pending after `pending_delay` seconds; later GETs reach the server.
    `rewrite(method, path, answer)`, when given, may change any JSON answer of 200 (it returns the new answer):
    a server that sends hostile text, to prove the extension shows whatever it gets as text.
    """

    def __init__(self, target_port: int, pending=(), pending_delay: float = 0.8, rewrite=None):
        self.target_port = target_port
        self.pending = set(pending)
        self.pending_delay = pending_delay
        self.rewrite = rewrite
        self.annotate_bodies = []
        self.card_requests = []
        proxy = self

        class Handler(SimpleHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                proxy.handle(self, "GET")

            def do_POST(self):
                proxy.handle(self, "POST")

            def do_OPTIONS(self):
                proxy.handle(self, "OPTIONS")

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def handle(self, request, method):
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length) if length else None
        path = request.path
        if path.startswith("/v1/cards/"):
            card_id = path.rsplit("/", 1)[1]
            self.card_requests.append(card_id)
            if card_id in self.pending and self.card_requests.count(card_id) == 1:
                time.sleep(self.pending_delay)
                return self.reply(request, 200, {"id": card_id, "title": "Nvidia H20", "kind": "product", "status": "pending"})
        headers = {k: v for k, v in request.headers.items() if k.lower() not in ("host", "content-length", "connection")}
        headers["Host"] = f"127.0.0.1:{self.target_port}"
        connection = http.client.HTTPConnection("127.0.0.1", self.target_port, timeout=60)
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        connection.close()
        if self.rewrite and response.status == 200 and response.getheader("Content-Type", "").startswith("application/json"):
            data = json.dumps(self.rewrite(method, path, json.loads(data))).encode()
        if method == "POST" and path == "/v1/annotate" and response.status == 200:
            self.annotate_bodies.append(json.loads(body))
            answer = json.loads(data)
            for card_id in self.pending & set(answer.get("cards", {})):
                card = answer["cards"][card_id]
                answer["cards"][card_id] = {"id": card_id, "title": card["title"], "kind": card["kind"], "status": "pending"}
            return self.reply(request, 200, answer)
        request.send_response(response.status)
        for key, value in response.getheaders():
            if key.lower() not in ("content-length", "connection", "transfer-encoding"):
                request.send_header(key, value)
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        request.wfile.write(data)

    @staticmethod
    def reply(request, status, payload):
        data = json.dumps(payload).encode()
        request.send_response(status)
        request.send_header("Content-Type", "application/json")
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        request.wfile.write(data)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def launch_with_extension(playwright, user_data_dir: Path, executable: str):
    """A persistent Chromium context with the unpacked extension (the STACK.md recipe); returns (context, worker)."""
    context = playwright.chromium.launch_persistent_context(
        str(user_data_dir), executable_path=executable, headless=True,
        args=[f"--disable-extensions-except={EXTENSION}", f"--load-extension={EXTENSION}", "--no-sandbox",
              "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
              "--no-first-run", f"--host-resolver-rules=MAP {REBIND_HOST} 127.0.0.1"],
        viewport={"width": 1100, "height": 800},
    )
    workers = [w for w in context.service_workers if EXTENSION_ID in w.url]
    worker = workers[0] if workers else context.wait_for_event("serviceworker", timeout=15000)
    assert EXTENSION_ID in worker.url, worker.url
    return context, worker


class Extension:
    """What the tests ask of the extension: its settings, its badge, and the card in its closed shadow root."""

    def __init__(self, context, worker):
        self.context = context
        self.worker = worker

    def configure(self, **settings):
        """Replace every stored setting by these (the rest fall back to the defaults)."""
        self.worker.evaluate("async (values) => { await chrome.storage.local.clear(); await chrome.storage.local.set(values); }",
                             settings)

    def update(self, **settings):
        self.worker.evaluate("(values) => chrome.storage.local.set(values)", settings)

    def stored(self) -> dict:
        return self.worker.evaluate("() => chrome.storage.local.get(null)")

    def badge(self) -> str:
        """The badge text of the active tab (no "tabs" permission: found by being the only active one)."""
        return self.worker.evaluate("""async () => {
            const [tab] = await chrome.tabs.query({ active: true, lastFocusedWindow: true });
            return chrome.action.getBadgeText({ tabId: tab.id });
        }""")


def _attrs(node) -> dict:
    values = node.get("attributes", [])
    return dict(zip(values[0::2], values[1::2]))


def _text(node, skip=("STYLE",)) -> str:
    if node.get("nodeType") == 3:
        return node.get("nodeValue", "")
    if node.get("nodeName") in skip:
        return ""
    return "".join(_text(child) for child in node.get("children", []))


def _find(node, predicate):
    if predicate(node):
        return node
    for child in node.get("children", []) + node.get("shadowRoots", []):
        found = _find(child, predicate)
        if found:
            return found
    return None


def read_card(page) -> dict | None:
    """The card as the DevTools protocol sees it through the closed shadow root (DOM.getDocument, pierce)."""
    cdp = page.context.new_cdp_session(page)
    try:
        document = cdp.send("DOM.getDocument", {"depth": -1, "pierce": True})["root"]
    finally:
        cdp.detach()
    host = _find(document, lambda n: n.get("localName") == "cc-card-host")
    if not host:
        return None
    shadow = host["shadowRoots"][0]
    card = _find(shadow, lambda n: "card" in _attrs(n).get("class", "").split())
    attrs = _attrs(card)

    def part(cls):
        found = _find(card, lambda n: cls in _attrs(n).get("class", "").split())
        return _text(found) if found else None

    links = []
    _find(card, lambda n: (links.append(_attrs(n).get("href")) if n.get("localName") == "a" else None) and False)
    return {
        "shadow_type": shadow.get("shadowRootType"),
        "open": "hidden" not in attrs,
        "role": attrs.get("role"),
        "card_id": attrs.get("data-card"),
        "scheme": attrs.get("data-scheme"),
        "kind": part("kind"),
        "title": part("title"),
        "summary": part("summary"),
        "status": part("status"),
        "source": part("source"),
        "links": links,
        "text": _text(card),
        "aria_hidden": _find(shadow, lambda n: "aria-hidden" in _attrs(n)) is not None,
    }


def card_center(page) -> tuple[float, float]:
    """The middle of the open card on screen, from its box model (the page itself cannot see the card)."""
    cdp = page.context.new_cdp_session(page)
    try:
        document = cdp.send("DOM.getDocument", {"depth": -1, "pierce": True})["root"]
        host = _find(document, lambda n: n.get("localName") == "cc-card-host")
        card = _find(host["shadowRoots"][0], lambda n: "card" in _attrs(n).get("class", "").split())
        quad = cdp.send("DOM.getBoxModel", {"nodeId": card["nodeId"]})["model"]["border"]
    finally:
        cdp.detach()
    return (quad[0] + quad[4]) / 2, (quad[1] + quad[5]) / 2


def card_call(page, function: str, cls: str = "card", args=None):
    """Call `function` (a JS function source, `this` = the element) on the card's element of class `cls`, through
    the closed shadow root (DOM.resolveNode + Runtime.callFunctionOn); returns its JSON result."""
    cdp = page.context.new_cdp_session(page)
    try:
        document = cdp.send("DOM.getDocument", {"depth": -1, "pierce": True})["root"]
        host = _find(document, lambda n: n.get("localName") == "cc-card-host")
        assert host, "no card on the page"
        node = _find(host["shadowRoots"][0], lambda n: cls in _attrs(n).get("class", "").split())
        assert node, f"no .{cls} in the card"
        target = cdp.send("DOM.resolveNode", {"nodeId": node["nodeId"]})["object"]["objectId"]
        answer = cdp.send("Runtime.callFunctionOn", {"objectId": target, "functionDeclaration": function,
                                                     "arguments": [{"value": a} for a in (args or [])],
                                                     "returnByValue": True, "awaitPromise": True})
    finally:
        cdp.detach()
    assert "exceptionDetails" not in answer, answer
    return answer["result"].get("value")


CARD_GEOMETRY = """function () {
    const box = (el) => { const r = el.getBoundingClientRect(); return { top: r.top, bottom: r.bottom, left: r.left, right: r.right }; };
    const body = this.querySelector('.body');
    return { card: box(this), pointer: box(this.querySelector('.pointer')), side: this.dataset.side,
             scrolls: body.scrollHeight > body.clientHeight + 1, fontFamily: getComputedStyle(this).fontFamily,
             expanded: this.hasAttribute('data-expanded') };
}"""


def wait_js(page, function: str, timeout: float = 10, message: str | None = None):
    """Poll a JavaScript function in the page until it returns something truthy.

    Not page.wait_for_function: that evaluates a string in the page, which a strict CSP or Trusted Types forbid.
    """
    return wait_for(lambda: page.evaluate(function), timeout=timeout, message=message or function)


def wait_for(check, timeout: float = 10, interval: float = 0.05, message: str = "condition"):
    """Poll `check()` until it returns something truthy."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {message}")
        time.sleep(interval)


def fresh_dir(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path
