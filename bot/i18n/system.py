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
    # A message over `[engine] max_input_chars` (bot/engine/text.py): refused, never cut.
    "That message is longer than I can take ({limit} characters). "
    "Could you send it in shorter parts?",
    # A free-text answer over its step's `max_chars` (bot/flows/steps/text.py).
    "That answer is longer than I can keep ({limit} characters). Could you make it shorter?",
    "That button belongs to an earlier question.",
    "Please choose one of the buttons, or type its number.",
    "Please choose from the buttons, then press Done.",
    "Please choose Yes or No, or skip this question.",
    "You can type your answer, or skip this question.",
    "Please choose a language from the buttons.",
    # Typed words at the language question: a guess, shown in that language to confirm.
    "Is this your language? Press its button to go on, or choose another.",
    "Please choose your age group from the buttons.",
    "SafeVoice is made for young people aged {low} to {high}. "
    "If you need help now, you can still talk to a person: type /person.",
    # When a message shows danger (bot/safety/respond.py): calm, before anything else;
    # the helplines follow the second sentence, one per line.
    "Thank you for telling me. Your safety matters most.",
    "If you are in danger or might hurt yourself, please call now:",
    "If I misunderstood, that's okay. We can carry on.",
    # A possible concern: one gentle question; nothing opens unless the answer is yes.
    "It sounds like something might be hard right now. "
    "Would you like to talk to a grown-up from our team?",
    "It sounds like something might be hard right now. Would you like to talk to a person?",
    "Yes, please",
    "Not now",
    "Okay. We can carry on. If you want to talk to someone later, type /person.",
    # The offer of the post-chat survey (a `case_closed` flow): 13-24, then 8-12.
    "Would you tell us how the chat went? It is anonymous.",
    "Would you like to tell a grown-up from our team how the chat went? "
    "Nobody will know it was you.",
    # Typed text went to the worker on an open case while a text question was on screen
    # (bot/services/conversation.py).
    "I sent that to the worker, not as your answer to the question. While you wait, "
    "anything you type goes to them. The question can wait: answer it after your chat, "
    "or press Skip.",
    "I sent that to the helper. The question can wait until after your chat.",
    # When a flow is broken: the young person is never left without a way on.
    "Sorry, something went wrong on our side. Please type /start to begin again.",
    # A photo, voice note, video, file or place sent while a case is open
    # (bot/services/media.py): asked first, sent only on "Send it". 8-12 hear "a grown-up
    # from our team"; the others "the people from our team who are helping you".
    "Do you want to send this to a grown-up from our team? They will see it.",
    "Do you want to send this to our team? The people from our team who are "
    "helping you will see it.",
    "Send it",
    "Don't send",
    "I sent it. A grown-up from our team will see it.",
    "Sent. The people helping you will see it.",
    "Okay, I did not send it.",
    "Your chat with our team has ended, so I did not send it. "
    "To talk to a person again, type /person.",
    "The grown-up helping you can only read words, so I did not send that. "
    "You can write to them instead.",
    "The person helping you can only read text here, so I did not send that. "
    "You can write it to them in words instead.",
    # Typed text with contact details in it, while a case is open (bot/services/contact.py):
    # held back and asked about first, with "Send it" / "Don't send" (the answers above).
    # The kind found, then who will see it: 8-12 hear "a grown-up from our team".
    "This looks like a phone number.",
    "This looks like an e-mail address.",
    "This looks like a username.",
    "This looks like a link.",
    "This looks like an address.",
    "This looks like a name.",
    "This looks like contact details.",
    "The worker will see it. Send it?",
    "A grown-up from our team will see it. Send it?",
    # Something else came instead of a tap: the held text is not sent.
    "I did not send your earlier message. To send it, please write it again.",
    # The image-abuse route (bot/engine/image_abuse.py): a photo or video outside a case,
    # or someone threatening to share pictures. Calm steps, never blaming; {name} and
    # {url} are a report-and-remove service from config.toml.
    "I did not open that: I can only read words here.",
    "If someone is asking you for photos or videos, or says they will show "
    "pictures of you to others:\n"
    "• It is not your fault. You are not in trouble.\n"
    "• Do not send anything more, and do not pay.\n"
    "• Keep their messages. Do not delete them yet.\n"
    "• Block them, and tell a grown-up you trust.",
    "If someone is asking you for photos or videos, or threatening to share "
    "pictures of you:\n"
    "• It is not your fault, and you are not in trouble.\n"
    "• Do not pay them and do not send more. Paying rarely makes it stop.\n"
    "• Keep the messages and their username. Do not delete them yet.\n"
    "• Block them and report them in the app or game where it happened.",
    "{name} can help take a picture of you off the internet: {url}",
    "{name} can help remove a picture or video of you from the internet: {url}",
    "Would you like to talk to a grown-up from our team about it?",
    "Would you like to talk to a person from our team about it?",
    # The Telegram channel (bot/channels/telegram/texts.py).
    "Thank you! I can only read words here, so I did not open that. "
    "Please write to me, or use the buttons.",
    "I did not keep that. For your safety, please do not send phone numbers or places here. "
    "Please write to me, or use the buttons.",
    "This choice has closed. To send it, please send it again.",
    "This button does not work here. Please use the buttons on my newest message.",
    "Welcome back! I could not find where we were, so let's start again.",
    "Sorry, I am having a little trouble. I will answer you as soon as I can.",
    "I also cleared our messages of the last 48 hours from this chat. Telegram does not "
    "let me delete older ones: you can delete the whole chat yourself.",
    "I could not clear the messages in this chat: Telegram lets me delete only messages "
    "of the last 48 hours. You can delete the whole chat yourself.",
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
    # Reaching a person (bot/services/handoff_texts.py): who answers, when, privacy, how to
    # stop. The 8-12 band gets the shorter "helper" sentences. "Soon" and "within N
    # minutes" only in office hours; out of hours "later" / "from {when}".
    "A helper from our team will write to you here soon. "
    "They cannot see your name or your number. To stop, type /stop.",
    "Our helpers are not here right now. A helper will write to you here later. "
    "They cannot see your name or your number. To stop, type /stop.",
    "Our workers are not here right now. A worker will answer you here from {when}. "
    "They will not see your name, your number or your account. To cancel, type /stop.",
    "If you need help now, you can call:",
    "You already asked for a helper. They will write to you here as soon as they can. "
    "To stop, type /stop.",
    "You have already asked to talk to a person. A worker will answer you here "
    "as soon as they can. To cancel, type /stop.",
    "{name} from our team is talking with you. Just write your message here.",
    "{name} from our team is here now. You can write to them here.",
    "Another person from our team will talk with you now. Please wait a little.",
    "Sorry, our helpers are busy right now. We have not forgotten you. "
    "A helper will write to you here as soon as they can.",
    "Sorry, our workers are all busy right now. Your request is still waiting, "
    "and a worker will answer you here as soon as they can.",
    "{name} has ended the chat. Thank you for talking with us. "
    "To talk to a person again, type /person.",
    "Our team",
    # In office hours with nobody on duty ([desk] on_duty = "workers"): no "soon".
    "Nobody from our team is on duty right now. A worker will answer you here as soon as "
    "they can. They will not see your name, your number or your account. "
    "To cancel, type /stop.",
    # A worker blocked an abusive sender for a while: kind, no blame; the helplines follow.
    "This chat has ended for now. You can ask for a helper again later.",
    "This chat with our team has ended for now. You can ask to talk to a person again later.",
    "You cannot talk to a helper here right now. Please try again later.",
    "You cannot talk to a person here right now. Please try again later.",
    # A request about a service is answered by another organisation's desk.
    "The helper who talks with you does not work at the place you told us about ({place}).",
    "The worker who answers you does not work for the service you told us about ({place}).",
    "How was talking with us? Tap a face.",
    "Thank you for telling us.",
    "Your request to talk to a person is cancelled.",
    # "You said, we did" updates (bot/services/update_texts.py): the simpler words for
    # 8-12, then the others'; staff's own words fill {said} and {changed}.
    "News from {service}:",
    "Young people told us: {said}",
    "So we changed this: {changed}",
    "'You said, we did' at {service}:",
    "You said: {said}",
    "We did: {changed}",
    "This news is not in your language yet, so here it is as it was written.",
    "There is no news from {service} yet. Please look again another time.",
    "There is no news from {service} yet. You can look again another day.",
    # The web chat, after asking to hear back (bot/web/chat_news.py): the browser keeps a
    # code past this visit; saying so plainly, and how to take it away.
    "This browser will remember this, so you can see the news when you come back. To make "
    "it forget, type /forget.",
)

# (singular, plural) pairs; `{n}` is the count. Languages choose among their own forms.
SYSTEM_PLURALS: tuple[tuple[str, str], ...] = (
    # Confirms a multiple-choice answer, so the young person knows it was taken.
    ("You picked {n} answer.", "You picked {n} answers."),
    # Reaching a person, in office hours: roughly when a worker answers.
    (
        "A worker from our team will answer you here, usually within {n} minute. "
        "They will not see your name, your number or your account. To cancel, type /stop.",
        "A worker from our team will answer you here, usually within {n} minutes. "
        "They will not see your name, your number or your account. To cancel, type /stop.",
    ),
)


def is_system_text(text: str) -> bool:
    return text in SYSTEM_TEXTS or any(text in pair for pair in SYSTEM_PLURALS)
