"""Settings read from COPROGRAMMA_* environment variables, with defaults for a laptop."""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit


@dataclass(frozen=True)
class Settings:
    instance: Path
    database_url: str | None = None  # None: SQLite files in the instance folder
    secret_key: str | None = None
    message_queue: str | None = None
    port: int = 5000
    log_level: str = "INFO"
    token_ttl_hours: int = 24
    max_request_bytes: int = 8 * 1024 * 1024
    public_url: str | None = None
    login_rate_limit: str = "10 per minute"
    # eventsourcing's COMPRESSOR_TOPIC for this instance's store: None leaves it to the environment,
    # "" means none (a throw-away instance holding a bundle's states as they were stored)
    compressor_topic: str | None = None

    @classmethod
    def from_env(cls, environ: dict | None = None, **overrides) -> "Settings":
        env = os.environ if environ is None else environ
        values = dict(
            instance=Path(env.get("COPROGRAMMA_INSTANCE", "./instance")).resolve(),
            database_url=env.get("COPROGRAMMA_DATABASE_URL") or None,
            secret_key=env.get("COPROGRAMMA_SECRET_KEY") or None,
            message_queue=env.get("COPROGRAMMA_MESSAGE_QUEUE") or None,
            port=int(env.get("COPROGRAMMA_PORT", "5000")),
            log_level=env.get("COPROGRAMMA_LOG_LEVEL", "INFO").upper(),
            token_ttl_hours=int(env.get("COPROGRAMMA_TOKEN_TTL_HOURS", "24")),
            max_request_bytes=int(env.get("COPROGRAMMA_MAX_REQUEST_BYTES", str(8 * 1024 * 1024))),
            public_url=env.get("COPROGRAMMA_PUBLIC_URL") or None,
            login_rate_limit=env.get("COPROGRAMMA_LOGIN_RATE_LIMIT", "10 per minute"),
        )
        values.update(overrides)
        if not isinstance(values["instance"], Path):
            values["instance"] = Path(values["instance"]).resolve()
        return cls(**values)

    def prepare_instance(self) -> None:
        """Create the instance folder (first run) and its outbox."""
        self.instance.mkdir(parents=True, exist_ok=True)
        (self.instance / "outbox").mkdir(exist_ok=True)

    @property
    def is_postgres(self) -> bool:
        return bool(self.database_url) and self.database_url.startswith("postgresql")

    @property
    def read_model_url(self) -> str:
        """SQLAlchemy URL of the read models and the personal-data store."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.instance / 'coprogramma.sqlite3'}"

    def event_store_env(self) -> dict[str, str]:
        """`eventsourcing` settings: SQLite file by default, psycopg 3 for PostgreSQL."""
        compression = {} if self.compressor_topic is None else {"COMPRESSOR_TOPIC": self.compressor_topic}
        if not self.database_url:
            return {
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": str(self.instance / "events.sqlite3"),
                "SQLITE_LOCK_TIMEOUT": "10",
                **compression,
            }
        if not self.is_postgres:
            raise ValueError(
                "COPROGRAMMA_DATABASE_URL deve essere un URL postgresql+psycopg://; "
                "lasciarlo vuoto per usare SQLite nella cartella dell'istanza"
            )
        url = urlsplit(self.database_url)
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": url.path.lstrip("/"),
            "POSTGRES_HOST": url.hostname or "localhost",
            "POSTGRES_PORT": str(url.port or 5432),
            "POSTGRES_USER": unquote(url.username or ""),
            "POSTGRES_PASSWORD": unquote(url.password or ""),
            "POSTGRES_POOL_SIZE": "5",
            "POSTGRES_ENABLE_DB_FUNCTIONS": "y",
            **compression,
        }

    def resolved_secret_key(self) -> str:
        """The configured key, else one generated on first run and kept in the instance."""
        if self.secret_key:
            return self.secret_key
        path = self.instance / "secret_key"
        if not path.exists():
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()
