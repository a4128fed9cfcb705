"""Browser-test fixtures: the real server process, the test pages, and Chromium with the unpacked extension."""

import pytest

from harness import (
    Extension,
    RecordingProxy,
    ServerProcess,
    chromium_path,
    fresh_dir,
    launch_with_extension,
    serve_pages,
)


@pytest.fixture(scope="session")
def chromium():
    path = chromium_path()
    if not path:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    return path


@pytest.fixture(scope="session")
def cc_server(tmp_path_factory):
    """`contextcards serve` on a free port: offline, temporary data dir, the browser tests' own pack."""
    server = ServerProcess(tmp_path_factory.mktemp("cc") / "data").start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def pages():
    """Base URL of the local test pages."""
    with serve_pages() as base:
        yield base


@pytest.fixture(scope="session")
def browser(chromium, tmp_path_factory):
    """One Chromium for the session, with the extension loaded and its service worker running."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        context, worker = launch_with_extension(playwright, fresh_dir(tmp_path_factory.mktemp("profile") / "p"), chromium)
        yield Extension(context, worker)
        context.close()


@pytest.fixture
def extension(browser, cc_server):
    """The extension paired with the test server, settings otherwise default except density "all": the session's
    server sees the same names on many test pages, and "New to me" would quiet them in whatever order tests run
    (test_quiet_page.py tests the default); pages are closed afterwards."""
    browser.configure(serverUrl=cc_server.url, token=cc_server.token, density="all")
    yield browser
    for page in list(browser.context.pages):
        page.close()


@pytest.fixture
def page(extension):
    """A fresh tab (the only one, so it is the active tab whose badge the tests read)."""
    for old in list(extension.context.pages):
        old.close()
    return extension.context.new_page()


@pytest.fixture
def proxy(cc_server):
    """A recording proxy in front of the server (see RecordingProxy)."""
    proxies = []

    def make(**options):
        made = RecordingProxy(cc_server.port, **options)
        proxies.append(made)
        return made

    yield make
    for made in proxies:
        made.stop()
