"""The web side: the young people's chat and the staff dashboard, on aiohttp."""

from bot.web.server import build_web, create_app
from bot.web.state import Web, WebSettings

__all__ = ["Web", "WebSettings", "build_web", "create_app"]
