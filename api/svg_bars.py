"""Horizontal bar charts as inline SVG, drawn on the server: no script, no external asset, so
pages work offline (pure string building; every label is escaped)."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

COLOURS = ("#3b6ea8", "#e0a030", "#3c9a5f", "#999999")
ROW_H, LABEL_W, BAR_W, VALUE_W = 22, 170, 360, 80


def bar_chart(
    title: str,
    rows: Sequence[tuple[str, Sequence[float]]],
    series: Sequence[str] = (),
    unit: str = "",
    digits: int = 1,
) -> str:
    """One bar per row, stacked by series (a legend when more than one); the total at the end."""
    totals = [sum(v) for _, v in rows]
    top = max(totals, default=0.0) or 1.0
    legend_h = 18 if len(series) > 1 else 0
    height = legend_h + ROW_H * max(len(rows), 1) + 4
    width = LABEL_W + BAR_W + VALUE_W
    out = [
        f'<figure class="chart"><figcaption>{escape(title)}</figcaption>'
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}"'
        f' viewBox="0 0 {width} {height}" font-family="system-ui,sans-serif" font-size="12">'
        f"<title>{escape(title)}</title>"
    ]
    if legend_h:
        x: float = LABEL_W
        for k, name in enumerate(series):
            colour = COLOURS[k % len(COLOURS)]
            out.append(f'<rect x="{x}" y="3" width="10" height="10" fill="{colour}"/>')
            out.append(f'<text x="{x + 14}" y="12">{escape(name)}</text>')
            x += 20 + 7 * len(name)
    for i, ((label, values), total) in enumerate(zip(rows, totals, strict=True)):
        y = legend_h + i * ROW_H
        out.append(f'<text x="{LABEL_W - 6}" y="{y + 15}" text-anchor="end">{escape(label)}</text>')
        x = float(LABEL_W)
        for k, v in enumerate(values):
            w = BAR_W * max(v, 0.0) / top
            colour = COLOURS[k % len(COLOURS)]
            name = escape(series[k]) if k < len(series) else ""
            out.append(
                f'<rect class="bar" x="{x:.1f}" y="{y + 4}" width="{w:.1f}" height="{ROW_H - 8}"'
                f' fill="{colour}" data-value="{v:.{digits}f}"><title>{escape(label)} {name}:'
                f" {v:.{digits}f} {escape(unit)}</title></rect>"
            )
            x += w
        out.append(f'<text x="{x + 4:.1f}" y="{y + 15}">{total:.{digits}f} {escape(unit)}</text>')
    out.append("</svg></figure>")
    return "".join(out)
