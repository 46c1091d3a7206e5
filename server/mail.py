"""Outgoing e-mail. Without an SMTP relay (development, closed networks) messages are written
to the instance's outbox folder as .eml files and to the log, so an operator can forward them."""
from __future__ import annotations

import logging
from datetime import datetime, timezone
from email.message import EmailMessage
from pathlib import Path
from uuid import uuid4

log = logging.getLogger(__name__)


class Outbox:
    def __init__(self, folder: Path, sender: str = "coprogramma@localhost"):
        self.folder = folder
        self.sender = sender

    def send(self, to: str, subject: str, body: str) -> Path:
        message = EmailMessage()
        message["From"], message["To"], message["Subject"] = self.sender, to, subject
        message["Date"] = datetime.now(timezone.utc).strftime("%a, %d %b %Y %H:%M:%S +0000")
        message.set_content(body)
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{datetime.now(timezone.utc):%Y%m%dT%H%M%S}-{uuid4().hex[:8]}.eml"
        path.write_bytes(bytes(message))
        log.info("e-mail to %s written to %s\n%s\n%s", to, path, subject, body)
        return path
