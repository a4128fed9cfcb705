"""`contextcards cache clear` and `contextcards pack refresh`: the Wikipedia cache from the command line.

Both work on the store directly, so they need the server stopped: only one process may
have the store open (store.py), and a running server keeps the cache in memory anyway.
"""

import click

from ..config import cli_config, ensure_private_dir
from ..errors import PackError
from ..knowledge import load_pack
from ..store import Store, StoreBusy
from .cache import refresh_pack
from .client import Breaker, Unavailable, WikipediaClient


def _open_table(ctx, config):
    """The store's Wikipedia table; a readable error when the server (or anything else) has it open."""
    try:
        ensure_private_dir(config.data_dir)
        store = Store(config.data_dir)
    except StoreBusy:
        raise click.ClickException(f"the server is running on {config.data_dir} and holds the cache; "
                                   "stop it, run this again, then start it") from None
    except OSError as exc:
        raise click.ClickException(f"cannot use data directory {config.data_dir}: {exc.strerror}") from None
    ctx.call_on_close(store.close)
    return store.kv("wikipedia")


@click.group()
def cache():
    """The cache of Wikipedia lookups."""


@cache.command()
@click.pass_context
def clear(ctx):
    """Forget every cached Wikipedia answer and refreshed pack summary."""
    table = _open_table(ctx, cli_config())
    count = len(table.items())
    table.clear()
    click.echo(f"cleared {count} cached Wikipedia entr{'y' if count == 1 else 'ies'}")


@click.command()
@click.option("--only", "only", multiple=True, metavar="ID",
              help="Refresh only these pack cards (repeat the option, or separate ids with commas).")
@click.pass_context
def refresh(ctx, only):
    """Fetch the current Wikipedia summary of pack cards into the cache (the bundled files stay as they are)."""
    config = cli_config()
    if config.offline:
        raise click.ClickException("CONTEXTCARDS_OFFLINE is set: nothing is fetched from Wikipedia")
    try:
        pack = load_pack(config.packs, config.bundled_pack)
    except PackError as exc:
        raise click.ClickException(f"knowledge pack problem: {exc}") from None
    wanted = [card_id for item in only for card_id in item.split(",") if card_id.strip()]
    for card_id in wanted:
        if card_id not in pack.cards:
            raise click.ClickException(f"there is no pack card with id {card_id!r}")
        if not pack.cards[card_id].wikipedia:
            raise click.ClickException(f"pack card {card_id!r} has no Wikipedia title")
    ids = wanted or sorted(card.id for card in pack.cards.values() if card.wikipedia)
    table = _open_table(ctx, config)
    # Not interactive: a slower answer is fine, but one failure still stops the run (no retry storms).
    client = WikipediaClient(config.wikipedia_api, Breaker(), timeout=10.0)
    try:
        with click.progressbar(length=len(ids), label="Refreshing pack summaries") as bar:
            refreshed, problems = refresh_pack(client, pack, table, ids, progress=bar.update)
    except Unavailable as exc:
        raise click.ClickException(f"cannot reach {config.wikipedia_api} ({exc}); summaries fetched so far "
                                   "are kept") from None
    finally:
        client.close()
    for problem in problems:
        click.echo(problem)
    click.echo(f"refreshed {refreshed} of {len(ids)} "
               "pack summaries; the server uses them from its next start (unless CONTEXTCARDS_OFFLINE is set)")
