"""Made-up feedback for `safevoice demo`, so the charts are not empty on first start.

Every demo record has the flow id `demo_service_feedback`, so it can never be mistaken for
(or mixed into an export as) real feedback, and the demo runs on its own database file.
"""

from __future__ import annotations

import datetime as dt
import random

from bot.config import Config
from bot.privacy.keys import new_record_id
from bot.storage.bulk import add_many
from bot.storage.feedback import FeedbackStore
from bot.storage.records import Answer, FeedbackFilters, FeedbackRecord, iso_week

__all__ = ["DEMO_FLOW", "demo_records", "load_demo_feedback"]

DEMO_FLOW = "demo_service_feedback"
_COMMENTS = (
    "(demo) More activities at the weekend.",
    "(demo) Staff listen to me.",
    "(demo) I would like to choose my own clothes.",
    "(demo) The food is better now.",
    "(demo) Tell us earlier about appointments.",
)
_LIKED = ("people", "safe", "food", "activities", "help")


def demo_records(config: Config, today: dt.date, rng: random.Random) -> list[FeedbackRecord]:
    services = list(config.services)[:4]
    records = []
    for weeks_ago in range(12):
        week = iso_week(today - dt.timedelta(weeks=weeks_ago))
        for n, service in enumerate(services):
            # The last service gets few answers, so the demo shows suppression too.
            count = rng.randint(0, 4) if n == len(services) - 1 else rng.randint(8, 22)
            for _ in range(count):
                band = rng.choice(config.age_bands)
                lang = rng.choice(config.languages.shipped)
                answers = [
                    Answer("overall", "scale", str(rng.choice((2, 3, 4, 4, 5, 5)))),
                    Answer("felt_safe", "yes_no", rng.choice(("yes", "yes", "yes", "no"))),
                    Answer("listened", "scale", str(rng.choice((1, 3, 4, 4, 5)))),
                    *(Answer("liked", "multi", v) for v in rng.sample(_LIKED, rng.randint(1, 3))),
                ]
                if "text" in band.keep and rng.random() < 0.4:
                    answers.append(Answer("improve", "text", rng.choice(_COMMENTS)))
                records.append(
                    FeedbackRecord(
                        DEMO_FLOW, 1, band.id, lang, service, tuple(answers), week, new_record_id()
                    )
                )
    return records


def load_demo_feedback(store: FeedbackStore, config: Config, today: dt.date) -> int:
    """Add the demo feedback once: nothing happens when it is already there."""
    if store.count(FeedbackFilters(flow_id=DEMO_FLOW)):
        return 0
    return add_many(store, demo_records(config, today, random.Random()))  # noqa: S311 - not secret
