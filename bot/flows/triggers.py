"""Flow triggers beyond the menu: which flow a closed chat or a deep link starts, per band.

A band reaches its own flows and the common ones it does not override; two of those with
the same deep link, or two `case_closed` flows, would leave the bot guessing, so they are
author errors.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from bot.config import Config
from bot.flows.flow import Flow, FlowSet
from bot.flows.problems import Problem

# The answer to "Would you tell us how the chat went?" that starts the survey.
SURVEY_YES = "yes"
# Telegram's rule for a /start payload, and so for every deep link.
LINK = re.compile(r"[A-Za-z0-9_-]{1,64}")


def is_link(value: object) -> bool:
    """Whether `value` can be a deep link's name (anything else is never looked up)."""
    return isinstance(value, str) and LINK.fullmatch(value) is not None


def band_flows(flows: FlowSet, band: str | None) -> list[Flow]:
    """The flows a band reaches: its own, and the common ones it does not override."""
    ids = sorted({flow.id for flow in flows if flow.scope in ("common", band)})
    found = [flows.resolve(band, flow_id) for flow_id in ids]
    return [flow for flow in found if flow is not None]


def case_closed_flow(flows: FlowSet, band: str | None) -> Flow | None:
    """The flow offered to a young person of this band when a worker ends their chat."""
    return next((f for f in band_flows(flows, band) if _case_closed(f)), None)


def survey_bands(flows: FlowSet, bands: Iterable[str]) -> frozenset[str]:
    """The bands with a `case_closed` flow to offer when a worker ends a chat."""
    return frozenset(band for band in bands if case_closed_flow(flows, band) is not None)


def deep_link_flow(flows: FlowSet, band: str | None, name: str) -> Flow | None:
    """The flow a deep link `?start=<name>` starts in this band, if any."""
    return next((f for f in band_flows(flows, band) if _deep_link(f) == name), None)


def known_link(flows: FlowSet, name: str | None) -> bool:
    """Whether any flow of any band starts from this deep link (for logs: never the name)."""
    return name is not None and any(_deep_link(flow) == name for flow in flows)


def _case_closed(flow: Flow) -> bool:
    return flow.header.triggers is not None and flow.header.triggers.case_closed


def _deep_link(flow: Flow) -> str | None:
    return flow.header.triggers.deep_link if flow.header.triggers is not None else None


def _problem(flow: Flow, field: str, message: str, fix: str) -> Problem:
    line, col = flow.where("@", "triggers", field)
    return Problem(flow.path, line, col, f"flow `{flow.id}`: {message}", fix, subject=flow.id)


def check_triggers(flows: FlowSet, config: Config) -> Iterator[Problem]:
    """Per band: at most one `case_closed` flow, and one flow per deep link."""
    seen: set[Problem] = set()
    for band in config.band_ids:
        reached = band_flows(flows, band)
        closed = [flow for flow in reached if _case_closed(flow)]
        for other in closed[1:]:
            seen.add(
                _problem(
                    other,
                    "case_closed",
                    f"age band {band} already offers `{closed[0].id}` when a chat is closed "
                    "(`case_closed: true`).",
                    "Keep `case_closed: true` in one flow of each age band.",
                )
            )
        by_link: dict[str, Flow] = {}
        for flow in reached:
            link = _deep_link(flow)
            if link is None:
                continue
            if link in by_link:
                seen.add(
                    _problem(
                        flow,
                        "deep_link",
                        f"age band {band} already starts `{by_link[link].id}` from the deep "
                        f"link `{link}`.",
                        "Give each flow of an age band its own `deep_link`.",
                    )
                )
            else:
                by_link[link] = flow
    yield from sorted(seen)
