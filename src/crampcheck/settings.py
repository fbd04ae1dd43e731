"""Every setting crampcheck reads, in one place, each with its meaning.

Settings come from environment variables named ``CRAMPCHECK_<NAME>`` (for example
``CRAMPCHECK_DATABASE_URL``). Outside development, the secret key must be set: the
built-in development key is refused.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# A known placeholder that Settings refuses outside development (bandit B105).
DEVELOPMENT_SECRET = "development-only-secret-do-not-use-in-production"  # nosec B105


def default_data_dir() -> Path:
    """``$XDG_DATA_HOME/crampcheck``, or ``~/.local/share/crampcheck``."""
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "crampcheck"


class Settings(BaseSettings):
    """crampcheck's configuration. Each field is documented in the README's settings table."""

    model_config = SettingsConfigDict(env_prefix="CRAMPCHECK_", extra="ignore", frozen=True)

    environment: Literal["development", "test", "production"] = Field(
        default="development",
        description="development, test or production; outside development the default secret "
        "is refused",
    )
    data_dir: Path = Field(
        default_factory=default_data_dir,
        description="where the SQLite database lives (default ~/.local/share/crampcheck)",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; default sqlite:///<data_dir>/crampcheck.sqlite3; "
        "PostgreSQL as postgresql+psycopg://user@host/db",
    )
    owner_database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL as the tables' owner, for `db upgrade`, `db grant-app-role` "
        "and `restore`; default: database_url. On PostgreSQL the application's own URL then "
        "names a role that may only add and read audit events",
    )
    secret_key: SecretStr = Field(
        default=SecretStr(DEVELOPMENT_SECRET),
        description="signs form tokens; must be set (long and random) outside development",
    )
    clinic_file: Path | None = Field(
        default=None,
        description="YAML file describing the clinic; default: the packaged podiatry clinic",
    )
    emergency_number: str = Field(
        default="911", pattern=r"^[0-9+ ]{2,15}$", description="the number shown to call"
    )
    max_body_bytes: int = Field(
        default=64 * 1024,
        ge=1024,
        le=10 * 1024 * 1024,
        description="largest request body accepted; larger bodies get 413",
    )
    reader_word_limit: int = Field(
        default=50_000,
        ge=100,
        le=10_000_000,
        description="new words the text reader keeps before it is built afresh (bounds memory)",
    )
    host: str = Field(default="127.0.0.1", description="address `crampcheck serve` listens on")
    port: int = Field(default=8000, ge=1, le=65535, description="port `crampcheck serve` uses")
    workers: int = Field(
        default=1,
        ge=1,
        le=64,
        description="worker processes `crampcheck serve` runs, each with its own knowledge base "
        "and reader",
    )
    shutdown_timeout: int = Field(
        default=30,
        ge=1,
        le=3600,
        description="seconds `crampcheck serve` gives the requests in flight to finish when it "
        "is stopped, before cancelling them",
    )
    trusted_proxies: str = Field(
        default="",
        max_length=2000,
        description="comma-separated addresses or networks of reverse proxies whose "
        "X-Forwarded-For and X-Forwarded-Proto are believed; none by default",
    )
    log_requests: bool = Field(
        default=True,
        description="write one JSON line per request to standard error (request id, method, "
        "route template, status, duration; no personal data)",
    )
    log_client_address: bool = Field(
        default=False,
        description="add the client's IP address to each request's log line (personal data "
        "in some jurisdictions: off by default)",
    )
    metrics_port: int | None = Field(
        default=None,
        ge=1,
        le=65535,
        description="the port `crampcheck serve` serves Prometheus metrics on, at /metrics; "
        "none: no metrics are served",
    )
    metrics_host: str = Field(
        default="127.0.0.1",
        max_length=253,
        description="the address the metrics port listens on (this machine only by default)",
    )

    public_url: str = Field(
        default="",
        max_length=200,
        pattern=r"^(https?://[^\s/?#]+(/[^\s?#]*)?)?$",
        description="the address people reach crampcheck at (https://...), used for the links "
        "in emails; default http://<host>:<port>",
    )
    mail_host: str = Field(
        default="",
        max_length=253,
        description="the SMTP server that sends crampcheck's emails; none: no email is sent",
    )
    mail_port: int = Field(default=587, ge=1, le=65535, description="the SMTP server's port")
    mail_tls: Literal["none", "starttls", "tls"] = Field(
        default="starttls",
        description="how the connection to the SMTP server is encrypted: starttls (port 587), "
        "tls (implicit TLS, port 465) or none",
    )
    mail_username: str = Field(
        default="", max_length=254, description="the SMTP user name; none: no sign-in"
    )
    mail_password: SecretStr = Field(default=SecretStr(""), description="the SMTP user's password")
    mail_sender: str = Field(
        default="",
        max_length=254,
        description="the From address of crampcheck's emails (needed for any email)",
    )
    mail_clinic_address: str = Field(
        default="",
        max_length=254,
        description="the clinic's address for notices of urgent requests; none: no notice",
    )
    mail_ca_file: Path | None = Field(
        default=None,
        description="certificates to verify the SMTP server with; default: the system's",
    )
    mail_timeout: float = Field(
        default=10.0, gt=0, le=120, description="seconds to wait for the SMTP server"
    )

    @model_validator(mode="after")
    def _refuse_clear_text_mail_password(self) -> Settings:
        local = self.mail_host in {"localhost", "127.0.0.1", "::1"}
        if self.mail_tls == "none" and self.mail_username and not local:
            raise ValueError(
                "CRAMPCHECK_MAIL_TLS is none but CRAMPCHECK_MAIL_USERNAME is set: the SMTP "
                "password would cross the network unencrypted; use starttls or tls"
            )
        return self

    @property
    def mail_configured(self) -> bool:
        """Whether crampcheck can send email (an SMTP server and a From address)."""
        return bool(self.mail_host and self.mail_sender)

    @property
    def effective_public_url(self) -> str:
        """The address links in emails start with (no trailing slash)."""
        return (self.public_url or f"http://{self.host}:{self.port}").rstrip("/")

    @model_validator(mode="after")
    def _refuse_unusable_proxies(self) -> Settings:
        for entry in self.trusted_proxy_list:
            try:
                network = ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(
                    f"CRAMPCHECK_TRUSTED_PROXIES: {entry[:60]!r} is not an IP address or "
                    "network (for example 127.0.0.1, 10.0.0.0/8 or ::1)"
                ) from None
            if network.prefixlen == 0:
                raise ValueError(
                    f"CRAMPCHECK_TRUSTED_PROXIES: {entry!r} would trust every address, so "
                    "anyone could choose the address the throttles and the audit log see; "
                    "name the proxies' own addresses or network"
                )
        return self

    @model_validator(mode="after")
    def _refuse_metrics_on_the_application_port(self) -> Settings:
        if self.metrics_port is not None and self.metrics_port == self.port:
            raise ValueError(
                "CRAMPCHECK_METRICS_PORT is the application's own port: the metrics need a "
                "port of their own, which the reverse proxy does not forward"
            )
        return self

    @property
    def trusted_proxy_list(self) -> list[str]:
        """The trusted proxies' addresses and networks, as written (empty: trust none)."""
        return [entry.strip() for entry in self.trusted_proxies.split(",") if entry.strip()]

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> Settings:
        if self.environment != "development" and (
            self.secret_key.get_secret_value() == DEVELOPMENT_SECRET
            or len(self.secret_key.get_secret_value()) < 32
        ):
            raise ValueError(
                "CRAMPCHECK_SECRET_KEY must be set to a random value of at least 32 "
                f"characters when CRAMPCHECK_ENVIRONMENT is {self.environment}"
            )
        return self

    @property
    def effective_database_url(self) -> str:
        """The database URL in use (the SQLite default when none is set)."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'crampcheck.sqlite3'}"

    @property
    def effective_owner_database_url(self) -> str:
        """The URL that migrates and restores the database: the owner's when it is set,
        else the application's."""
        return self.owner_database_url or self.effective_database_url
