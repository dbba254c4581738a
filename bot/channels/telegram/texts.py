"""The Telegram channel's own sentences. They are looked up as engine system texts
(gettext context "system"), so translators find them in the same catalog."""

from __future__ import annotations

NOT_TEXT = (
    "Thank you! I can only read words here, so I did not open that. "
    "Please write to me, or use the buttons."
)
CONTACT_OR_PLACE = (
    "I did not keep that. For your safety, please do not send phone numbers or places here. "
    "Please write to me, or use the buttons."
)
# A press on "send it" / "don't send" that is no longer open (pressed twice, or
# something newer was sent, or the chat paused too long): a short note on the button.
CHOICE_CLOSED = "This choice has closed. To send it, please send it again."
FORGED_BUTTON = "This button does not work here. Please use the buttons on my newest message."
LOST_PLACE = "Welcome back! I could not find where we were, so let's start again."
TROUBLE = "Sorry, I am having a little trouble. I will answer you as soon as I can."
BROKEN = "Sorry, something went wrong on our side. Please type /start to begin again."
# After "delete my data": what the chat on the phone still shows (a bot may delete only
# the messages of the last 48 hours).
CLEARED = (
    "I also cleared our messages of the last 48 hours from this chat. Telegram does not "
    "let me delete older ones: you can delete the whole chat yourself."
)
NOT_CLEARED = (
    "I could not clear the messages in this chat: Telegram lets me delete only messages "
    "of the last 48 hours. You can delete the whole chat yourself."
)

# The command menu, shown by Telegram next to the text field, set once per language.
COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "Start again"),
    ("help", "What you can do here"),
    ("language", "Change the language"),
    ("privacy", "What happens to your answers"),
    ("forget", "Delete my data and clear this chat"),
    ("stop", "Stop for now"),
)

ALL = (
    NOT_TEXT,
    CONTACT_OR_PLACE,
    CHOICE_CLOSED,
    FORGED_BUTTON,
    LOST_PLACE,
    TROUBLE,
    BROKEN,
    CLEARED,
    NOT_CLEARED,
    *(description for _, description in COMMANDS),
)
