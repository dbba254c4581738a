"""SafeVoice on Telegram: aiogram (default) or python-telegram-bot, over one shared core.

`render()` turns engine events into data; `Sender` carries them out within Telegram's
limits; `TelegramChannel` runs one update as one conversation turn; `Poller` and
`webhook_app` feed it without losing or repeating updates.
"""

from bot.channels.telegram.core import CHANNEL, TelegramChannel
from bot.channels.telegram.incoming import Button, Incoming
from bot.channels.telegram.limiter import Limiter, Limits
from bot.channels.telegram.polling import Poller
from bot.channels.telegram.render import (
    AnswerCallback,
    ClearChat,
    Context,
    EditMessage,
    Outgoing,
    OutgoingMessage,
    Pressed,
    Typing,
    render,
    split_text,
)
from bot.channels.telegram.sender import Sender
from bot.channels.telegram.webhook import webhook_app, webhook_secret

__all__ = [
    "CHANNEL",
    "AnswerCallback",
    "Button",
    "ClearChat",
    "Context",
    "EditMessage",
    "Incoming",
    "Limiter",
    "Limits",
    "Outgoing",
    "OutgoingMessage",
    "Poller",
    "Pressed",
    "Sender",
    "TelegramChannel",
    "Typing",
    "render",
    "split_text",
    "webhook_app",
    "webhook_secret",
]
