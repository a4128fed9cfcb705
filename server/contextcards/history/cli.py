"""`contextcards history search|export|clear`: on the store directly, or through the running server that holds it.

Only one process may have the store open (store.py); when the server is running the
commands ask it over its loopback API with the install's token, so they never write
behind its back.
"""

import json
import os
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import click

from ..config import cli_config, ensure_private_dir
from ..errors import ContextCardsError
from ..store import Store, StoreBusy
from .export import export as export_pages
from .record import timestamp
from .routes import parse_query
from .service import HistoryService

FORMAT_CHOICES = ["json", "jsonld", "markdown", "csv"]


class LocalHistory:
    """The history read from the store files."""

    def __init__(self, store):
        self.store = store
        self.service = HistoryService(store)

    def search(self, params: dict) -> dict:
        return self.service.search(_checked(parse_query, params))

    def export(self, fmt: str, params: dict) -> str:
        query = _checked(parse_query_for_export, params)
        pages = self.service.all_pages() if query is None else self.service.search(query)["pages"]
        return export_pages(pages, fmt, timestamp(self.service.clock()))

    def clear(self) -> int:
        return self.service.clear()


def parse_query_for_export(params: dict):
    """None for everything, else the filters with no page limit."""
    if not params:
        return None
    query = parse_query(params)
    query.limit = 10**9
    return query


def _checked(parse, params: dict):
    try:
        return parse(params)
    except ContextCardsError as exc:
        raise click.ClickException(exc.message) from None


class ServerHistory:
    """The history asked of the running server, on 127.0.0.1 with the install's token."""

    def __init__(self, config):
        self.base = f"http://127.0.0.1:{config.port}"
        try:
            self.token = (Path(config.data_dir) / "token").read_text(encoding="utf-8").strip()
        except OSError:
            raise click.ClickException(f"the history in {config.data_dir} is in use by another process, "
                                       "and there is no API token to ask it with") from None

    def _call(self, method: str, path: str, params: dict) -> bytes:
        url = f"{self.base}{path}?{urllib.parse.urlencode(params)}"
        request = urllib.request.Request(url, method=method, headers={"Authorization": f"Bearer {self.token}"})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.read()
        except urllib.error.HTTPError as exc:
            try:
                message = json.loads(exc.read())["error"]["message"]
            except (ValueError, KeyError, TypeError):
                message = f"the server answered {exc.code}"
            raise click.ClickException(message) from None
        except (urllib.error.URLError, OSError):
            raise click.ClickException(f"the history is in use by another process, but no server answers on "
                                       f"{self.base}; stop that process and try again") from None

    def search(self, params: dict) -> dict:
        return json.loads(self._call("GET", "/v1/history", params))

    def export(self, fmt: str, params: dict) -> str:
        return self._call("GET", "/v1/history/export", {"format": fmt, **params}).decode("utf-8")

    def clear(self) -> int:
        return json.loads(self._call("DELETE", "/v1/history", {"confirm": "yes"}))["deleted"]


def _open_history(ctx):
    """The local store when it is free, else the server that has it open."""
    config = cli_config()
    try:
        ensure_private_dir(config.data_dir)
        store = Store(config.data_dir)
    except StoreBusy:
        return ServerHistory(config)
    except OSError as exc:
        raise click.ClickException(f"cannot use data directory {config.data_dir}: {exc.strerror}") from None
    ctx.call_on_close(store.close)
    return LocalHistory(store)


def _filters(entity, site, since, until) -> dict:
    values = {"entity": entity, "site": site, "since": since, "until": until}
    return {k: v for k, v in values.items() if v is not None}


def filter_options(command):
    """--entity, --site, --since, --until."""
    for name, help_text in reversed([("entity", "Only pages where this card (id) appeared."),
                                     ("site", "Only pages on this site (and its subdomains)."),
                                     ("since", "Visited on or after (2025-06-01 or an RFC 3339 time)."),
                                     ("until", "Visited on or before.")]):
        command = click.option(f"--{name}", help=help_text)(command)
    return command


@click.group()
def history():
    """Search, export or clear the history of pages read."""


@history.command()
@click.argument("words", nargs=-1)
@filter_options
@click.option("--limit", type=click.IntRange(1, 200), default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON answer.")
@click.pass_context
def search(ctx, words, entity, site, since, until, limit, as_json):
    """Saved pages whose title, address, cards or sentences hold every word, newest first."""
    params = {**_filters(entity, site, since, until), "limit": str(limit)}
    if words:
        params["q"] = " ".join(words)
    answer = _open_history(ctx).search(params)
    if as_json:
        click.echo(json.dumps(answer, ensure_ascii=False, indent=2))
        return
    if not answer["pages"]:
        click.echo("No saved pages match.")
        return
    for page in answer["pages"]:
        cards = ", ".join(m["card_title"] for m in page["mentions"])
        click.echo(f"{page['last_visit'][:16].replace('T', ' ')}  {page['title'][:70]}")
        click.echo(f"    {page['url']}")
        if cards:
            click.echo(f"    cards: {cards[:200]}")
    shown = len(answer["pages"])
    if answer["total"] > shown:
        click.echo(f"({shown} of {answer['total']} shown; use --limit for more)")


@history.command()
@click.option("--format", "fmt", type=click.Choice(FORMAT_CHOICES), default="json", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file (readable by you alone) instead of standard output.")
@click.option("--q", "q", help="Only pages holding these words.")
@filter_options
@click.pass_context
def export(ctx, fmt, output, q, entity, site, since, until):
    """Export saved pages as JSON, JSON-LD (W3C Web Annotation), Markdown or CSV."""
    params = _filters(entity, site, since, until)
    if q:
        params["q"] = q
    text = _open_history(ctx).export(fmt, params)
    if output is None:
        click.echo(text, nl=not text.endswith("\n"))
        return
    try:
        fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise click.ClickException(f"cannot write {output}: {exc.strerror}") from None
    click.echo(f"wrote {output}", err=True)


@history.command()
@click.option("--yes", is_flag=True, help="Really delete every saved page.")
@click.pass_context
def clear(ctx, yes):
    """Delete every saved page (muted cards, corrections and site rules stay)."""
    if not yes:
        raise click.ClickException("this deletes every saved page; run again with --yes to do it")
    count = _open_history(ctx).clear()
    click.echo(f"deleted {count} saved page{'s' if count != 1 else ''}")
