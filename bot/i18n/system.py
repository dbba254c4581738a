"""The engine's own sentences: every text it says that does not come from a flow file.

They are translated with the context "system". Keeping them in one registry lets
`safevoice i18n extract` put them in the template without scanning Python code, and a
test (tests/i18n/test_system_texts.py) fails when code passes a text to `.system(...)`,
`.system_plural(...)` or `.retry(...)` that is missing here, or when a channel's own
texts (Telegram's `texts.ALL`, the web chat's `UI`) are, so no sentence reaches a young
person untranslated. The channels keep their texts where they use them; they are
listed here again because bot/i18n must not import the channels.
"""

from __future__ import annotations

SYSTEM_TEXTS: tuple[str, ...] = (
    # Buttons the engine adds to questions.
    "Skip",
    "Done",
    "Yes",
    "No",
    # When an answer does not fit the question: gentle, never blaming.
    "I didn't get any words there. That's okay.",
    "That button belongs to an earlier question.",
    "Please choose one of the buttons, or type its number.",
    "Please choose from the buttons, then press Done.",
    "Please choose Yes or No, or skip this question.",
    "You can type your answer, or skip this question.",
    "Please choose a language from the buttons.",
    "Please choose your age group from the buttons.",
    "SafeVoice is made for young people aged {low} to {high}. "
    "If you need help now, you can still talk to a person: type /person.",
    # When a flow is broken: the young person is never left without a way on.
    "Sorry, something went wrong on our side. Please type /start to begin again.",
    # The Telegram channel (bot/channels/telegram/texts.py).
    "Thank you! I can only read words here, so I did not open that. "
    "Please write to me, or use the buttons.",
    "I did not keep that. For your safety, please do not send phone numbers or places here. "
    "Please write to me, or use the buttons.",
    "This button does not work here. Please use the buttons on my newest message.",
    "Welcome back! I could not find where we were, so let's start again.",
    "Sorry, I am having a little trouble. I will answer you as soon as I can.",
    # Telegram's command menu, next to the text field.
    "Start again",
    "What you can do here",
    "Change the language",
    "What happens to your answers",
    "Delete my data and clear this chat",
    "Stop for now",
    # The web chat page (bot/web/chat.py, UI).
    "Leave quickly",
    "Send",
    "Your answer",
    "Menu",
    "Talk to a person",
    "Language",
    "Privacy",
    "Delete my data",
    "Stop",
    "Preview: answers are not saved.",
    "Conversation",
    "This chat needs JavaScript, from this site only.",
)

# (singular, plural) pairs; `{n}` is the count. Languages choose among their own forms.
SYSTEM_PLURALS: tuple[tuple[str, str], ...] = (
    # Confirms a multiple-choice answer, so the young person knows it was taken.
    ("You picked {n} answer.", "You picked {n} answers."),
)


def is_system_text(text: str) -> bool:
    return text in SYSTEM_TEXTS or any(text in pair for pair in SYSTEM_PLURALS)
