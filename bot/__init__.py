"""SafeVoice: a child-friendly participation and feedback chatbot."""

from bot.errors import SafeVoiceError

__version__ = "0.1.0"

__all__ = ["SafeVoiceError", "__version__"]
