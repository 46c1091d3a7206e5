"""Helpers shared by the API tests: constants, the contract error shape, CSRF tokens, the outbox, a cast."""
from __future__ import annotations

import email
import re
from contextlib import contextmanager
from email import policy
from functools import cached_property
from pathlib import Path
from urllib.parse import urlsplit

PASSWORD = "password-di-prova"  # the one tests/conftest.py gives every person
PLAN, TAVOLO, OTHER_TAVOLO = "piano-prova", "inclusione", "altro"
ROLES = ("anonymous", "member", "coordinator", "other_coordinator", "auditor", "admin")

_CSRF_INPUT = re.compile(r'name="csrf_token" value="([^"]+)"')
_CSRF_META = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
_LINK = re.compile(r"https?://\S+")


def csrf_from(response) -> str:
    """The CSRF token a browser would find in the page (form field, else the meta tag)."""
    html = response.get_data(as_text=True)
    found = _CSRF_INPUT.search(html) or _CSRF_META.search(html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def error_body(response, status: int, code: str | None = None) -> dict:
    """Asserts the status and the contract's error shape; returns the body."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
    assert response.is_json, response.get_data(as_text=True)[:300]
    body = response.get_json()
    assert set(body) == {"error", "message", "details"}, body
    assert isinstance(body["error"], str) and body["error"]
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["details"], dict)
    if code is not None:
        assert body["error"] == code, body
    return body


def assert_allowed(runtime, response, expected: int, before: int, writes: bool) -> None:
    """An allowed request: the expected status; a write answers the position of what it recorded,
    a read records nothing."""
    assert response.status_code == expected, response.get_data(as_text=True)
    if writes:
        assert runtime.event_position() > before
        assert response.get_json()["position"] == runtime.event_position()
    else:
        assert runtime.event_position() == before


@contextmanager
def records_nothing(runtime):
    """A refused or failed request records nothing in the event log."""
    before = runtime.event_position()
    yield
    assert runtime.event_position() == before, "a refused request recorded events"


class Mailbox:
    """The development outbox (<instance>/outbox/*.eml), read like a person reads their e-mail."""

    def __init__(self, folder: Path):
        self.folder = folder

    def messages(self) -> list:
        if not self.folder.exists():
            return []
        return [email.message_from_bytes(p.read_bytes(), policy=policy.default)
                for p in sorted(self.folder.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns)]

    def to(self, address: str) -> list:
        return [m for m in self.messages() if m["To"] == address]

    def link_path(self, address: str) -> str:
        """The path of the link in the latest message to `address`."""
        messages = self.to(address)
        assert messages, f"no e-mail to {address}"
        links = _LINK.findall(messages[-1].get_content())
        assert len(links) == 1, links
        return urlsplit(links[0]).path

    def link_token(self, address: str) -> str:
        return self.link_path(address).rsplit("/", 1)[-1]


class Cast:
    """The people of the permission tests; each is created (with their bearer token) when first used.

    member / coordinator: of tavolo "inclusione"; other_coordinator: of tavolo "altro" of the same
    plan; target: another member of "inclusione"; outsider: an account seated nowhere;
    former_auditor: an auditor whose role can be revoked.
    """

    def __init__(self, runtime, people):
        self.runtime, self.people = runtime, people
        self.mailbox = Mailbox(runtime.settings.instance / "outbox")

    def headers(self, role: str) -> dict:
        return {} if role == "anonymous" else getattr(self, role).headers

    @cached_property
    def admin(self):
        return self.people.create("admin", name="Anna Amministratrice")

    @cached_property
    def auditor(self):
        return self.people.create("auditor", name="Rita Revisora")

    @cached_property
    def member(self):
        return self.people.seat(self.people.create(organisation="caritas", name="Marco Membro"), PLAN, TAVOLO)

    @cached_property
    def coordinator(self):
        return self.people.seat(self.people.create(name="Carla Coordinatrice"), PLAN, TAVOLO, "coordinator")

    @cached_property
    def other_coordinator(self):
        return self.people.seat(self.people.create(name="Oscar Altrove"), PLAN, OTHER_TAVOLO, "coordinator")

    @cached_property
    def target(self):
        return self.people.seat(self.people.create(name="Tina Seduta"), PLAN, TAVOLO)

    @cached_property
    def outsider(self):
        return self.people.create(name="Ugo Esterno")

    @cached_property
    def former_auditor(self):
        return self.people.create("auditor", name="Franca Uscente")


def login_browser(app, email_address: str, password: str = PASSWORD):
    """A fresh browser that signs in through /accesso; returns (browser, csrf token of the new session)."""
    browser = app.test_client()
    page = browser.get("/accesso")
    response = browser.post("/accesso", data={"email": email_address, "password": password,
                                              "csrf_token": csrf_from(page)})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return browser, csrf_from(browser.get("/"))
