"""`contextcards card add|edit|rm|list` and `pack export|import`: the reader's own cards from the command line.

They change the personal cards file directly (under its lock), as the server does; a running
server picks the change up before its next request.
"""

import json
from pathlib import Path

import click

from ..config import cli_config, ensure_private_dir
from ..errors import ContextCardsError, PackError
from ..knowledge import KINDS, load_pack
from .cards import PersonalCards


def _personal() -> PersonalCards:
    config = cli_config()
    try:
        ensure_private_dir(config.data_dir)
        return PersonalCards(config.data_dir, frozenset(_pack_cards(config)))
    except OSError as exc:
        raise click.ClickException(f"cannot use data directory {config.data_dir}: {exc.strerror}") from None


def _pack_cards(config) -> dict:
    try:
        return load_pack(config.packs, config.bundled_pack).cards
    except PackError as exc:
        raise click.ClickException(f"knowledge pack problem: {exc}") from None


def _run(action):
    """Run a change; an expected failure is one line and exit status 1."""
    try:
        return action()
    except ContextCardsError as exc:
        raise click.ClickException(exc.message) from None
    except OSError as exc:
        raise click.ClickException(f"cannot write your cards: {exc.strerror}") from None


def _fields(title, kind, summary, aliases, wikipedia, facts, as_of) -> dict:
    """The options given, as [[card]] keys (options not given are left out)."""
    given = {"title": title, "kind": kind, "summary": summary, "wikipedia": wikipedia, "as_of": as_of,
             "aliases": list(aliases) or None, "facts": list(facts) or None}
    return {key: value for key, value in given.items() if value is not None}


def card_options(required: bool):
    """The options of add and edit: required to make a card, optional to change one."""
    def wrap(command):
        for option in reversed([
            click.option("--title", required=required, help="The name the card is for."),
            click.option("--kind", type=click.Choice(KINDS), required=required, help="What it is."),
            click.option("--summary", required=required, help="One to three sentences, at most 320 characters."),
            click.option("--alias", "aliases", multiple=True, help="Another name it goes by (repeat)."),
            click.option("--wikipedia", help="The exact English Wikipedia title."),
            click.option("--fact", "facts", multiple=True, help="A short fact (repeat)."),
            click.option("--as-of", "as_of", help="When the facts were checked: YYYY-MM (default: this month)."),
        ]):
            command = option(command)
        return command
    return wrap


@click.group()
def card():
    """Your own cards: they win over the bundled ones and take effect on the next page."""


@card.command("add")
@click.option("--id", "card_id", help="The card's id (default: made from the title); a bundled id overrides it.")
@card_options(required=True)
def add(card_id, title, kind, summary, aliases, wikipedia, facts, as_of):
    """Make a card of your own."""
    raw = _fields(title, kind, summary, aliases, wikipedia, facts, as_of)
    made = _run(lambda: _personal().add({"id": card_id, **raw} if card_id else raw))
    click.echo(f"added {made.id}")


@card.command("edit")
@click.argument("card_id")
@card_options(required=False)
def edit(card_id, title, kind, summary, aliases, wikipedia, facts, as_of):
    """Change one of your cards, or a bundled card (which makes your own copy of it)."""
    personal = _personal()
    current = personal.get(card_id) or _pack_cards(cli_config()).get(card_id)
    if current is None:
        raise click.ClickException(f"there is no card {card_id!r}; make one with `contextcards card add`")
    changes = _fields(title, kind, summary, aliases, wikipedia, facts, as_of)
    if not changes:
        raise click.ClickException("nothing to change: give at least one of --title, --kind, --summary, ...")
    table = {**current.to_pack(), **changes}  # facts keep their as_of unless told (an undated card gets this month)
    edited, created = _run(lambda: personal.put(card_id, table))
    click.echo(f"{'added your own copy of' if created else 'changed'} {edited.id}")


@card.command("rm")
@click.argument("card_id")
def remove(card_id):
    """Delete one of your cards (a bundled card it replaced shows again)."""
    _run(lambda: _personal().delete(card_id))
    click.echo(f"deleted {card_id}")


@card.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the cards as the API shows them.")
def list_cards(as_json):
    """List your own cards."""
    cards = _personal().list()
    if as_json:
        click.echo(json.dumps([c.to_json() for c in cards], ensure_ascii=False, indent=2))
    elif not cards:
        click.echo("You have no cards of your own yet.")
    for made in [] if as_json else cards:
        click.echo(f"{made.id:<30} {made.kind:<8} {made.title}")


@click.command("export")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
def export(file):
    """Write your own cards to FILE as a pack file (for another machine or a colleague)."""
    personal = _personal()
    text = personal.export_text()
    try:
        file.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"cannot write {file}: {exc.strerror}") from None
    count = len(personal.cards)
    click.echo(f"exported {count} card{'s' if count != 1 else ''} to {file}")


@click.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
def import_(file):
    """Merge the cards of a pack file into your own: say what was added, replaced and refused."""
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise click.ClickException(f"no such file: {file}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise click.ClickException(f"cannot read {file}: {getattr(exc, 'strerror', None) or 'not UTF-8'}") from None
    report = _run(lambda: _personal().import_text(text, str(file)))
    for line in report.refused:
        click.echo(f"refused: {line}")
    click.echo(f"added {len(report.added)}, replaced {len(report.replaced)}, unchanged {len(report.unchanged)}, "
               f"refused {len(report.refused)}")
    if report.refused:
        raise SystemExit(1)

