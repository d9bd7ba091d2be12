"""The one settings object.  Built in ``main()`` or a fixture, never at import time."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_data_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("loopprep", appauthor=False))


class Settings(BaseSettings):
    """Every setting, each with a description; `loopprep settings` lists them."""

    model_config = SettingsConfigDict(env_prefix="LOOPPREP_", extra="ignore")

    data_dir: Path = Field(
        default_factory=_default_data_dir,
        description="Where the SQLite database and the user's own files live.",
    )
    database_url: str | None = Field(
        None,
        description=(
            "SQLAlchemy URL of the database; empty means SQLite at DATA_DIR/loopprep.db. "
            "PostgreSQL: postgresql+psycopg://user@host:5432/dbname"
        ),
    )
    host: str = Field("127.0.0.1", description="Address `loopprep serve` binds to.")
    port: int = Field(8000, ge=1, le=65535, description="Port `loopprep serve` binds to.")
    workers: int = Field(1, ge=1, le=64, description="Web worker processes for `serve`.")
    content_dir: Path | None = Field(
        None,
        description="A directory of your own content files (same schemas as the shipped ones): sources, "
        "frameworks, read-only model presets, and coding problems in its problems/ folder.",
    )
    problems_dir: Path | None = Field(
        None,
        description="A directory of your own ML coding problems (one YAML file each, the shipped bank's format).",
    )
    judge_protections_off: list[str] = Field(
        default_factory=list,
        description=(
            "Sandbox layers the judge leaves off (namespaces, user, filesystem, seccomp), for machines that "
            "lack them. The code pages say which are off."
        ),
    )
    judge_max_waiting: int = Field(
        8,
        ge=0,
        le=1000,
        description=(
            "Submissions that may wait for a free judge sandbox; one more is answered 'busy, try again' "
            "(never a verdict)."
        ),
    )
    allowed_hosts: list[str] = Field(
        default_factory=list,
        description="Extra Host header values the web app accepts besides its own address.",
    )

    @field_validator("database_url")
    @classmethod
    def _blank_is_none(cls, v: str | None) -> str | None:
        return v or None

    @field_validator("judge_protections_off")
    @classmethod
    def _known_layers(cls, v: list[str]) -> list[str]:
        known = ("namespaces", "user", "filesystem", "seccomp")
        bad = [x for x in v if x not in known]
        if bad:
            raise ValueError(f"unknown sandbox layer(s) {', '.join(bad)}; choose from {', '.join(known)}")
        return v

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'loopprep.db'}"

    @property
    def is_postgres(self) -> bool:
        return self.resolved_database_url.startswith("postgresql")


def describe(settings: Settings) -> list[dict[str, str]]:
    """Each setting with its environment variable, current value and description."""
    rows = []
    for name, field in Settings.model_fields.items():
        value = getattr(settings, name)
        if name == "database_url" and value is None:
            value = f"(SQLite) {settings.resolved_database_url}"
        rows.append(
            {
                "name": name,
                "env": f"LOOPPREP_{name.upper()}",
                "value": "" if value is None else str(value),
                "description": field.description or "",
            }
        )
    return rows
