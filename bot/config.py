"""`config.toml` read into typed models, with errors a person can act on.

Secrets never come from the file: the secret key, the Telegram token and
deployment URLs are taken from the environment (see `Settings.from_env`).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import re
import tomllib
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot.config_desk import Desk
from bot.errors import ConfigError

AnswerKind = Literal["choice", "multi", "scale", "yes_no", "text"]
ALL_KINDS: tuple[AnswerKind, ...] = ("choice", "multi", "scale", "yes_no", "text")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AgeBand(_Strict):
    id: str = Field(pattern=r"^\d{1,2}-\d{1,2}$")
    min_age: int = Field(ge=5, le=30)
    max_age: int = Field(ge=5, le=30)
    label: dict[str, str] = Field(default_factory=dict)
    keep: tuple[AnswerKind, ...] = ALL_KINDS
    scale_style: Literal["faces", "numbers"] = "numbers"
    max_message_chars: int = Field(default=400, ge=40, le=4096)

    @model_validator(mode="after")
    def _ordered(self) -> AgeBand:
        if self.min_age > self.max_age:
            msg = f"age band {self.id}: min_age {self.min_age} is above max_age {self.max_age}"
            raise ValueError(msg)
        return self


class Service(_Strict):
    """A service young people give feedback on. `country` (ISO code) picks the helplines
    its young people are given when it is not the deployment's `[safety] country`."""

    label: dict[str, str]
    organisation: str = "default"
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")

    @field_validator("label")
    @classmethod
    def _has_label(cls, value: dict[str, str]) -> dict[str, str]:
        if not value:
            msg = "a service needs a label in at least one language"
            raise ValueError(msg)
        return value


class Languages(_Strict):
    source: str = "en"
    shipped: tuple[str, ...] = ("en",)
    names: dict[str, str] = Field(default_factory=dict)
    rtl: tuple[str, ...] = ("ar", "fa", "he", "ur", "ps", "ckb")

    @model_validator(mode="after")
    def _source_shipped(self) -> Languages:
        if self.source not in self.shipped:
            msg = f"the source language {self.source!r} must be one of the shipped languages"
            raise ValueError(msg)
        return self


class Privacy(_Strict):
    k_threshold: int = Field(default=10, ge=2, le=1000)
    session_ttl_seconds: int = Field(default=1800, ge=60, le=7 * 24 * 3600)
    text_retention_days: int = Field(default=180, ge=1)
    record_retention_days: int = Field(default=3 * 365, ge=1)
    # Names of this deployment's schools, shelters, streets or towns that free text must
    # not keep (they become "[place]"); given names, family names and addresses are
    # found without a list.
    places: tuple[str, ...] = Field(default=(), max_length=2000)


class Storage(_Strict):
    database_url: str = "sqlite:///data/feedback.db"
    redis_url: str = "redis://127.0.0.1:6379/0"


class Telegram(_Strict):
    api_base: str = "https://api.telegram.org"
    library: Literal["aiogram", "ptb"] = "aiogram"
    staff_chat_id: int | None = None
    # A staff group per organisation (organisation id -> the group's chat id): a group
    # sees only the cases its organisation's desk handles. `staff_chat_id` takes the
    # cases of every desk organisation without a group of its own.
    staff_groups: dict[str, int] = Field(default_factory=dict)


class Helpline(_Strict):
    """A number to call. `country` (ISO code such as "RO") and `languages` narrow where
    and to whom it is shown; left out, the helpline is shown everywhere, in every language."""

    name: dict[str, str]
    number: str
    note: dict[str, str] = Field(default_factory=dict)
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    languages: tuple[str, ...] = ()


class ReportRemove(_Strict):
    """A service that helps take a picture or video of a young person off the internet
    (the image-abuse route). `country` (ISO code) picks the deployment's; those without
    a country are the fallback wherever no service of the country is configured."""

    name: dict[str, str]
    url: str
    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")

    @field_validator("name")
    @classmethod
    def _named(cls, value: dict[str, str]) -> dict[str, str]:
        if not any(text.strip() for text in value.values()):
            msg = 'give the service a name, e.g. name = { en = "Take It Down" }'
            raise ValueError(msg)
        return value

    @field_validator("url")
    @classmethod
    def _https(cls, value: str) -> str:
        if not _HTTPS.match(value):
            msg = (
                f"{value!r} is not a full web address: write it with https://, "
                'e.g. url = "https://takeitdown.ncmec.org"'
            )
            raise ValueError(msg)
        return value


_HTTPS = re.compile(r"^https://[^\s/]+\.[^\s/]+(/\S*)?$")


class Safety(_Strict):
    """Danger signals: the country whose helplines are shown, and where the lexicon is.

    `lexicon_dir` (relative to the config file) replaces the shipped phrase files in
    bot/safety/lexicons/; leave it out to use those.
    """

    country: str | None = Field(default=None, pattern=r"^[A-Z]{2}$")
    lexicon_dir: str | None = None


Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_SPAN = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")


class Handoff(_Strict):
    """When workers answer, and how long a case and its chat mapping may live."""

    time_zone: str = "UTC"
    # Per weekday, spans such as "09:00-17:00" (end after start; "24:00" ends the day).
    hours: dict[Weekday, tuple[str, ...]] = Field(default_factory=dict)
    answer_within_minutes: int = Field(default=30, ge=1, le=24 * 60)
    grace_minutes: int = Field(default=60, ge=0, le=7 * 24 * 60)
    # An open case nobody touches for this long is dropped with its mapping.
    case_ttl_hours: int = Field(default=72, ge=1, le=30 * 24)
    # Conflict of interest: who answers a request for a person. One about a service goes
    # to `routes[service]` if listed, else to `desk_organisation` (an independent
    # safeguarding desk); never to the desk of the service's own organisation.
    desk_organisation: str = Field(default="safeguarding", pattern=r"^[a-z0-9_-]{1,64}$")
    routes: dict[str, str] = Field(default_factory=dict)
    # Days nobody answers, whatever `hours` say: "2026-12-25" (in `time_zone`).
    holidays: tuple[dt.date, ...] = ()

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            msg = f"unknown time zone {value!r}; use a name such as 'Europe/Bucharest'"
            raise ValueError(msg) from None
        return value

    @field_validator("hours")
    @classmethod
    def _spans(cls, value: dict[Weekday, tuple[str, ...]]) -> dict[Weekday, tuple[str, ...]]:
        for day, spans in value.items():
            for span in spans:
                if _minutes(span) is None:
                    msg = f"{day}: {span!r} is not a span like '09:00-17:00' (end after start)"
                    raise ValueError(msg)
        return value

    def spans(self, day: int) -> list[tuple[int, int]]:
        """Monday = 0. The day's open spans as (start, end) minutes after midnight, sorted."""
        found = (_minutes(span) for span in self.hours.get(WEEKDAYS[day], ()))
        return sorted(span for span in found if span is not None)


def _minutes(span: str) -> tuple[int, int] | None:
    found = _SPAN.match(span)
    if not found:
        return None
    h1, m1, h2, m2 = (int(part) for part in found.groups())
    start, end = h1 * 60 + m1, h2 * 60 + m2
    return (start, end) if start < end <= 24 * 60 else None


class Web(_Strict):
    """`safevoice serve`: where it listens, the address people reach it at, and which
    reverse proxies may say who the client is (X-Forwarded-For is ignored from anyone else)."""

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    # The public https:// address of the web chat and staff pages, e.g.
    # "https://feedback.example.org". Setting it also tells `safevoice run` that a web desk
    # answers requests for a person.
    public_url: str | None = Field(default=None, pattern=r"^https?://[^\s/]+(/.*)?$")
    trusted_proxies: tuple[str, ...] = ()
    # Failed logins within `login_window_minutes`: per account from one client, and per
    # client over all accounts (bot/staff/login_policy.py). Never per account alone.
    login_failures: int = Field(default=5, ge=3, le=100)
    login_client_failures: int = Field(default=50, ge=10, le=10000)
    login_window_minutes: int = Field(default=15, ge=1, le=24 * 60)
    # Roles that must log in with a second factor (TOTP or a recovery code).
    mfa_roles: tuple[str, ...] = ("admin", "supervisor")
    # How long a re-entered password counts before a raw export or an account change.
    reauth_minutes: int = Field(default=5, ge=1, le=60)
    # How long a password an administrator gave opens the account page (to choose one's
    # own, the only thing it opens) before it expires and the admin must give another.
    issued_password_hours: int = Field(default=72, ge=1, le=24 * 30)
    # Where "leave quickly" goes: an ordinary site nobody would question on a shared screen.
    neutral_url: str = Field(default="https://www.bbc.com/weather", pattern=r"^https?://\S+$")

    @field_validator("mfa_roles")
    @classmethod
    def _roles(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        known = ("viewer", "worker", "supervisor", "admin", "advisor")  # accounts.py ROLES
        for role in value:
            if role not in known:
                msg = f"{role!r} is not a role: use {', '.join(known)}"
                raise ValueError(msg)
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _addresses(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for item in value:
            try:
                ipaddress.ip_network(item, strict=False)
            except ValueError:
                msg = f"{item!r} is not an address or network such as '10.0.0.5' or '10.0.0.0/24'"
                raise ValueError(msg) from None
        return value


class Signoff(_Strict):
    """What `serve` and `run` do with flows whose current content (in some shipped
    language) nobody signed off: start anyway, start and warn, or refuse to start."""

    unsigned: Literal["allow", "warn", "refuse"] = "allow"


class Engine(_Strict):
    max_steps_per_turn: int = Field(default=50, ge=5, le=1000)
    max_input_chars: int = Field(default=2000, ge=100, le=10000)


class Updates(_Strict):
    """ "You said, we did": how long an opt-in to hear back lasts, how many updates a young
    person is shown at once, and how long a staff text may be."""

    subscription_days: int = Field(default=180, ge=1, le=730)
    shown: int = Field(default=3, ge=1, le=20)
    max_chars: int = Field(default=600, ge=50, le=4000)
    # A LibreTranslate-compatible service that drafts the other languages of an update
    # (a person reviews each before young people see it); "" means staff translate by hand.
    translate_url: str = Field(default="", pattern=r"^(https?://\S+)?$")


class Config(_Strict):
    languages: Languages = Languages()
    age_bands: tuple[AgeBand, ...]
    services: dict[str, Service] = Field(default_factory=dict)
    service_codes: dict[str, str] = Field(default_factory=dict)
    helplines: tuple[Helpline, ...] = ()
    report_remove: tuple[ReportRemove, ...] = ()
    safety: Safety = Safety()
    privacy: Privacy = Privacy()
    storage: Storage = Storage()
    telegram: Telegram = Telegram()
    engine: Engine = Engine()
    signoff: Signoff = Signoff()
    handoff: Handoff = Handoff()
    desk: Desk = Desk()
    web: Web = Web()
    updates: Updates = Updates()
    flows_dir: str = "flows"
    locales_dir: str = "locales"

    @model_validator(mode="after")
    def _unique_bands(self) -> Config:
        ids = [band.id for band in self.age_bands]
        if len(set(ids)) != len(ids):
            msg = "two age bands share an id"
            raise ValueError(msg)
        for code, service in self.service_codes.items():
            if service not in self.services:
                msg = f"service code {code!r} points to an unknown service {service!r}"
                raise ValueError(msg)
        self._no_conflicts()
        return self

    def _no_conflicts(self) -> None:
        for routed in self.handoff.routes:
            if routed not in self.services:
                msg = f"handoff.routes names an unknown service {routed!r}"
                raise ValueError(msg)
        for service_id, service in self.services.items():
            if self.desk_for(service_id) == service.organisation:
                msg = (
                    f"requests about {service_id!r} would go to its own organisation "
                    f"{service.organisation!r}: set handoff.routes.{service_id} (or "
                    "handoff.desk_organisation) to an organisation that does not run it"
                )
                raise ValueError(msg)
        for organisation in self.telegram.staff_groups:
            if organisation not in self.desk_organisations:
                msg = (
                    f"telegram.staff_groups has a group for {organisation!r}, but no request "
                    "for a person goes to its desk: use an organisation named in "
                    "handoff.desk_organisation or handoff.routes"
                )
                raise ValueError(msg)

    def desk_for(self, service: str | None) -> str:
        """The organisation whose desk answers a request for a person about `service`."""
        if service is not None and service in self.handoff.routes:
            return self.handoff.routes[service]
        return self.handoff.desk_organisation

    @property
    def desk_organisations(self) -> tuple[str, ...]:
        """Every organisation whose desk may get a case."""
        found = (self.handoff.desk_organisation, *self.handoff.routes.values())
        return tuple(dict.fromkeys(found))

    def band(self, band_id: str) -> AgeBand:
        for band in self.age_bands:
            if band.id == band_id:
                return band
        msg = f"unknown age band {band_id!r}; known: {', '.join(self.band_ids)}"
        raise ConfigError(msg)

    @property
    def band_ids(self) -> tuple[str, ...]:
        return tuple(band.id for band in self.age_bands)

    def service_label(self, service_id: str, lang: str) -> str:
        labels = self.services[service_id].label
        return labels.get(lang) or labels.get(self.languages.source) or next(iter(labels.values()))

    def is_rtl(self, lang: str) -> bool:
        return lang.split("-")[0] in self.languages.rtl


def _describe(error: ValidationError) -> str:
    lines = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"]) or "(top level)"
        lines.append(f"  {where}: {item['msg']}")
    return "\n".join(lines)


def load_config(path: str | Path | None = None) -> tuple[Config, Path]:
    """Read the config file; returns it with the folder relative paths resolve against."""
    chosen = Path(path or os.environ.get("SAFEVOICE_CONFIG") or "config.toml")
    try:
        raw = tomllib.loads(chosen.read_text(encoding="utf-8"))
    except FileNotFoundError:
        msg = f"{chosen}: no config file here. Pass --config PATH or set SAFEVOICE_CONFIG."
        raise ConfigError(msg) from None
    except UnicodeDecodeError:
        msg = f"{chosen}: the file is not UTF-8 text. Save it as UTF-8 and try again."
        raise ConfigError(msg) from None
    except tomllib.TOMLDecodeError as exc:
        msg = f"{chosen}: this is not valid TOML ({exc}). Check quotes and brackets near there."
        raise ConfigError(msg) from None
    try:
        config = Config.model_validate(raw)
    except ValidationError as exc:
        msg = f"{chosen}: some values cannot be used:\n{_describe(exc)}"
        raise ConfigError(msg) from None
    return config, chosen.resolve().parent


class Settings(_Strict):
    """Deployment values from the environment, over the file's defaults."""

    secret_key: bytes | None
    # Earlier secret keys, only to open the staff rows they protected (bot/staff/keys.py).
    previous_secret_keys: tuple[bytes, ...] = ()
    redis_url: str
    database_url: str
    telegram_token: str | None

    @classmethod
    def from_env(cls, config: Config, base: Path) -> Settings:
        secret = os.environ.get("SAFEVOICE_SECRET_KEY")
        database_url = os.environ.get("SAFEVOICE_DATABASE_URL") or config.storage.database_url
        if database_url.startswith("sqlite:///") and not database_url.startswith("sqlite:////"):
            database_url = "sqlite:///" + str(base / database_url.removeprefix("sqlite:///"))
        return cls(
            secret_key=secret.encode() if secret else None,
            previous_secret_keys=tuple(
                key.encode() for key in os.environ.get("SAFEVOICE_PREVIOUS_SECRET_KEYS", "").split()
            ),
            redis_url=os.environ.get("SAFEVOICE_REDIS_URL") or config.storage.redis_url,
            database_url=database_url,
            telegram_token=os.environ.get("SAFEVOICE_TELEGRAM_TOKEN") or None,
        )
