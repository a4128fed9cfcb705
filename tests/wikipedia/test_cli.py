"""wikipedia/cli.py: `contextcards pack refresh` and `contextcards cache clear`."""

import subprocess
import sys

import pytest

from contextcards.app import create_app
from contextcards.cli import main

from conftest import FIXTURES, make_config


HOLD_STORE = """
import sys
from contextcards.store import Store
store = Store(sys.argv[1])
print("holding", flush=True)
sys.stdin.read()
store.close()
"""


@pytest.fixture
def cli(runner, monkeypatch, wiki):
    monkeypatch.setenv("CONTEXTCARDS_PACKS", str(FIXTURES / "mini-pack.toml"))
    monkeypatch.setenv("CONTEXTCARDS_BUNDLED_PACK", "0")
    monkeypatch.setenv("CONTEXTCARDS_WIKIPEDIA_API", wiki.url)
    monkeypatch.delenv("CONTEXTCARDS_OFFLINE")
    return runner


def test_pack_refresh_fetches_summaries_that_the_app_then_prefers_online(cli, wiki, tmp_path):
    wiki.add("Li Qiang", "Li Qiang (born 1959) is a Chinese politician who has been premier since 2023.",
             "Premier of China")
    wiki.add("China", "China is a country in East Asia.", "Country in East Asia")
    result = cli.invoke(main, ["pack", "refresh", "--only", "li-qiang,china", "--only", "deepseek"])
    assert result.exit_code == 0, result.output
    assert "deepseek: 'DeepSeek' is missing on Wikipedia" in result.output
    assert "refreshed 2 of 3" in result.output
    assert len(wiki.requests) == 1
    data = tmp_path / "cli-data"
    config = make_config(tmp_path, data_dir=data, offline=False, wikipedia_api=wiki.url)
    app = create_app(config)
    try:
        card = app.extensions["contextcards"].find_card("li-qiang").to_json()
        assert card["summary"] == "Li Qiang (born 1959) is a Chinese politician who has been premier since 2023."
        assert card["source"] == "wikipedia" and card["facts"] == ["Born: 1959", "Premier since: 2023"]
    finally:
        app.extensions["contextcards_wikipedia"].close()
    offline = create_app(config.with_overrides(offline=True))
    assert offline.extensions["contextcards"].find_card("li-qiang").summary == "Premier of China since 2023."
    assert (FIXTURES / "mini-pack.toml").read_text().count("Premier of China since 2023.") == 1


def test_cache_clear_forgets_everything(cli, wiki, tmp_path):
    assert cli.invoke(main, ["pack", "refresh", "--only", "china"]).exit_code == 0
    result = cli.invoke(main, ["cache", "clear"])
    assert result.exit_code == 0 and "cleared 0 cached Wikipedia entries" in result.output
    wiki.add("China", "China is a country in East Asia.", "Country in East Asia")
    assert cli.invoke(main, ["pack", "refresh", "--only", "china"]).exit_code == 0
    result = cli.invoke(main, ["cache", "clear"])
    assert result.exit_code == 0 and "cleared 1 cached Wikipedia entry" in result.output


@pytest.mark.parametrize("args, env, message", [
    (["pack", "refresh", "--only", "nope"], {}, "there is no pack card with id 'nope'"),
    (["pack", "refresh", "--only", "export-controls"], {}, "has no Wikipedia title"),
    (["pack", "refresh"], {"CONTEXTCARDS_OFFLINE": "1"}, "CONTEXTCARDS_OFFLINE is set"),
    (["pack", "refresh"], {"CONTEXTCARDS_WIKIPEDIA_API": "http://127.0.0.1:9/w/api.php"}, "cannot reach"),
])
def test_cli_errors_are_one_readable_line(cli, monkeypatch, args, env, message):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = cli.invoke(main, args)
    assert result.exit_code != 0
    lines = [line for line in result.output.splitlines() if line.startswith("Error")]
    assert len(lines) == 1 and message in lines[0], result.output
    assert "Traceback" not in result.output


def test_cache_commands_refuse_while_another_process_holds_the_store(cli, tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", HOLD_STORE, str(tmp_path / "cli-data")],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        result = cli.invoke(main, ["cache", "clear"])
    finally:
        holder.communicate("")
    assert result.exit_code != 0 and "the server is running" in result.output


def test_budget_setting_is_read_from_the_environment():
    from contextcards.config import config_from_env

    assert config_from_env({}).wikipedia_budget_ms == 300
    assert config_from_env({"CONTEXTCARDS_WIKIPEDIA_BUDGET_MS": "50"}).wikipedia_budget_ms == 50
