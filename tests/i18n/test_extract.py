"""The Babel extractor and the template: every flow text once, with its context and line."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from bot.config import load_config
from bot.errors import FlowError
from bot.flows.loader import load_flows
from bot.i18n.extract import build_template, extract_flows
from bot.i18n.system import SYSTEM_PLURALS, SYSTEM_TEXTS
from tests.i18n.conftest import ROOT


def _template():  # type: ignore[no-untyped-def]
    config, base = load_config(ROOT / "config.toml")
    flows, problems = load_flows(base / config.flows_dir)
    assert not [p for p in problems if p.severity == "error"]
    return build_template(flows), flows, config


def test_build_template_has_every_flow_text_with_its_context_and_line() -> None:
    template, flows, _ = _template()
    for flow in flows:
        for step in flow.steps:
            for part, text in step.texts():
                context = f"{flow.scope}/{flow.id}/{step.id}" + (f"/{part}" if part else "")
                message = template.get(text, context=context)
                assert message is not None, context
                ((where, line),) = message.locations
                assert where == f"flows/{flow.scope}/{Path(flow.path).name}"
                source = (ROOT / where).read_text(encoding="utf-8").splitlines()[line - 1]
                # The line named is the one that holds the text (YAML may quote it).
                assert text.split()[0].strip("\"'") in source, (context, source)


def test_template_locations_point_at_options_and_scale_labels() -> None:
    template, _, _ = _template()
    option = template.get("Talk to a person", context="8-12/menu/choose/person")
    ((where, line),) = option.locations
    assert "value: person" in (ROOT / where).read_text(encoding="utf-8").splitlines()[line - 1]
    label = template.get("Not good", context="8-12/service_feedback/overall/point1")
    ((where, line),) = label.locations
    assert "labels:" in (ROOT / where).read_text(encoding="utf-8").splitlines()[line - 1]


def test_template_has_system_texts_and_plurals_in_context_system() -> None:
    template, _, _ = _template()
    for text in SYSTEM_TEXTS:
        assert template.get(text, context="system") is not None, text
    for singular, plural in SYSTEM_PLURALS:
        message = template.get(singular, context="system")
        assert message is not None
        assert message.id == (singular, plural)
        assert message.pluralizable


def test_age_band_and_service_labels_are_not_in_the_template() -> None:
    # They are translated in config.toml, next to the thing they name.
    template, _, config = _template()
    ids = {m.id for m in template if m.id}
    for band in config.age_bands:
        assert band.label["en"] not in ids
    for service in config.services.values():
        assert service.label["en"] not in ids


def test_extractor_gives_context_through_pgettext() -> None:
    path = ROOT / "flows" / "common" / "stop.yaml"
    with path.open("rb") as handle:
        found = list(extract_flows(handle, {}, (), {}))
    ((line, funcname, (context, text), comments),) = found
    assert funcname == "pgettext"
    assert context == "common/stop/bye"
    assert text.startswith("Okay, we can stop here.")
    assert "text:" in path.read_text(encoding="utf-8").splitlines()[line - 1]
    assert comments
    assert "every age band" in comments[0]


def test_extractor_takes_the_scope_from_options_when_the_file_has_no_folder() -> None:
    data = (ROOT / "flows" / "common" / "stop.yaml").read_bytes()
    found = list(extract_flows(io.BytesIO(data), {}, (), {"scope": "common"}))
    assert found[0][2][0] == "common/stop/bye"
    with pytest.raises(FlowError, match="age band"):
        list(extract_flows(io.BytesIO(data), {}, (), {}))


def test_extractor_refuses_a_broken_flow(tmp_path: Path) -> None:
    broken = tmp_path / "common" / "bad.yaml"
    broken.parent.mkdir()
    broken.write_text("spec_version: 1\nid: bad\nsteps: [", encoding="utf-8")
    with broken.open("rb") as handle, pytest.raises(FlowError, match=r"bad\.yaml"):
        list(extract_flows(handle, {}, (), {}))


def test_pybabel_extract_with_babel_cfg(project: Path) -> None:
    pybabel = Path(sys.executable).parent / "pybabel"
    if not pybabel.exists():
        pytest.skip("pybabel is not installed next to this Python")
    # The entry point names `bot.i18n.extract`; make sure this checkout is the one imported.
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = project / "locales" / "extracted.pot"
    done = subprocess.run(
        [str(pybabel), "extract", "-F", "babel.cfg", "-o", str(out), "."],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    with out.open("rb") as handle:
        extracted = read_po(handle)
    template, _, _ = _template()
    flow_messages = {(m.context, m.id) for m in template if m.id and m.context != "system"}
    assert {(m.context, m.id) for m in extracted if m.id} == flow_messages
    for message in extracted:
        if message.id:
            assert message.locations == template.get(message.id, message.context).locations


def test_translator_notes_say_what_a_label_belongs_to_and_how_long_it_may_be() -> None:
    config, base = load_config(ROOT / "config.toml")
    flows, _ = load_flows(base / config.flows_dir)
    limits = {band.id: band.max_message_chars for band in config.age_bands}
    template = build_template(flows, limits=limits)
    flow = flows.get("8-12", "service_feedback")
    assert flow is not None
    scale = next(s for s in flow.steps if s.kind == "scale" and getattr(s, "labels", ()))
    points = len(scale.labels)  # type: ignore[attr-defined]
    first = template.get(scale.labels[0], context=f"8-12/service_feedback/{scale.id}/point1")  # type: ignore[attr-defined]
    last = template.get(
        scale.labels[-1],  # type: ignore[attr-defined]
        context=f"8-12/service_feedback/{scale.id}/point{points}",
    )
    assert first is not None
    assert last is not None
    question = " ".join((scale.text or "").split())
    assert any(question[:30] in note for note in first.auto_comments)
    assert f"point 1 of {points}, the lowest" in first.auto_comments
    assert f"point {points} of {points}, the highest" in last.auto_comments
    assert "at most 200 characters (the limit for ages 8-12)" in first.auto_comments
    common = next(m for m in template if m.context == "common/stop/bye")
    assert any("ages 8-12 allow least" in note for note in common.auto_comments)
