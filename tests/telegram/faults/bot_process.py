"""`safevoice run` as the fault suite starts it: the same runtime and `run()`, with the
outbound limits chosen (the real ones, or fast ones so 5,000 updates fit in CI).

    python -m tests.telegram.faults.bot_process --config C --library aiogram --limits fast
"""

from __future__ import annotations

import argparse
import asyncio
import logging

from bot.app import load_app
from bot.channels.telegram.limiter import Limits
from bot.channels.telegram.runtime import run
from bot.commands.run import listen_address
from bot.runtime import build_runtime

LIMITS = {
    "real": Limits(),  # Telegram's: 30/s per bot, 1/s per chat (bursts of 3)
    "fast": Limits(per_bot=5000, per_chat=1000, chat_burst=1000, per_group=1000, bot_burst=5000),
    "chat": Limits(per_bot=1000, bot_burst=1000),  # Telegram's per chat only
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", required=True)
    parser.add_argument("--library", default="aiogram")
    parser.add_argument("--limits", choices=sorted(LIMITS), default="real")
    parser.add_argument("--webhook")
    parser.add_argument("--listen", default="127.0.0.1:8443")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(message)s")
    app = load_app(args.config)

    async def go() -> None:
        runtime = build_runtime(app, "run")
        try:
            await run(runtime, webhook_url=args.webhook, listen=listen_address(args.listen),
                      library=args.library, limits=LIMITS[args.limits])  # fmt: skip
        finally:
            await runtime.close()

    asyncio.run(go())


if __name__ == "__main__":
    main()
