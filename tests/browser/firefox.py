"""Drives real Firefox ESR with the extension as a temporary add-on, through Marionette (STACK.md "Firefox for real")."""

import json
import shutil
import socket
import subprocess
import warnings
from contextlib import contextmanager
from pathlib import Path

from harness import EXTENSION, free_port, wait_for

with warnings.catch_warnings():
    # mozinfo (under marionette-driver) calls the deprecated distro.linux_distribution() when imported.
    warnings.simplefilter("ignore", DeprecationWarning)
    from marionette_driver.addons import Addons
    from marionette_driver.marionette import Marionette

ADDON_ID = "context-cards@contextcards.local"  # browser_specific_settings.gecko.id in the manifest
# Fixed through a pref so the test knows the moz-extension:// address before the add-on is installed.
ADDON_UUID = "6f1c2a5e-3b9d-4c4e-9a57-0c6e2d1b7a10"
FIREFOX_CANDIDATES = ["/usr/bin/firefox-esr", "/usr/bin/firefox", "/usr/lib/firefox-esr/firefox-esr"]
PREFS = {
    "marionette.port": None,  # filled in per run
    "extensions.webextensions.uuids": f'{{"{ADDON_ID}": "{ADDON_UUID}"}}',
    "browser.shell.checkDefaultBrowser": False,
    "browser.startup.homepage_override.mstone": "ignore",
    "datareporting.policy.dataSubmissionEnabled": False,
    "toolkit.telemetry.reportingpolicy.firstRun": False,
    "app.update.auto": False,
    "app.update.enabled": False,
    "extensions.update.enabled": False,
    "browser.aboutwelcome.enabled": False,
    "network.proxy.type": 0,
    # Console messages (page, content script, service worker) go to the log file next to the profile.
    "devtools.console.stdout.content": True,
    "devtools.console.stdout.chrome": True,
}


def firefox_path() -> str | None:
    """Debian's Firefox ESR, if installed."""
    return next((p for p in FIREFOX_CANDIDATES if Path(p).exists()), None)


def _pref_line(name, value) -> str:
    """One user.js line; JSON literals are JavaScript literals."""
    return f"user_pref({json.dumps(name)}, {json.dumps(value)});\n"


def _listening(port: int, process) -> bool:
    """Whether Marionette accepts connections (marionette-driver's own wait leaks a socket per refused try)."""
    if process.poll() is not None:
        raise RuntimeError("Firefox exited before Marionette answered")
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


@contextmanager
def firefox_with_extension(executable: str, profile: Path):
    """Headless Firefox on a fresh profile, the extension installed temporarily; yields (client, moz-extension base)."""
    shutil.rmtree(profile, ignore_errors=True)
    profile.mkdir(parents=True)
    port = free_port()
    prefs = {**PREFS, "marionette.port": port}
    (profile / "user.js").write_text("".join(_pref_line(name, value) for name, value in prefs.items()))
    log = open(profile.with_name(profile.name + "-firefox.log"), "wb")
    process = subprocess.Popen([executable, "-marionette", "-remote-allow-system-access", "-headless", "-no-remote",
                                "-profile", str(profile), "about:blank"], stdout=log, stderr=subprocess.STDOUT)
    client = None
    try:
        client = Marionette(host="127.0.0.1", port=port, startup_timeout=60)

        wait_for(lambda: _listening(port, process), timeout=60, message="Firefox's Marionette port")
        client.start_session()
        Addons(client).install(str(EXTENSION), temp=True)
        yield client, f"moz-extension://{ADDON_UUID}"
    finally:
        if client is not None:
            try:
                client.delete_session()
            except Exception:
                pass
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
