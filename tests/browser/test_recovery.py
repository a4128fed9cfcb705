"""Finding 4 of issue 14: after the server restarts, open tabs annotate themselves and the badge clears, no reload."""

import pytest

from harness import ServerProcess, wait_for, wait_js

pytestmark = pytest.mark.browser


@pytest.fixture
def own_server(tmp_path):
    """A server of this test's own, to stop and start again on the same port (same data dir, same token)."""
    server = ServerProcess(tmp_path / "data").start()
    yield server
    server.stop()


def test_a_tab_opened_while_the_server_was_down_annotates_itself_when_it_is_back(page, pages, extension, own_server):
    extension.configure(serverUrl=own_server.url, token=own_server.token)
    page.goto(f"{pages}/article.html")
    wait_js(page, "() => document.querySelectorAll('cc-mark').length >= 10", timeout=20)

    own_server.stop()
    page.reload()
    wait_for(lambda: extension.badge() == "!", timeout=15, message="the '!' badge while the server is down")
    assert page.evaluate("() => document.querySelectorAll('cc-mark').length") == 0

    own_server.start()
    # No reload: the extension's /health checks notice the server and the tab asks again.
    wait_js(page, "() => document.querySelectorAll('cc-mark').length >= 10", timeout=90)
    wait_for(lambda: extension.badge() not in ("!", ""), timeout=10, message="the badge to show the card count again")
    assert extension.badge().isdigit()
