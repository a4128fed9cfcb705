"""The same extension in real Firefox ESR: pair from the options page, underline a page, open a card, close it with Esc."""

import pytest

from firefox import firefox_path, firefox_with_extension
from harness import fresh_dir, wait_for

pytestmark = pytest.mark.browser

ALT, SHIFT, ESCAPE = "\ue00a", "\ue008", "\ue00c"  # WebDriver key codes


@pytest.fixture(scope="module")
def firefox(tmp_path_factory):
    path = firefox_path()
    if not path:
        pytest.skip("Firefox is not installed (apt-get install firefox-esr; .ci/run does this)")
    with firefox_with_extension(path, fresh_dir(tmp_path_factory.mktemp("firefox") / "profile")) as session:
        yield session


def press(client, *keys):
    """Press keys together (modifiers first), then release them in reverse order."""
    sequence = client.actions.sequence("key", "keyboard")
    for key in keys:
        sequence.key_down(key)
    for key in reversed(keys):
        sequence.key_up(key)
    sequence.perform()


def script(client, body, *args):
    return client.execute_script(body, script_args=list(args))


def test_firefox_pairs_underlines_opens_a_card_and_closes_it_with_escape(firefox, cc_server, pages):
    client, base = firefox
    client.navigate(f"{base}/options/options.html")
    wait_for(lambda: script(client, "return document.getElementById('dwell').value"), message="the options to load")
    # Density "All": the session's server has seen these names on many test pages (see conftest's `extension`).
    script(client, "document.getElementById('server-url').value = arguments[0]; "
                   "document.querySelector('input[name=density][value=all]').checked = true; "
                   "document.getElementById('save').click()", cc_server.url)
    wait_for(lambda: script(client, "return !document.getElementById('pair-code').disabled"), message="the pairing field")
    script(client, "document.getElementById('pair-code').value = arguments[0]; document.getElementById('pair').click()",
           cc_server.pairing_code())
    wait_for(lambda: script(client, "return document.getElementById('pair-result').textContent") == "Paired.",
             message="pairing to succeed")

    client.navigate(f"{pages}/article.html")
    wait_for(lambda: script(client, "return document.querySelectorAll('cc-mark').length") >= 10, timeout=30,
             message="underlines in Firefox")
    texts = script(client, "return [...document.querySelectorAll('cc-mark')].map(m => m.textContent)")
    assert "Entity List" in texts and "Politburo" in texts
    assert script(client, "return document.querySelectorAll('nav cc-mark, footer cc-mark').length") == 0

    press(client, ALT, SHIFT, "K")
    focused = wait_for(lambda: script(client, "const a = document.activeElement; "
                                              "return a.localName === 'cc-mark' && a.hasAttribute('data-active') && a.textContent"),
                       message="Alt+Shift+K to focus a name and open its card")
    assert focused in texts
    assert script(client, "return !!document.querySelector('cc-card-host')"), "the card is drawn"
    press(client, ESCAPE)
    wait_for(lambda: script(client, "return !document.querySelector('cc-mark[data-active]')"), message="Esc to close the card")
    assert script(client, "return document.activeElement.textContent") == focused, "focus stays on the name"
