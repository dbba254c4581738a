"""What a deployment lacks: the checklist behind `safevoice check` and the refusals of
`safevoice run` and `safevoice serve`.

A process that would mislead a young person does not start: no flows (every /start would
be answered "something went wrong"), a request for a person that no desk can answer (the
young person would be promised a worker who never comes), or a missing or short secret
key. Each item names the file or variable and the fix.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from bot.app import App
from bot.errors import ConfigError

__all__ = ["Item", "Mode", "checklist", "offers_a_person", "refuse_unready", "secret_item"]

Mode = Literal["run", "serve", "demo", "chat", "test"]
MIN_SECRET = 32
Level = Literal["ok", "warn", "fail"]


@dataclass(frozen=True, slots=True)
class Item:
    level: Level
    text: str
    fix: str = ""

    def __str__(self) -> str:
        mark = {"ok": "[ok]  ", "warn": "[warn]", "fail": "[FAIL]"}[self.level]
        return f"{mark} {self.text}" + (f"\n         fix: {self.fix}" if self.fix else "")


def secret_item(key: bytes | None) -> Item:
    """The secret key behind every pseudonymous session key and the staff passwords'
    pepper: set, and long enough that nobody can guess who is behind a session."""
    if not key:
        return Item("fail", "SAFEVOICE_SECRET_KEY is not set",
                    "export SAFEVOICE_SECRET_KEY=<at least 32 random characters>, the same on "
                    "every process and across restarts (staff passwords and authenticator "
                    "keys are protected with it: keep a copy, see docs/deploy.md 5.3)")  # fmt: skip
    if len(key) < MIN_SECRET:
        return Item("fail", f"SAFEVOICE_SECRET_KEY has only {len(key)} characters",
                    f"use at least {MIN_SECRET} random characters")  # fmt: skip
    return Item("ok", "SAFEVOICE_SECRET_KEY is set")


def offers_a_person(app: App) -> bool:
    """Whether any flow can open a request for a person (a `handoff` step)."""
    return any(step.kind == "handoff" for flow in app.flows for step in flow.steps)


def _config_file(app: App) -> str:
    return str(app.config_path) if app.config_path else str(Path(app.base) / "config.toml")


def checklist(
    app: App, modes: Sequence[Mode] = ("run", "serve"), *, one_process: bool = False
) -> list[Item]:
    """What the config and environment say, without reaching any server. `one_process`:
    the modes run together in this process (`serve --with-bot`), so its web desk answers
    what the bot offers even without [web] public_url."""
    config, settings, where = app.config, app.settings, _config_file(app)
    items = [Item("ok", f"{len(list(app.flows))} flows loaded from {app.base / config.flows_dir}")]
    items.append(secret_item(settings.secret_key))
    if "run" in modes:
        if settings.telegram_token:
            items.append(Item("ok", "SAFEVOICE_TELEGRAM_TOKEN is set"))
        else:
            items.append(Item("fail", "SAFEVOICE_TELEGRAM_TOKEN is not set (needed by `run`)",
                              "export the bot's token from @BotFather"))  # fmt: skip
    if offers_a_person(app):
        items.append(_desk_item(app, where, modes, one_process=one_process))
    if settings.database_url.startswith("sqlite"):
        items.append(Item("warn", "feedback is in SQLite: fine on one machine only",
                          "set SAFEVOICE_DATABASE_URL=postgresql://... for several "
                          "processes or machines"))  # fmt: skip
    else:
        items.append(Item("ok", "feedback is in PostgreSQL"))
    public = config.web.public_url
    if "serve" in modes and not (public or "").startswith("https://"):
        fix = f"put the service behind TLS and set [web] public_url in {where}"
        items.append(Item("warn", "[web] public_url is not an https:// address", fix))
    elif "serve" in modes and not config.web.trusted_proxies:
        # Behind the TLS proxy every client would be the proxy's address to the login
        # limits: 50 failures by anyone would stop every staff login for a while.
        fix = f"set [web] trusted_proxies in {where} to the reverse proxy's address"
        items.append(Item("warn", "[web] trusted_proxies is empty behind a TLS proxy", fix))
    if not config.helplines:
        items.append(Item("warn", "no [[helplines]]: danger messages would carry no numbers",
                          f"add the country's child helplines to {where}"))  # fmt: skip
    return items


def _desk_item(app: App, where: str, modes: Sequence[Mode], *, one_process: bool) -> Item:
    telegram = app.config.telegram.staff_chat_id is not None or bool(
        app.config.telegram.staff_groups
    )
    # A web desk counts when it is known to be served: by this very process, or at the
    # public address another `serve` process answers on.
    here = "serve" in modes and ("run" not in modes or one_process)
    web = app.config.web.public_url is not None or here
    if telegram or web:
        desks = " and ".join(
            name
            for name, on in (("the Telegram staff group", telegram), ("the web desk", web))
            if on
        )
        return Item("ok", f"requests for a person are answered on {desks}")
    return Item(
        "fail",
        "the flows let young people ask for a person, but no desk can answer them",
        f"set [telegram] staff_chat_id (a staff supergroup with topics) in {where}, or run "
        "`safevoice serve` for the web desk and set [web] public_url",
    )


def refuse_unready(app: App, mode: Mode, *, with_bot: bool = False) -> None:
    """Raise ConfigError listing every failed item that matters for `mode`. `with_bot`
    (`serve --with-bot`): serve and run checked together, as the one process they are."""
    if mode not in ("run", "serve"):
        return
    modes: tuple[Mode, ...] = ("serve", "run") if with_bot and mode == "serve" else (mode,)
    items = checklist(app, modes, one_process=len(modes) > 1)
    failed = [item for item in items if item.level == "fail"]
    if failed:
        lines = "\n".join(f"  - {item.text}: {item.fix}" for item in failed)
        command = f"safevoice {mode}" + (" --with-bot" if len(modes) > 1 else "")
        msg = f"{command} cannot start yet:\n{lines}"
        raise ConfigError(msg)
