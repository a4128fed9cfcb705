"""A full or read-only disk: the real server starts anyway, says so, answers 507/503 JSON, leaves no temp file.

Each scenario runs the real `contextcards serve` on a real small tmpfs (mounted in a user
and mount namespace with `unshare`, so no root is needed), filled to the last block or
remounted read-only after a few pages were saved.
"""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parents[1] / "fixtures"

SCENARIO = r'''
import http.client, json, os, socket, subprocess, sys, time
from pathlib import Path

mode, work, pack = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
data = work / "data"
subprocess.run(["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(data)], check=True)
env = {**os.environ, "CONTEXTCARDS_DATA_DIR": str(data), "CONTEXTCARDS_OFFLINE": "1",
       "CONTEXTCARDS_PACKS": pack, "CONTEXTCARDS_BUNDLED_PACK": "0"}
os.environ.update(env)

# A history of three pages and a token, written while the disk is fine.
from contextcards.annotate import AnnotateRequest
from contextcards.history.service import HistoryService
from contextcards.store import Store
store = Store(data)
history = HistoryService(store)
ids = [history.record_visit(AnnotateRequest(url=f"https://a.example/{n}", title=f"page {n}", blocks=[("b0", "t")]), [])
       for n in range(3)]
getattr(history, "close", lambda: None)()  # a snapshot of the index (the code before it had none)
store.close()
token = subprocess.run([sys.executable, "-m", "contextcards", "token"], env=env, capture_output=True, text=True,
                       check=True).stdout.strip()

if mode == "full":
    with open(data / "filler", "wb") as filler:
        try:
            while True:
                filler.write(b"\0" * 65536)
                filler.flush()
        except OSError:
            pass
else:
    subprocess.run(["mount", "-o", "remount,ro", str(data)], check=True)

with socket.socket() as sock:
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
out, err = open(work / "stdout", "wb"), open(work / "stderr", "wb")
server = subprocess.Popen([sys.executable, "-m", "contextcards", "serve", "--port", str(port)], stdout=out,
                          stderr=err, env=env)
deadline = time.monotonic() + 90
while time.monotonic() < deadline and server.poll() is None:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        break
    except OSError:
        time.sleep(0.2)


def call(method, path, body=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request(method, path, body=json.dumps(body).encode() if body is not None else None,
                       headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
    response = connection.getresponse()
    raw = response.read()
    connection.close()
    try:
        parsed = json.loads(raw)
    except ValueError:
        parsed = raw.decode(errors="replace")
    return [response.status, parsed]


seen = {"started": server.poll() is None}
if seen["started"]:
    seen["health"] = call("GET", "/health")
    seen["annotate"] = call("POST", "/v1/annotate", {"url": "https://a.example/new", "title": "new",
                                                     "blocks": [{"id": "b0", "text": "DeepSeek trained a model."}]})
    seen["delete"] = call("DELETE", f"/v1/history/{ids[0]}")
    seen["after delete"] = call("GET", f"/v1/history/{ids[0]}")
    seen["settings"] = call("POST", "/v1/settings", {"site_rules": {"b.example": "never"}})
    seen["feedback"] = call("POST", "/v1/feedback", {"card": "deepseek", "action": "mute"})
    seen["settings after"] = call("GET", "/v1/settings")
    seen["clear"] = call("DELETE", "/v1/history?confirm=yes")
    seen["after clear"] = call("GET", "/v1/history")
    seen["pair"] = call("POST", "/v1/pair", {"code": "ABCD-EFGH"})
    seen["alive"] = server.poll() is None
    server.terminate()
    server.wait(timeout=30)
out.close()
err.close()
seen["ids"] = ids
seen["stdout"] = (work / "stdout").read_text()
seen["stderr"] = (work / "stderr").read_text()
seen["temp files"] = [str(p.relative_to(data)) for p in data.rglob("*") if p.name.endswith(".tmp")]
print(json.dumps(seen))
'''


def run_scenario(tmp_path, mode: str) -> dict:
    (tmp_path / "data").mkdir()
    done = subprocess.run(["unshare", "-Urm", sys.executable, "-c", SCENARIO, mode, str(tmp_path),
                           str(FIXTURES / "mini-pack.toml")], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def unshare_works() -> bool:
    if not shutil.which("unshare"):
        return False
    return subprocess.run(["unshare", "-Urm", "true"], capture_output=True).returncode == 0


needs_namespaces = pytest.mark.skipif(not unshare_works(), reason="needs user and mount namespaces (unshare -Urm)")


def assert_storage_error(answer, status, code):
    assert answer[0] == status and answer[1]["error"]["code"] == code, answer


@needs_namespaces
@pytest.mark.parametrize("mode, status, code", [("full", 507, "insufficient_storage"),
                                                ("read-only", 503, "storage_read_only")])
def test_a_sick_disk_at_start_leaves_the_server_up_degraded_with_clear_json_errors(tmp_path, mode, status, code):
    seen = run_scenario(tmp_path, mode)
    assert seen["started"] and seen["alive"], seen["stderr"][-2000:]
    assert "Traceback" not in seen["stderr"] and "Traceback" not in seen["stdout"]
    assert len([line for line in seen["stderr"].splitlines() if "history is read-only" in line]) == 1
    health = seen["health"]
    assert health[0] == 200 and health[1]["status"] == "degraded"
    assert any(reason.startswith("history read-only") for reason in health[1]["degraded"])
    assert health[1]["history"]["pages"] == 3
    assert seen["annotate"][0] == 200 and "deepseek" in seen["annotate"][1]["cards"], "cards still come"
    assert_storage_error(seen["delete"], status, code)
    assert seen["after delete"][0] == 200, "a delete that did not happen is not claimed"
    assert_storage_error(seen["settings"], status, code)
    assert_storage_error(seen["feedback"], status, code)
    assert seen["settings after"][1] == {"muted": [], "corrections": [], "site_rules": {}}
    if mode == "read-only":
        assert_storage_error(seen["clear"], status, code)
        assert seen["after clear"][1]["total"] == 3
    else:  # removing files frees space, so clearing a full disk works, and then it really is empty
        assert seen["clear"] == [200, {"deleted": 3}] and seen["after clear"][1]["total"] == 0
    assert seen["pair"][0] in (401, 403, status), seen["pair"]
    assert "pairing code: none" in seen["stdout"]
    assert seen["temp files"] == []
