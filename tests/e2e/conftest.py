"""End-to-end tests: a real server (demo data) on a free port and Debian's Chromium driven by Playwright.

Skipped, with the reason, only when /usr/bin/chromium is missing (`.ci/run` installs it with apt;
never `playwright install`).
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
# Screenshots go to a temporary folder; `COPROGRAMMA_SCREENSHOTS=docs/screenshots` refreshes the README's.
SCREENSHOTS = Path(os.environ.get("COPROGRAMMA_SCREENSHOTS") or tempfile.mkdtemp(prefix="coprogramma-shots-"))
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PASSWORD = "coprogramma-demo"
PLAN, TAVOLO = "cremona-2025-2027", "gdl-inclusione-attiva"
MEMBER, COORDINATOR = "caritas@coprogramma.example", "coordinatore.comune@coprogramma.example"
AUDITOR, ADMIN = "revisore@coprogramma.example", "ufficio.piano@coprogramma.example"

if not os.path.exists(CHROMIUM):
    pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium) to run the "
                "browser tests", allow_module_level=True)

from playwright.sync_api import Page, sync_playwright  # noqa: E402

from tests.processes import free_port, stop  # noqa: E402


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """`coprogramma demo` then `coprogramma serve` in a subprocess, on a fresh instance."""
    instance = tmp_path_factory.mktemp("e2e-instance")
    env = {**os.environ, "COPROGRAMMA_INSTANCE": str(instance), "COPROGRAMMA_ARGON2_PROFILE": "CHEAPEST",
           "COPROGRAMMA_LOG_LEVEL": "WARNING",
           # every browser of the suite signs in from 127.0.0.1: keep the login throttle out of the way
           "COPROGRAMMA_LOGIN_RATE_LIMIT": "10000 per minute"}
    env.pop("COPROGRAMMA_DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "server.cli", "demo"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL, timeout=180)
    port = free_port()
    log = open(instance / "server.log", "w")
    process = subprocess.Popen([sys.executable, "-m", "server.cli", "serve", "--port", str(port)], cwd=ROOT,
                               env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{base}/healthz", timeout=2).read()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"server did not start: {(instance / 'server.log').read_text()[-3000:]}")
            time.sleep(0.2)
    yield base
    stop(process)
    log.close()


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, server):
    """Pages in separate browser contexts (separate cookies: separate people)."""
    contexts = []

    def make(width: int = 1280, height: int = 900) -> Page:
        context = browser.new_context(base_url=server, viewport={"width": width, "height": height}, locale="it-IT")
        context.set_default_timeout(15000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def login(page: Page, email: str) -> None:
    page.goto("/accesso")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    page.wait_for_url(lambda url: "/accesso" not in url)


def axe_violations(page: Page) -> list[dict]:
    """Serious or critical WCAG 2.1 A/AA violations found by axe-core on the page as it is now."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("""async () => await axe.run(document, {
        runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}, resultTypes: ['violations']})""")
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [n["target"] for n in v["nodes"][:5]]}
            for v in result["violations"] if v["impact"] in ("serious", "critical")]
