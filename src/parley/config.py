"""Typed settings, read from the environment (PARLEY_*) by the entry points, never at import."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from parley.paths import default_data_dir, default_database_url


class Settings(BaseSettings):
    """Parley's settings. Every field maps to an environment variable `PARLEY_<NAME>`."""

    model_config = SettingsConfigDict(env_prefix="PARLEY_", extra="ignore")

    database_url: str = Field(
        default="",
        description="sqlite:///path or postgresql://...; default: a SQLite file in the data dir",
    )
    data_dir: Path = Field(default_factory=default_data_dir,
                           description="where the default SQLite database lives")
    sources: Path = Field(default=Path("../shared/sources"),
                          description="folder holding the source texts, to verify quotes")
    public_cases: bool = Field(default=True,
                               description="case-base pages readable without login")
    max_upload_bytes: int = Field(default=10 * 1024 * 1024, ge=1024,
                                  description="largest accepted upload: all files of one request")

    max_body_bytes: int = Field(
        default=1024 * 1024, ge=1024,
        description="largest accepted request body that is not a file upload (JSON, forms)")
    qca_time_budget: float = Field(
        default=10.0, gt=0, le=3600,
        description="seconds a web QCA request may compute before it is refused (422); "
        "the CLI has no such budget")
    cpu_workers: int = Field(
        default=0, ge=0, le=64,
        description="worker processes for web QCA searches (0: one per core)")
    rate_limit_signin: int = Field(
        default=10, ge=0,
        description="sign-in and first-start setup attempts per minute per client (0: off)")
    rate_limit_work: int = Field(
        default=120, ge=0,
        description="requests per minute per client to the public endpoints that compute "
        "(assess, QCA, crosstab, case search, import...; 0: off)")
    language: str = Field(
        default="en",
        description="language of the interface when neither the user's choice nor the "
        "browser's Accept-Language names a supported one (en, es)")
    trusted_proxies: str = Field(
        default="",
        description="comma-separated proxy addresses whose X-Forwarded-For is believed")

    master_key_file: Path | None = Field(
        default=None, description="file holding the master key ring (created 0600 if missing)")
    master_key: SecretStr | None = Field(
        default=None, description="the master key ring itself (base64; VERSION:KEY lines)")
    audit_checkpoint_file: Path | None = Field(
        default=None, description="external file that `parley audit verify` checks the audit "
        "chain against and appends a signed checkpoint of its head to (created 0600)")
    audit_checkpoint_every: int = Field(
        default=0, ge=0, description="also append a checkpoint to PARLEY_AUDIT_CHECKPOINT_FILE "
        "after every N audit entries (0: only on `parley audit verify`)")

    @field_validator("database_url")
    @classmethod
    def _known_scheme(cls, value: str) -> str:
        if value and not value.startswith(("sqlite:", "postgresql:", "postgresql+psycopg:")):
            raise ValueError("PARLEY_DATABASE_URL must start with sqlite:/// or postgresql://")
        return value

    @field_validator("language")
    @classmethod
    def _known_language(cls, value: str) -> str:
        from parley.locale import LANGUAGES, normalise

        found = normalise(value)
        if found is None:
            raise ValueError(f"PARLEY_LANGUAGE must be one of: {', '.join(LANGUAGES)}")
        return found

    @model_validator(mode="after")
    def _checkpoint_file_for_every(self) -> Settings:
        if self.audit_checkpoint_every and self.audit_checkpoint_file is None:
            raise ValueError("PARLEY_AUDIT_CHECKPOINT_EVERY needs PARLEY_AUDIT_CHECKPOINT_FILE "
                             "(the file to append the checkpoints to)")
        return self

    def resolved_database_url(self) -> str:
        """The database URL, defaulting to `<data_dir>/parley.db`."""
        if self.database_url:
            return self.database_url
        return default_database_url(self.data_dir)

    def resolved_master_key_file(self) -> Path:
        """The key file: as set, else beside the SQLite database (or in the data dir)."""
        if self.master_key_file is not None:
            return self.master_key_file
        url = self.resolved_database_url()
        if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
            db = Path(url[len("sqlite:///"):])
            return db.with_name(db.stem + ".master.key")
        return self.data_dir / "parley.master.key"
