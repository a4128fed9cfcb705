"""The reader's own cards: API, file, live reload, restart, export/import, CLI, Wikipedia suggestions."""

import json
import stat

import pytest

from contextcards.app import create_app
from contextcards.cli import main
from contextcards.knowledge import check_pack_file, read_pack_file

from conftest import FIXTURES, annotate_body, assert_error, loopback_client, make_config
from fake_mediawiki import FakeMediaWiki

PAGE = "Zorblax Industries said on Monday that it would build a plant near the coast."
ZORBLAX = {"title": "Zorblax Industries", "kind": "org", "summary": "A maker of imaginary widgets.",
           "aliases": ["Zorblax"], "facts": ["Founded: 2020"]}


def linked(client, *texts) -> dict[str, str]:
    """Mention text -> card id for an annotate of these blocks."""
    answer = client.post("/v1/annotate", json=annotate_body(*texts)).get_json()
    return {a["text"]: a["card"] for a in answer["annotations"]}


def test_a_card_made_through_the_api_links_on_the_next_annotate(client):
    assert "Zorblax Industries" not in linked(client, PAGE)
    response = client.post("/v1/cards", json=ZORBLAX)
    assert response.status_code == 201
    card = response.get_json()
    assert card["id"] == "zorblax-industries" and card["source"] == "personal"
    assert response.headers["Location"] == "/v1/cards/zorblax-industries"
    assert card["as_of"]  # dated when it was made
    assert linked(client, PAGE) == {"Zorblax Industries": "zorblax-industries"}
    assert client.get("/v1/cards/zorblax-industries").get_json()["summary"] == ZORBLAX["summary"]


def test_personal_cards_survive_a_restart(config):
    client = loopback_client(create_app(config))
    assert client.post("/v1/cards", json=ZORBLAX).status_code == 201
    again = loopback_client(create_app(config))
    assert linked(again, PAGE) == {"Zorblax Industries": "zorblax-industries"}
    listed = again.get("/v1/cards?source=personal").get_json()["cards"]
    assert [c["id"] for c in listed] == ["zorblax-industries"]


def test_the_file_is_a_valid_private_pack_file(client, config):
    client.post("/v1/cards", json=ZORBLAX)
    path = config.data_dir / "personal-cards.toml"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert check_pack_file(path) == []
    cards, problems = read_pack_file(path)
    assert problems == [] and [c.id for c in cards] == ["zorblax-industries"]
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


@pytest.mark.parametrize("change, message", [
    ({"kind": "thing"}, "kind must be one of"),
    ({"summary": "<b>bold</b> claims"}, "summary must be plain text, not markup"),
    ({"summary": "x" * 321}, "summary is 321 characters; the limit is 320"),
    ({"as_of": "last June"}, "as_of must look like YYYY, YYYY-MM or YYYY-MM-DD"),
    ({"id": "Not An Id"}, "id must be lowercase letters, digits and single hyphens"),
    ({"colour": "red"}, "unknown keys: colour"),
    ({"aliases": "Zorblax"}, "aliases must be a list of non-empty strings"),
])
def test_a_bad_card_gets_422_with_the_line_pack_check_would_print(client, config, tmp_path, change, message):
    body = {**ZORBLAX, **change}
    error = assert_error(client.post("/v1/cards", json=body), 422, "invalid_card")
    assert message in error["message"]
    # The same card in a pack file: pack check prints the same problem for it.
    path = config.data_dir / "personal-cards.toml"
    raw = {"id": "zorblax-industries", **body}
    lines = ["[[card]]"] + [f"{k} = {json.dumps(v)}" for k, v in raw.items()]
    path.write_text("\n".join(lines) + "\n")
    assert check_pack_file(path)[0] == error["message"]
    assert client.get("/v1/cards?source=personal").get_json()["cards"] == []


def test_an_alias_clash_with_a_bundled_card_is_refused_with_pack_checks_line(client):
    error = assert_error(client.post("/v1/cards", json={"title": "My DeepSeek", "kind": "org", "summary": "Mine.",
                                                         "aliases": ["DeepSeek"]}), 409, "card_clash")
    assert "alias 'deepseek' leads to deepseek, my-deepseek" in error["message"]


def test_a_personal_card_overrides_a_bundled_one_and_deleting_it_restores_it(client):
    bundled = client.get("/v1/cards/deepseek").get_json()
    mine = {**{k: bundled[k] for k in ("title", "kind", "wikipedia")}, "summary": "My own note on DeepSeek."}
    response = client.put("/v1/cards/deepseek", json=mine)
    assert response.status_code == 201
    answer = client.post("/v1/annotate", json=annotate_body("DeepSeek trained on older chips.")).get_json()
    assert answer["cards"]["deepseek"]["summary"] == "My own note on DeepSeek."
    assert answer["cards"]["deepseek"]["source"] == "personal"
    # Changing it again is 200; the body may be the card as GET shows it.
    shown = client.get("/v1/cards/deepseek").get_json()
    assert client.put("/v1/cards/deepseek", json={**shown, "summary": "Changed."}).status_code == 200
    deleted = client.delete("/v1/cards/deepseek")
    assert deleted.status_code == 200 and deleted.get_json()["restored"]["summary"] == bundled["summary"]
    answer = client.post("/v1/annotate", json=annotate_body("DeepSeek trained on older chips.")).get_json()
    assert answer["cards"]["deepseek"]["source"] == "pack"


def test_errors_of_the_card_routes(client):
    assert client.post("/v1/cards", json={**ZORBLAX, "id": "zorblax"}).status_code == 201
    assert_error(client.post("/v1/cards", json={**ZORBLAX, "id": "zorblax"}), 409, "card_exists")
    assert_error(client.delete("/v1/cards/deepseek"), 404)  # a bundled card is not the reader's to delete
    assert_error(client.put("/v1/cards/zorblax", json={**ZORBLAX, "id": "other"}), 422)
    assert_error(client.post("/v1/cards", data="[", content_type="application/json"), 400)
    assert_error(client.post("/v1/cards", json=["not", "a", "card"]), 422)
    assert_error(client.post("/v1/cards", data="x", content_type="text/plain"), 415)
    assert_error(client.post("/v1/cards", json={**ZORBLAX, "id": "blank", "title": ""}), 422)
    assert_error(client.get("/v1/cards?source=pack"), 422)
    assert_error(client.get("/v1/cards", headers={"Authorization": "Bearer wrong"}), 401)


def test_a_title_that_makes_a_bundled_id_gets_its_own(client):
    card = client.post("/v1/cards", json={"title": "Deepseek!", "kind": "concept", "summary": "A word."})
    # Its slug is a loaded card's id: made without an id, it must not replace that card by accident.
    assert card.status_code == 201 and card.get_json()["id"] == "deepseek-2"
    assert client.get("/v1/cards/deepseek").get_json()["source"] == "pack"


def test_a_change_to_the_file_by_another_process_takes_effect_without_a_restart(client, config, runner, monkeypatch):
    monkeypatch.setenv("CONTEXTCARDS_DATA_DIR", str(config.data_dir))
    monkeypatch.setenv("CONTEXTCARDS_BUNDLED_PACK", "0")
    monkeypatch.setenv("CONTEXTCARDS_PACKS", str(FIXTURES / "mini-pack.toml"))
    assert "Zorblax Industries" not in linked(client, PAGE)
    result = runner.invoke(main, ["card", "add", "--title", "Zorblax Industries", "--kind", "org",
                                  "--summary", "A maker of imaginary widgets."])
    assert result.exit_code == 0, result.output
    assert linked(client, PAGE) == {"Zorblax Industries": "zorblax-industries"}
    assert runner.invoke(main, ["card", "rm", "zorblax-industries"]).exit_code == 0
    assert "Zorblax Industries" not in linked(client, PAGE)


def test_a_broken_file_is_left_alone_and_reported(client, config):
    client.post("/v1/cards", json=ZORBLAX)
    path = config.data_dir / "personal-cards.toml"
    path.write_text(path.read_text() + "\n[[card]]\nid = 'broken\n")
    assert linked(client, PAGE) == {"Zorblax Industries": "zorblax-industries"}  # the last good cards
    health = client.get("/health").get_json()
    assert health["status"] == "degraded" and any("not valid TOML" in reason for reason in health["degraded"])
    assert_error(client.post("/v1/cards", json={**ZORBLAX, "id": "other", "title": "Other Co",
                                                "aliases": []}), 409, "personal_cards_broken")
    assert "id = 'broken" in path.read_text()


def test_export_and_import_round_trip_to_a_fresh_data_directory(runner, tmp_path, monkeypatch):
    monkeypatch.setenv("CONTEXTCARDS_BUNDLED_PACK", "0")
    monkeypatch.setenv("CONTEXTCARDS_PACKS", str(FIXTURES / "mini-pack.toml"))
    first = make_config(tmp_path / "one")
    client = loopback_client(create_app(first))
    assert client.post("/v1/cards", json=ZORBLAX).status_code == 201
    bundled = client.get("/v1/cards/deepseek").get_json()
    assert client.put("/v1/cards/deepseek", json={**bundled, "summary": "Mine."}).status_code == 201
    exported = tmp_path / "mine.toml"
    monkeypatch.setenv("CONTEXTCARDS_DATA_DIR", str(first.data_dir))
    result = runner.invoke(main, ["pack", "export", str(exported)])
    assert result.exit_code == 0 and "exported 2 cards" in result.output
    assert runner.invoke(main, ["pack", "check", str(exported)]).exit_code == 0

    fresh = make_config(tmp_path / "two")
    monkeypatch.setenv("CONTEXTCARDS_DATA_DIR", str(fresh.data_dir))
    result = runner.invoke(main, ["pack", "import", str(exported)])
    assert result.exit_code == 0, result.output
    assert "added 2, replaced 0, unchanged 0, refused 0" in result.output
    other = loopback_client(create_app(fresh))
    assert linked(other, PAGE) == {"Zorblax Industries": "zorblax-industries"}
    assert other.get("/v1/cards/deepseek").get_json()["summary"] == "Mine."
    assert other.get("/v1/cards?source=personal").get_json() == client.get("/v1/cards?source=personal").get_json()

    colleague = tmp_path / "colleague.toml"
    colleague.write_text('[[card]]\nid = "zorblax-industries"\ntitle = "Zorblax Industries"\nkind = "org"\n'
                         'summary = "Better words."\n\n[[card]]\nid = "bad"\ntitle = "Bad"\nkind = "thing"\n'
                         'summary = "x"\n\n[[card]]\nid = "new-one"\ntitle = "Quillon Labs"\nkind = "org"\n'
                         'summary = "A lab."\nas_of = "2026-11"\n')
    result = runner.invoke(main, ["pack", "import", str(colleague)])
    assert result.exit_code == 1
    assert f"refused: {colleague}: card 2 (bad): kind must be one of" in result.output
    assert "added 1, replaced 1, unchanged 0, refused 1" in result.output
    assert other.get("/v1/cards/zorblax-industries").get_json()["summary"] == "Better words."


def test_cli_card_commands(runner):
    result = runner.invoke(main, ["card", "add", "--title", "Quillon Labs", "--kind", "org", "--summary", "A lab.",
                                  "--alias", "Quillon", "--fact", "Founded: 2024", "--as-of", "2026-11"])
    assert result.exit_code == 0 and result.output == "added quillon-labs\n"
    result = runner.invoke(main, ["card", "edit", "quillon-labs", "--summary", "A research lab."])
    assert result.exit_code == 0 and "changed quillon-labs" in result.output
    listed = json.loads(runner.invoke(main, ["card", "list", "--json"]).output)
    assert listed[0]["summary"] == "A research lab." and listed[0]["as_of"] == "2026-11"
    assert listed[0]["facts"] == ["Founded: 2024"]
    result = runner.invoke(main, ["card", "add", "--title", "X", "--kind", "org", "--summary", "<i>x</i>"])
    assert result.exit_code == 1 and "summary must be plain text" in result.output
    assert "Traceback" not in result.output
    assert runner.invoke(main, ["card", "rm", "nope"]).exit_code == 1
    assert runner.invoke(main, ["card", "edit", "nope", "--summary", "x"]).exit_code == 1
    assert runner.invoke(main, ["card", "rm", "quillon-labs"]).exit_code == 0
    assert "no cards of your own" in runner.invoke(main, ["card", "list"]).output


def test_import_of_a_file_that_is_not_a_pack(runner, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("this is = = not toml")
    result = runner.invoke(main, ["pack", "import", str(bad)])
    assert result.exit_code == 1 and "not valid TOML" in result.output
    result = runner.invoke(main, ["pack", "import", str(tmp_path / "missing.toml")])
    assert result.exit_code == 1 and "no such file" in result.output


def test_suggestions_offer_wikipedias_top_matches_online_and_nothing_offline(client, tmp_path):
    assert client.get("/v1/card-suggestions?name=Lisa%20Su").get_json() == {"wikipedia": "off", "suggestions": []}
    assert_error(client.get("/v1/card-suggestions?name="), 422)
    with FakeMediaWiki() as wiki:
        wiki.add("Lisa Su", "Lisa Su (born 7 November 1969) is a Taiwanese-American business executive. "
                 "She is the chief executive of AMD.", "Taiwanese-American business executive")
        wiki.add("Lisa Sue Smith", "Lisa Sue Smith is a fictional painter in a novel.", "Fictional character")
        online = loopback_client(create_app(make_config(tmp_path / "online", offline=False,
                                                        wikipedia_api=wiki.url)))
        answer = online.get("/v1/card-suggestions?name=Lisa%20Su").get_json()
    assert answer["wikipedia"] == "on"
    first = answer["suggestions"][0]
    assert first["title"] == "Lisa Su" and first["kind"] == "person"
    assert first["summary"].startswith("Lisa Su (born 7 November 1969) is a Taiwanese-American")
    made = online.post("/v1/cards", json={k: first[k] for k in ("title", "kind", "summary", "wikipedia")})
    assert made.status_code == 201 and made.get_json()["url"] == "https://en.wikipedia.org/wiki/Lisa_Su"
