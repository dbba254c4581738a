"""The pure flow engine: `start()` and `resume()` return a new session and events.

No I/O happens here: translations, config and flows are data handed in, and the
edges (channels, services) act on the events.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from bot.config import Config
from bot.engine.events import (
    AnswerRecorded,
    DataDeletionRequested,
    Event,
    FeedbackSubmitted,
    InputKind,
    Option,
    Say,
)
from bot.engine.image_abuse import after_danger
from bot.engine.inputs import Input
from bot.engine.session import Session
from bot.engine.text import too_long
from bot.flows.flow import Flow, FlowSet
from bot.flows.steps import Outcome, Question, StepBase
from bot.flows.steps.end import EndStep
from bot.flows.triggers import SURVEY_YES, case_closed_flow, deep_link_flow, is_link
from bot.i18n.translator import Translator
from bot.inputs.text import clean_text
from bot.privacy.scrub import scrub
from bot.safety.detector import DangerCheck
from bot.safety.respond import CHECK_IN_STEP, danger_events
from bot.safety.respond import YES as CHECK_IN_YES

# Commands that pause what the young person was doing and come back to it afterwards.
INTERRUPTIONS = ("privacy", "language", "person")
SKIP, DONE = "skip", "done"


@dataclass
class _Turn:
    """The context a step sees while the engine runs one turn."""

    engine: Engine
    session: Session
    flow: Flow
    step: StepBase | None = None
    events: list[Event] = field(default_factory=list)

    @property
    def config(self) -> Config:
        return self.engine.config

    def t(self, text: str, part: str = "") -> str:
        step = self.step.id if self.step else ""
        context = f"{self.flow.scope}/{self.flow.id}/{step}" + (f"/{part}" if part else "")
        return self.engine.translator.gettext(self.session.lang, context, text)

    def system(self, text: str, **values: object) -> str:
        return self.engine.translator.system(self.session.lang, text, **values)

    def system_plural(self, singular: str, plural: str, n: int, **values: object) -> str:
        return self.engine.translator.system_plural(
            self.session.lang, singular, plural, n, **values
        )

    def detect_language(self, text: str) -> str | None:
        return self.engine.detect(text) if self.engine.detect else None

    def say(
        self,
        text: str,
        *,
        input: InputKind = "none",
        options: Sequence[Option] = (),
        skip: bool = False,
        done: bool = False,
        selected: Sequence[str] = (),
    ) -> Say:
        return Say(
            text=text,
            lang=self.session.lang,
            rtl=self.config.is_rtl(self.session.lang),
            step=self.step.id if self.step and input != "none" else None,
            input=input,
            options=tuple(options),
            skip=Option(SKIP, self.system("Skip")) if skip else None,
            done=Option(DONE, self.system("Done")) if done else None,
            selected=tuple(selected),
        )


class Engine:
    def __init__(
        self,
        flows: FlowSet,
        config: Config,
        translator: Translator,
        *,
        detect: Callable[[str], str | None] | None = None,
        danger: DangerCheck | None = None,
    ) -> None:
        self.flows, self.config, self.translator, self.detect = flows, config, translator, detect
        self.danger = danger

    # -- public surface -------------------------------------------------------------------
    def start(
        self, lang: str, *, service: str | None = None, link: str | None = None
    ) -> tuple[Session, list[Event]]:
        """A new conversation in `lang` (a guess the young person confirms), from `start`;
        a deep link's flow comes once the age band is chosen."""
        lang = lang if lang in self.config.languages.shipped else self.config.languages.source
        service = service if service in self.config.services else None
        session = Session(lang=lang, service=service, link=link if is_link(link) else None)
        events: list[Event] = []
        self._enter_flow(session, "start", events)
        return session, events

    def follow_link(self, previous: Session, link: str) -> tuple[Session, list[Event]] | None:
        """A deep link for a conversation whose age band is known: its flow, directly;
        None when this band has no flow for it (the caller starts as usual)."""
        flow = deep_link_flow(self.flows, previous.band, link) if previous.band else None
        if flow is None:
            return None
        session = Session(lang=previous.lang, band=previous.band, service=previous.service)
        session.turn = previous.turn + 1
        events: list[Event] = []
        self._enter_flow(session, flow.id, events)
        return session, events

    def after_chat(self, previous: Session, answer: str) -> tuple[Session, list[Event]]:
        """The answer to "Would you tell us how the chat went?" after a worker closed the
        chat: yes starts the band's `case_closed` flow, anything else carries on."""
        session = Session.from_json(previous.to_json())
        session.turn += 1
        session.answers, session.kept, session.picked, session.back = {}, {}, [], None
        events: list[Event] = []
        flow = case_closed_flow(self.flows, session.band) if session.band else None
        if answer == SURVEY_YES and flow is not None:
            self._enter_flow(session, flow.id, events)
            return session, events
        text = "Okay. We can carry on. If you want to talk to someone later, type /person."
        events.append(self.system_say(session, text))
        self._enter_flow(session, "menu" if session.band else "start", events)
        return session, events

    def open_at(self, lang: str, band: str, flow_id: str) -> tuple[Session, list[Event]]:
        """A new conversation with language and age band already chosen, opened at
        `flow_id` (the flow preview: an advisory group tries one flow directly)."""
        lang = lang if lang in self.config.languages.shipped else self.config.languages.source
        session = Session(lang=lang, band=band)
        events: list[Event] = []
        self._enter_flow(session, flow_id, events)
        return session, events

    def resume(self, previous: Session, inp: Input) -> tuple[Session, list[Event]]:
        """Handle one input. `previous` is never changed: a copy is returned."""
        session = Session.from_json(previous.to_json())
        session.turn += 1
        events: list[Event] = self.danger_response(session, inp.value) if inp.kind == "text" else []
        if inp.kind == "command":
            self._command(session, inp.value, events)
            return session, events
        value = clean_text(inp.value)
        inp = Input(inp.kind, value, inp.step)
        current = self._current(session)
        if inp.kind == "text" and len(value) > self.config.engine.max_input_chars:
            # Refused with a sentence that says so, then asked again: never cut unsaid.
            events.append(too_long(self.translator, self.config, session))
            if current is not None:
                turn = _Turn(self, session, *current, events=events)
                self._run(session, *current, self._reenter(turn, current[1]), events)
                return session, events
        if inp.kind == "button" and inp.step == CHECK_IN_STEP:
            self._checked_in(session, inp.value, events)
            return session, events
        if current is None:
            self._enter_flow(session, "menu" if session.band else "start", events)
            return session, events
        flow, step = current
        turn = _Turn(self, session, flow, step, events)
        if inp.kind == "text" and not value.strip():
            events.append(turn.say(turn.system("I didn't get any words there. That's okay.")))
            self._run(session, flow, step, self._reenter(turn, step), events)
            return session, events
        if inp.kind == "button" and inp.step not in (None, step.id):
            events.append(turn.say(turn.system("That button belongs to an earlier question.")))
            self._run(session, flow, step, self._reenter(turn, step), events)
            return session, events
        if inp.kind == "button" and inp.value == SKIP and isinstance(step, Question):
            session.picked.clear()
            outcome = Outcome(answered=True, answer=None)
        else:
            outcome = step.receive(turn, inp)
            events.extend(outcome.events)
            outcome.events = []
        if outcome.wait:
            return session, events
        if isinstance(step, Question) and outcome.answered:
            self._record(session, step, outcome.answer, events)
        self._leave(session, flow, step, outcome, events)
        return session, events

    def waits_for_text(self, session: Session) -> bool:
        """Whether the question on screen is one the young person answers by typing."""
        found = self._current(session)
        return found is not None and found[1].kind == "text"

    def system_say(self, session: Session, text: str) -> Say:
        """One of the engine's own sentences (bot/i18n/system.py), in the chat's language."""
        lang = session.lang
        return Say(self.translator.system(lang, text), lang, self.config.is_rtl(lang))

    def danger_response(self, session: Session, text: str, *, concern: bool = True) -> list[Event]:
        """Help at once when a text shows danger, at any step; the turn then goes on.
        Also used for text that goes straight to a worker while a case is open, where a
        possible concern asks nothing (`concern=False`): a person is already there."""
        found = None
        if self.danger is not None:
            found = self.danger(text[: self.config.engine.max_input_chars * 4], session.lang)
        if found is None or (found.level != "clear" and not concern):
            return []
        events = danger_events(
            found,
            lang=session.lang,
            band=session.band,
            service=session.service,
            config=self.config,
            translator=self.translator,
        )
        # Someone threatening to share pictures: also what to do now, and where a picture
        # can be taken down (bot/engine/image_abuse.py).
        return after_danger(events, self.config, self.translator, session.lang, session.band)

    def _checked_in(self, session: Session, value: str, events: list[Event]) -> None:
        """The answer to the gentle question of a possible concern (bot/safety/respond.py):
        "yes" asks for a person, "not now" carries on where the chat was."""
        if value == CHECK_IN_YES:
            self._command(session, "person", events)
            return
        events.append(
            self.system_say(
                session,
                "Okay. We can carry on. If you want to talk to someone later, type /person.",
            )
        )
        current = self._current(session)
        if current is None:
            self._enter_flow(session, "menu" if session.band else "start", events)
            return
        flow, step = current
        self._run(
            session,
            flow,
            step,
            self._reenter(_Turn(self, session, flow, step, events), step),
            events,
        )

    # -- moving through flows -------------------------------------------------------------
    def _current(self, session: Session) -> tuple[Flow, StepBase] | None:
        if session.step is None or session.flow is None or session.scope is None:
            return None
        flow = self.flows.get(session.scope, session.flow)
        step = flow.step(session.step) if flow else None
        return (flow, step) if flow and step else None

    def _command(self, session: Session, name: str, events: list[Event]) -> None:
        current = self._current(session)
        if name == SKIP and current and isinstance(current[1], Question):
            self._record(session, current[1], None, events)
            self._leave(session, *current, Outcome(answered=True), events)
            return
        if name in INTERRUPTIONS and current and not session.back:
            flow, step = current
            session.back = [flow.scope, flow.id, step.id]
        elif name not in INTERRUPTIONS:
            session.back = None
        session.picked.clear()
        if name in ("start", "stop"):
            # Stopping drops unsent answers: nothing is sent that was not finished.
            session.answers, session.kept = {}, {}
        if name == "start":
            session.band = None
        if name in ("menu", "help", SKIP):
            name = "menu" if session.band else "start"
        known = ("start", "menu", "person", "language", "privacy", "forget", "stop")
        self._enter_flow(session, name if name in known else "menu", events)

    def _enter_flow(self, session: Session, flow_id: str, events: list[Event]) -> None:
        flow = self.flows.resolve(session.band, flow_id)
        if flow is None and session.band is None:
            flow = self.flows.resolve(None, "start")
        if flow is None:
            self._broken(session, events)
            return
        step = flow.step(flow.start)
        if step is None:  # the validator refuses such flows; never crash a chat over it
            self._broken(session, events)
            return
        turn = _Turn(self, session, flow, step, events)
        self._run(session, flow, step, step.enter(turn), events)

    def _run(
        self, session: Session, flow: Flow, step: StepBase, outcome: Outcome, events: list[Event]
    ) -> None:
        """Follow steps until one waits for input; a step limit stops runaway loops."""
        for _ in range(self.config.engine.max_steps_per_turn):
            events.extend(outcome.events)
            if outcome.wait:
                session.scope, session.flow, session.step = flow.scope, flow.id, step.id
                return
            target = self._target(session, flow, step, outcome, events)
            if target is None:
                return
            flow, step = target
            outcome = step.enter(_Turn(self, session, flow, step, events))
        self._broken(session, events)

    def _leave(
        self, session: Session, flow: Flow, step: StepBase, outcome: Outcome, events: list[Event]
    ) -> None:
        outcome.events, outcome.wait = [], False
        self._run(session, flow, step, outcome, events)

    def _target(
        self, session: Session, flow: Flow, step: StepBase, outcome: Outcome, events: list[Event]
    ) -> tuple[Flow, StepBase] | None:
        """The step after `step`, or None when the conversation goes idle or moved on."""
        if any(isinstance(event, DataDeletionRequested) for event in outcome.events):
            fresh = Session(lang=session.lang)
            session.__dict__.update(fresh.__dict__)
            return None
        if outcome.flow:
            return self._flow_start(session, outcome.flow, events)
        if outcome.finish or isinstance(step, EndStep):
            return self._finish(session, flow, step, events)
        next_id = outcome.jump or self._next(session, step)
        nxt = flow.step(next_id) if next_id else None
        if nxt is None:
            return self._finish(session, flow, step, events)
        return flow, nxt

    def _next(self, session: Session, step: StepBase) -> str | None:
        if step.next is None or isinstance(step.next, str):
            return step.next
        # `service` can be known before any question: from a service's link.
        answers = {"service": session.service, **session.answers}
        branch = next((b for b in step.next if b.matches(answers)), None)
        return branch.goto if branch else None

    def _flow_start(
        self, session: Session, flow_id: str, events: list[Event]
    ) -> tuple[Flow, StepBase] | None:
        flow = self.flows.resolve(session.band, flow_id)
        if session.link and session.band:
            # The age band is chosen: the deep link's flow instead of the welcome.
            linked = deep_link_flow(self.flows, session.band, session.link)
            session.link = None
            flow = linked or flow
        step = flow.step(flow.start) if flow else None
        if flow is None or step is None:
            self._broken(session, events)
            return None
        return flow, step

    def _finish(
        self, session: Session, flow: Flow, step: StepBase, events: list[Event]
    ) -> tuple[Flow, StepBase] | None:
        then = step.then if isinstance(step, EndStep) else "menu"
        if isinstance(step, EndStep) and step.submit:
            self._submit(session, flow, events)
        session.scope = session.flow = session.step = None
        back, session.back = session.back, None
        if then == "back" and back:
            returned = self.flows.get(back[0], back[1])
            at = returned.step(back[2]) if returned else None
            if returned and at:
                return returned, at
        if then == "idle" or (then == "back" and not session.band):
            return None
        return self._flow_start(session, "menu" if session.band else "start", events)

    def _reenter(self, turn: _Turn, step: StepBase) -> Outcome:
        outcome = step.enter(turn)
        return outcome

    def _broken(self, session: Session, events: list[Event]) -> None:
        text = self.translator.system(
            session.lang,
            "Sorry, something went wrong on our side. Please type /start to begin again.",
        )
        events.append(Say(text=text, lang=session.lang, rtl=self.config.is_rtl(session.lang)))
        session.scope = session.flow = session.step = None

    # -- answers ------------------------------------------------------------------------
    def _record(self, session: Session, step: Question, value: object, events: list[Event]) -> None:
        kind = step.answer_kind
        answer = value if isinstance(value, (str, list)) else None
        band = self.config.band(session.band) if session.band else None
        kept = step.record and band is not None and kind in band.keep
        if kind == "text" and isinstance(answer, str):
            # Free text that is not kept never sits in the session, even scrubbed:
            # conditions only need to know that something was written.
            answer = scrub(answer) if kept else "*"
        session.answers[step.key] = answer
        session.picked.clear()
        if getattr(step, "options_from", None) == "services" and isinstance(answer, str):
            session.service = answer
        elif kept:
            session.kept[step.key] = kind
        if step.record:
            shown = json.dumps(answer) if isinstance(answer, list) else answer
            events.append(AnswerRecorded(step.key, kind, shown if kept or kind != "text" else None))

    def _submit(self, session: Session, flow: Flow, events: list[Event]) -> None:
        answers: list[tuple[str, str, str]] = []
        questions = {s.key: s for s in flow.steps if isinstance(s, Question)}
        for key, kind in session.kept.items():
            value = session.answers.get(key)
            # Stored on the values every age band shares (an option's `counts_as`, a choice
            # `counted_as` a yes/no or a scale); scales are already on the common 1-5 scale.
            step = questions.get(key)
            stored_kind = step.counted_kind if step is not None else kind
            items = [i for i in (value if isinstance(value, list) else [value]) if i is not None]
            common = [step.common_value(i) for i in items] if step is not None else items
            # Two options counted as one value are one answer, not two.
            answers.extend((key, stored_kind, item) for item in dict.fromkeys(common))
        if not answers:
            # Everything skipped: there is nothing to count, so nothing is stored.
            session.answers, session.kept = {}, {}
            return
        events.append(
            FeedbackSubmitted(
                flow_id=flow.id,
                flow_version=flow.header.version,
                age_band=session.band or "unknown",
                language=session.lang,
                service=session.service,
                answers=tuple(answers),
            )
        )
        session.answers, session.kept = {}, {}
