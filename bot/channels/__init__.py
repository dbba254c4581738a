"""Channels: turn what a person does into engine inputs, and engine events into messages.

Rendering (`render`) is plain data and text; each channel sends it its own way.
"""

from bot.channels.console import ConsoleChat, run_console, start_preset
from bot.channels.render import Button, Message, choose, last_question, lines, render

__all__ = [
    "Button",
    "ConsoleChat",
    "Message",
    "choose",
    "last_question",
    "lines",
    "render",
    "run_console",
    "start_preset",
]
