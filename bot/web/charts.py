"""Server-side SVG charts: no script, no library, no internet. Every label is escaped.

Hidden (suppressed) counts are drawn as an empty outlined bar or a gap in the line, with
the word "hidden": a chart must never let anyone read a suppressed count off its shape.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.web.html import esc

__all__ = ["bars", "trend"]

_COLOURS = ("#0b5cad", "#a4161a", "#2b8a3e", "#8f5a00", "#6a3d9a", "#00707a")
_BAR_H, _GAP, _LABEL_W, _WIDTH = 26, 8, 180, 640


def bars(title: str, rows: Sequence[tuple[str, int | None]], chart_id: str) -> str:
    """Horizontal bars, one per (label, count); None means hidden."""
    shown = [count for _, count in rows if count is not None]
    top = max(shown, default=1) or 1
    height = len(rows) * (_BAR_H + _GAP) + _GAP
    span = _WIDTH - _LABEL_W - 70
    parts = [
        f'<svg class="chart" role="img" aria-labelledby="{chart_id}-t" viewBox="0 0 {_WIDTH} '
        f'{height}" width="100%" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-t">{esc(title)}</title>'
    ]
    for i, (label, count) in enumerate(rows):
        y = _GAP + i * (_BAR_H + _GAP)
        mid = y + _BAR_H / 2 + 5
        parts.append(
            f'<text x="{_LABEL_W - 8}" y="{mid}" text-anchor="end" font-size="14">'
            f"{esc(_cut(label))}</text>"
        )
        if count is None:
            parts.append(
                f'<rect x="{_LABEL_W}" y="{y}" width="{span}" height="{_BAR_H}" fill="none" '
                'stroke="#999" stroke-dasharray="4 4"/>'
                f'<text x="{_LABEL_W + 8}" y="{mid}" font-size="13" fill="#555">hidden</text>'
            )
            continue
        width = max(round(span * count / top), 1 if count else 0)
        parts.append(
            f'<rect x="{_LABEL_W}" y="{y}" width="{width}" height="{_BAR_H}" fill="#0b5cad"/>'
            f'<text x="{_LABEL_W + width + 6}" y="{mid}" font-size="14">{count}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def trend(
    title: str, weeks: Sequence[str], series: dict[str, dict[str, int | None]], chart_id: str
) -> str:
    """One line per series over ``weeks``; a hidden or missing week breaks the line."""
    width, height, left, bottom, top_pad = _WIDTH, 260, 48, 40, 16
    values = [v for points in series.values() for v in points.values() if v is not None]
    top = max(values, default=1) or 1
    plot_w, plot_h = width - left - 16, height - bottom - top_pad
    step = plot_w / max(len(weeks) - 1, 1)

    def xy(i: int, value: int) -> tuple[float, float]:
        return left + i * step, top_pad + plot_h - plot_h * value / top

    parts = [
        f'<svg class="chart" role="img" aria-labelledby="{chart_id}-t" viewBox="0 0 {width} '
        f'{height + 24 * len(series)}" width="100%" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-t">{esc(title)}</title>'
        f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{width - 16}" y2="{top_pad + plot_h}" '
        'stroke="#333"/>'
        f'<text x="{left - 6}" y="{top_pad + 5}" text-anchor="end" font-size="12">{top}</text>'
        f'<text x="{left - 6}" y="{top_pad + plot_h}" text-anchor="end" font-size="12">0</text>'
    ]
    every = max(1, len(weeks) // 8)
    for i, week in enumerate(weeks):
        if i % every == 0 or i == len(weeks) - 1:
            x = left + i * step
            parts.append(
                f'<text x="{x:.1f}" y="{top_pad + plot_h + 18}" text-anchor="middle" '
                f'font-size="11">{esc(week[2:])}</text>'
            )
    for n, (name, points) in enumerate(series.items()):
        colour = _COLOURS[n % len(_COLOURS)]
        run: list[str] = []
        for i, week in enumerate(weeks):
            value = points.get(week)
            if value is None:
                parts.append(_polyline(run, colour))
                run = []
                continue
            x, y = xy(i, value)
            run.append(f"{x:.1f},{y:.1f}")
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{colour}"/>')
        parts.append(_polyline(run, colour))
        ly = height + 24 * n + 4
        parts.append(
            f'<rect x="{left}" y="{ly - 10}" width="14" height="4" fill="{colour}"/>'
            f'<text x="{left + 20}" y="{ly - 4}" font-size="13">{esc(_cut(name, 60))}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _polyline(points: list[str], colour: str) -> str:
    if len(points) < 2:
        return ""
    return f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" stroke-width="2"/>'


def _cut(text: str, limit: int = 24) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
