"""The command line: serve, annotate a file, inspect the knowledge pack."""

import json
import logging
import sys
from pathlib import Path

import click

from . import __version__
from .annotate import AnnotateRequest, HistoryUse, to_json
from .app import create_app
from .config import cli_config, ensure_private_dir
from .errors import ContextCardsError, PackError
from .history.cli import history
from .knowledge import DATED_KINDS, check_pack_file, load_pack, read_pack_file, undated_warnings
from .page_text import html_blocks, text_blocks
from .pairing import CODE_LIFETIME, load_or_create_token, new_pairing_code, start_line
from .personal.cli import card, export, import_
from .wikipedia import start_background_refresh
from .serving import make_server
from .wikipedia.cli import cache, refresh

CLI_WIKIPEDIA_BUDGET_MS = 5000


def _app(config):
    try:
        return create_app(config)
    except PackError as exc:
        raise click.ClickException(f"knowledge pack problem: {exc}") from None
    except OSError as exc:
        raise click.ClickException(f"cannot use data directory {config.data_dir}: {exc.strerror}") from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="contextcards")
def main():
    """Context Cards: background cards for the names and policy terms in what you read."""


@main.command()
@click.option("--port", type=click.IntRange(1, 65535), help="Port on 127.0.0.1 (default 8731).")
def serve(port):
    """Start the local server on 127.0.0.1."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    config = cli_config(port=port)
    app = _app(config)
    try:
        server = make_server(app, config.port, config.max_body_bytes)
    except OSError as exc:
        raise click.ClickException(f"cannot listen on 127.0.0.1:{config.port}: {exc.strerror}") from None
    health = app.extensions["contextcards"].health()
    base = f"http://127.0.0.1:{config.port}"
    click.echo(f"Context Cards {__version__} listening on {base}")
    click.echo(f"  knowledge pack: {health['pack_size']} cards; model: {health['model'] or 'none'}")
    for reason in health["degraded"]:
        click.echo(f"  degraded: {reason}")
    if start_background_refresh(app):
        click.echo("  pack summaries: refreshed from Wikipedia in the background while idle (progress in the log)")
    try:
        click.echo(f"  {start_line(config.data_dir)}")
    except OSError as exc:
        click.echo(f"  pairing code: none ({exc.strerror}); free the disk, then run `contextcards pair`")
    click.echo(f"  demo page: {base}/demo")
    click.echo("  extension: load the extension/ folder unpacked in chrome://extensions (Developer mode)")
    sys.stdout.flush()
    try:
        server.run()
    except KeyboardInterrupt:
        click.echo("stopped")


@main.command()
def pair():
    """Print a fresh pairing code for the extension (valid 10 minutes)."""
    config = cli_config()
    try:
        ensure_private_dir(config.data_dir)
        load_or_create_token(config.data_dir)
        code = new_pairing_code(config.data_dir)
    except OSError as exc:
        raise click.ClickException(f"cannot write to {config.data_dir}: {exc.strerror}") from None
    click.echo(f"pairing code: {code} (valid 10 minutes; enter it in the extension's popup or options)")


@main.command()
def token():
    """Print this install's API token, for scripts (keep it secret)."""
    config = cli_config()
    try:
        ensure_private_dir(config.data_dir)
        click.echo(load_or_create_token(config.data_dir))
    except OSError as exc:
        raise click.ClickException(f"cannot write to {config.data_dir}: {exc.strerror}") from None


def _read_blocks(source: str) -> tuple[str, list[str]]:
    try:
        if source == "-":
            text = sys.stdin.read()
        else:
            text = Path(source).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise click.ClickException(f"no such file: {source}") from None
    except IsADirectoryError:
        raise click.ClickException(f"{source} is a folder, not a file") from None
    except UnicodeDecodeError:
        raise click.ClickException(f"{source} is not UTF-8 text") from None
    except OSError as exc:
        raise click.ClickException(f"cannot read {source}: {exc.strerror}") from None
    is_html = source.lower().endswith((".html", ".htm")) or text.lstrip()[:15].lower().startswith(("<!doctype", "<html"))
    return text, html_blocks(text) if is_html else text_blocks(text)


@main.command()
@click.argument("source")
@click.option("--json", "as_json", is_flag=True, help="Print the same JSON as the API answer.")
@click.option("--all", "all_mentions", is_flag=True, help="Every mention, not only the first of each card.")
def annotate(source, as_json, all_mentions):
    """Annotate a text or HTML file (or - for standard input); nothing is saved."""
    _, blocks = _read_blocks(source)
    # A one-shot command can wait for Wikipedia longer than a page being read would.
    config = cli_config(wikipedia_budget_ms=CLI_WIKIPEDIA_BUDGET_MS)
    app = _app(config)
    request = AnnotateRequest(url="", title=source, blocks=[(f"b{i}", t) for i, t in enumerate(blocks)],
                              history=HistoryUse.NONE, all_mentions=all_mentions)
    try:
        answer = to_json(app.extensions["contextcards"].annotator.annotate(request))
    except ContextCardsError as exc:
        raise click.ClickException(exc.message) from None
    if as_json:
        click.echo(json.dumps(answer, ensure_ascii=False, indent=2))
        return
    if not answer["annotations"]:
        click.echo("No cards found.")
        return
    rows = [(a["block"], f"{a['start']}-{a['end']}", a["text"], answer["cards"][a["card"]]["title"],
             answer["cards"][a["card"]]["kind"], f"{a['confidence']:.2f}") for a in answer["annotations"]]
    header = ("block", "offsets", "mention", "card", "kind", "conf")
    widths = [min(40, max(len(str(r[i])) for r in [header, *rows])) for i in range(len(header))]
    for row in [header, *rows]:
        click.echo("  ".join(str(cell)[:40].ljust(w) for cell, w in zip(row, widths)).rstrip())


@main.group()
def pack():
    """Inspect and check knowledge packs; export and import your own cards."""


@pack.command()
def stats():
    """Count the cards of the bundled pack (and CONTEXTCARDS_PACKS) by kind."""
    try:
        config = cli_config()
        loaded = load_pack(config.packs, config.bundled_pack)
    except PackError as exc:
        raise click.ClickException(str(exc)) from None
    for kind, count in loaded.stats().items():
        click.echo(f"{kind:<8} {count:>5}")
    click.echo(f"{'total':<8} {len(loaded):>5}")
    current = loaded.currency()
    click.echo(f"as_of: {current['dated']} of {current['dated_of']} {'/'.join(DATED_KINDS)} cards "
               f"({_share(current['dated'], current['dated_of'])}); oldest {current['oldest'] or '-'}, "
               f"newest {current['newest'] or '-'}")
    click.echo(f"wikipedia: {current['wikipedia']} of {current['cards']} cards "
               f"({_share(current['wikipedia'], current['cards'])}) name their article")


def _share(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


@pack.command()
@click.argument("file", type=click.Path(path_type=Path))
def check(file):
    """Validate a pack file: one line per problem, exit 1 if there are any; warnings alone do not fail it."""
    problems = check_pack_file(file)
    for problem in problems:
        click.echo(problem)
    if problems:
        sys.exit(1)
    warnings = undated_warnings(read_pack_file(file)[0], file)
    for warning in warnings:
        click.echo(warning)
    click.echo(f"{file}: ok" + (f" ({len(warnings)} warning{'s' if len(warnings) != 1 else ''})" if warnings else ""))

main.add_command(history)
main.add_command(cache)
main.add_command(card)
pack.add_command(refresh)
pack.add_command(export)
pack.add_command(import_)
