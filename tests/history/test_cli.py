"""history/cli.py: `contextcards history search|export|clear`, on the store or through the running server."""

import json
import stat
import subprocess
import sys

import pytest

from contextcards.cli import main
from contextcards.history.service import HistoryService
from contextcards.store import Store

from conftest import annotate_body
from .conftest import Clock, save_page


def seed_cli_history(tmp_path):
    """Two saved pages in the CLI's data dir, written the way the server writes them."""
    store = Store(tmp_path / "cli-data")
    service = HistoryService(store, clock=Clock())
    for url, title, card in [("https://a.example/1", "About DeepSeek", "deepseek"),
                             ("https://b.example/2", "About China", "china")]:
        save_page(service, url, title, [card])
    store.close()


def test_cli_history_search_export_and_clear(runner, tmp_path):
    seed_cli_history(tmp_path)
    result = runner.invoke(main, ["history", "search", "deepseek"])
    assert result.exit_code == 0, result.output
    assert "About DeepSeek" in result.output and "About China" not in result.output
    result = runner.invoke(main, ["history", "export", "--format", "jsonld"])
    assert result.exit_code == 0 and json.loads(result.output)["total"] == 2
    out = tmp_path / "out.csv"
    result = runner.invoke(main, ["history", "export", "--format", "csv", "-o", str(out)])
    assert result.exit_code == 0 and stat.S_IMODE(out.stat().st_mode) == 0o600
    assert out.read_text().count("\n") == 3
    result = runner.invoke(main, ["history", "clear"])
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1 and "--yes" in result.output
    result = runner.invoke(main, ["history", "clear", "--yes"])
    assert result.exit_code == 0 and "deleted 2 saved pages" in result.output
    assert "No saved pages" in runner.invoke(main, ["history", "search"]).output


@pytest.mark.parametrize("args, message", [
    (["history", "search", "--since", "yesterday"], "'since' must be a date"),
    (["history", "export", "--format", "xml"], "xml"),
    (["history", "search", "--site", "a b"], "'site'"),
])
def test_cli_history_errors_are_one_line(runner, args, message):
    result = runner.invoke(main, args)
    assert result.exit_code != 0 and "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert message in result.output and lines[-1].startswith("Error")


@pytest.mark.slow
def test_cli_goes_through_the_running_server_that_holds_the_store(server):
    """With the server up, the CLI may not open the store itself: it asks the server."""
    import urllib.request

    request = urllib.request.Request(f"http://127.0.0.1:{server.port}/v1/annotate", method="POST",
                                     data=json.dumps(annotate_body("DeepSeek.", url="https://cli.example/x")).encode(),
                                     headers={"Authorization": f"Bearer {server.token}",
                                              "Content-Type": "application/json"})
    urllib.request.urlopen(request, timeout=30).read()
    env = {**server.env, "CONTEXTCARDS_PORT": str(server.port)}

    def run(*args):
        return subprocess.run([sys.executable, "-m", "contextcards", "history", *args],
                              env=env, capture_output=True, text=True, timeout=60)

    found = run("search", "deepseek")
    assert found.returncode == 0, found.stderr
    assert "https://cli.example/x" in found.stdout
    cleared = run("clear", "--yes")
    assert cleared.returncode == 0 and "deleted" in cleared.stdout
    assert "No saved pages" in run("search").stdout
