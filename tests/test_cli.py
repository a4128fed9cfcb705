"""The command line: annotate files, pack tools, and one readable line on every error."""

import json

import pytest

from contextcards.cli import main

from conftest import FIXTURES


@pytest.fixture
def mini(monkeypatch, runner):
    """The CLI on the small test pack alone, so answers do not change as the bundled pack grows."""
    monkeypatch.setenv("CONTEXTCARDS_PACKS", str(FIXTURES / "mini-pack.toml"))
    monkeypatch.setenv("CONTEXTCARDS_BUNDLED_PACK", "0")
    return runner


def test_version(runner):
    result = runner.invoke(main, ["--version"])
    assert result.exit_code == 0 and "0.1.0" in result.output


def test_annotate_text_file_as_json_matches_api_shape(mini, tmp_path):
    article = tmp_path / "a.txt"
    article.write_text("Xi Jinping praised DeepSeek.\n\nXi spoke again.\n", encoding="utf-8")
    result = mini.invoke(main, ["annotate", str(article), "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert set(body) == {"page_id", "annotations", "cards"}
    texts = {(a["block"], a["text"], a["card"]) for a in body["annotations"]}
    assert ("b0", "Xi Jinping", "xi-jinping") in texts and ("b0", "DeepSeek", "deepseek") in texts


def test_annotate_html_file_is_reduced_to_text(mini, tmp_path):
    page = tmp_path / "a.html"
    page.write_text("<html><body><nav>China</nav><p><b>Deep</b>Seek said</p><script>var x='China';</script>"
                    "<pre>China</pre></body></html>", encoding="utf-8")
    result = mini.invoke(main, ["annotate", str(page), "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert [(a["text"], a["card"]) for a in body["annotations"]] == [("DeepSeek", "deepseek")]


def test_annotate_stdin_prints_a_table(mini):
    result = mini.invoke(main, ["annotate", "-"], input="DeepSeek and China.")
    assert result.exit_code == 0
    assert "DeepSeek" in result.output and "org" in result.output and "conf" in result.output


@pytest.mark.parametrize(
    "args, message",
    [
        (["annotate", "/no/such/file.txt"], "no such file"),
        (["annotate", "/"], "folder"),
    ],
)
def test_cli_errors_are_one_line_and_non_zero(runner, args, message):
    result = runner.invoke(main, args)
    assert result.exit_code != 0
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in result.output


def test_annotate_binary_file_is_a_clear_error(runner, tmp_path):
    blob = tmp_path / "blob.txt"
    blob.write_bytes(b"\xff\xfe\x00\x80garbage")
    result = runner.invoke(main, ["annotate", str(blob)])
    assert result.exit_code == 1 and "not UTF-8" in result.output


def test_pack_check_reports_each_problem_on_its_own_line(runner, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[card]]\nid = "Bad Id"\ntitle = "X"\nkind = "thing"\nsummary = "<b>x</b>"\n', encoding="utf-8")
    result = runner.invoke(main, ["pack", "check", str(bad)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert any("id must be" in l for l in lines) and any("kind must be" in l for l in lines)
    assert any("plain text" in l for l in lines)


def test_pack_check_accepts_a_good_file(runner, tmp_path):
    good = tmp_path / "good.toml"
    good.write_text('[[card]]\nid = "zz-test-widget"\ntitle = "Zorblax Widget Initiative"\nkind = "policy"\n'
                    'summary = "A made-up programme used only in tests."\nfacts = ["Made up: yes", "Used: tests"]\n'
                    'as_of = "2026-11"\n',
                    encoding="utf-8")
    result = runner.invoke(main, ["pack", "check", str(good)])
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith(": ok")


def test_pack_check_on_invalid_toml(runner, tmp_path):
    broken = tmp_path / "broken.toml"
    broken.write_text("[[card]\n", encoding="utf-8")
    result = runner.invoke(main, ["pack", "check", str(broken)])
    assert result.exit_code == 1 and "not valid TOML" in result.output


def test_pack_stats_counts_by_kind(runner):
    result = runner.invoke(main, ["pack", "stats"])
    assert result.exit_code == 0
    assert "person" in result.output and "total" in result.output


def test_broken_user_pack_is_one_line(runner, monkeypatch, tmp_path):
    broken = tmp_path / "mine.toml"
    broken.write_text("[[card]]\nid = 'x'\n", encoding="utf-8")
    monkeypatch.setenv("CONTEXTCARDS_PACKS", str(broken))
    result = runner.invoke(main, ["annotate", "-"], input="text")
    assert result.exit_code == 1
    assert len(result.output.strip().splitlines()) == 1 and "mine.toml" in result.output
