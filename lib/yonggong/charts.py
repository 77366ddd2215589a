"""Small inline-SVG charts for the 工作简报: no JavaScript, no external resources.

Every chart is a self-contained inline ``<svg>`` string (no ``xmlns``: inline SVG in HTML does not
need one, and the brief carries no URL at all) with a ``viewBox`` (it scales to the page
width and prints sharply) whose text is SVG ``<text>`` in the brief's embedded font family, so
Chinese labels render on machines without any CJK font. Values that are missing (None/NaN,
"table not reported") are drawn as "—" and no bar.

Chart kinds:

* :func:`hbar` — horizontal bars (by county, by category, by channel), optional share in %;
* :func:`combo` — a day axis with bars for one series and lines for others (last 7 days);
* :func:`stacked` — one 100 % bar split into parts with a legend (vacancy structure);
* :func:`grouped_hbar` — several series per category (cities compared in the province brief).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape

FONT = "BriefSC, sans-serif"


@dataclass(frozen=True)
class Style:
    """Colours and sizes (from params/brief.yaml ``charts``)."""

    palette: tuple[str, ...] = ("#2F5597", "#C55A11", "#548235", "#7F6000", "#7F7F7F", "#8FAADC")
    text: str = "#262626"
    muted: str = "#7F7F7F"
    grid: str = "#E3E3E3"
    axis: str = "#A6A6A6"
    title_size: int = 17
    label_size: int = 13
    value_size: int = 12
    width: int = 720
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_dict(cls, d: dict | None) -> Style:
        d = dict(d or {})
        if "palette" in d:
            d["palette"] = tuple(d["palette"])
        known = {k: v for k, v in d.items() if k in cls.__dataclass_fields__ and k != "extra"}
        return cls(**known, extra={k: v for k, v in d.items() if k not in known})


DEFAULT = Style()


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def fmt(v, digits: int = 0) -> str:
    """A figure as shown in the brief: thousands separators, "—" when missing."""
    if _missing(v):
        return "—"
    if digits:
        return f"{float(v):,.{digits}f}"
    return f"{round(float(v)):,}"


def text_width(s: str, size: float) -> float:
    """Approximate advance width of ``s`` at ``size`` px (CJK 1 em, others about 0.56 em)."""
    return sum(size if ord(c) > 0x2E7F else size * 0.56 for c in str(s))


def nice_scale(top: float, ticks: int = 5) -> tuple[float, float]:
    """A round axis maximum and step covering ``top`` with about ``ticks`` intervals."""
    if top <= 0 or _missing(top):
        return 1.0, 1.0 if top <= 0 else 0.2
    raw = top / ticks
    mag = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 2.5, 5, 10):
        step = m * mag
        if step >= raw:
            break
    step = max(step, 1.0) if top >= ticks else step
    return step * math.ceil(top / step - 1e-9), step


def _t(x, y, s, size, fill, anchor="start", weight="normal", extra="") -> str:
    w = f' font-weight="{weight}"' if weight != "normal" else ""
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" fill="{fill}" text-anchor="{anchor}"'
            f'{w}{extra}>{escape(str(s))}</text>')


def _open(cid: str, title: str, width: float, height: float, st: Style, subtitle: str = "") -> list[str]:
    parts = [f'<svg class="chart" id="{escape(cid)}" role="img" '
             f'aria-label="{escape(title)}" viewBox="0 0 {width:.0f} {height:.0f}" '
             f'width="{width:.0f}" height="{height:.0f}" font-family="{FONT}">',
             f'<rect x="0" y="0" width="{width:.0f}" height="{height:.0f}" fill="#FFFFFF"/>',
             _t(0, 22, title, st.title_size, st.text, weight="bold", extra=f' id="{escape(cid)}-title"')]
    if subtitle:
        parts.append(_t(width, 22, subtitle, st.value_size, st.muted, anchor="end"))
    return parts


def _empty(cid: str, title: str, st: Style, note: str = "本期无数据") -> str:
    parts = _open(cid, title, st.width, 90, st)
    parts.append(_t(st.width / 2, 62, note, st.label_size, st.muted, anchor="middle"))
    parts.append("</svg>")
    return "".join(parts)


def hbar(cid: str, title: str, labels: Sequence[str], values: Sequence, unit: str = "人",
         st: Style = DEFAULT, share: bool = False, color: str | None = None, note: str = "") -> str:
    """Horizontal bars, one per label, value (and share of the total) at the bar's end."""
    vals = [None if _missing(v) else float(v) for v in values]
    if not labels or all(v is None for v in vals):
        return _empty(cid, title, st, note or "本期无数据")
    color = color or st.palette[0]
    row_h, top, bottom = 26, 40, 14
    label_w = max(text_width(s, st.label_size) for s in labels) + 12
    total = sum(v for v in vals if v is not None)
    value_w = text_width("0" * (len(fmt(max(v for v in vals if v is not None))) + 1), st.value_size) + \
        (text_width("100.0%", st.value_size) + 8 if share else 0) + 10
    plot_w = st.width - label_w - value_w
    height = top + row_h * len(labels) + bottom
    vmax = max((v for v in vals if v is not None), default=0) or 1
    parts = _open(cid, title, st.width, height, st, f"单位：{unit}")
    parts.append(f'<line x1="{label_w:.1f}" y1="{top - 4}" x2="{label_w:.1f}" y2="{height - bottom + 4}" '
                 f'stroke="{st.axis}" stroke-width="1"/>')
    for i, (lab, v) in enumerate(zip(labels, vals, strict=True)):
        y = top + i * row_h
        parts.append(_t(label_w - 8, y + row_h / 2 + 4.5, lab, st.label_size, st.text, anchor="end"))
        if v is None:
            parts.append(_t(label_w + 6, y + row_h / 2 + 4.5, "—", st.value_size, st.muted))
            continue
        w = max(plot_w * v / vmax, 0 if v == 0 else 1.5)
        parts.append(f'<rect x="{label_w:.1f}" y="{y + 5:.1f}" width="{w:.1f}" height="{row_h - 10}" '
                     f'fill="{color}"/>')
        share_txt = (f'<tspan dx="8" fill="{st.muted}">{v / total * 100:.1f}%</tspan>'
                     if share and total else "")
        parts.append(f'<text x="{label_w + w + 6:.1f}" y="{y + row_h / 2 + 4.5:.1f}" font-size="{st.value_size}" '
                     f'fill="{st.text}">{fmt(v)}{share_txt}</text>')
    parts.append("</svg>")
    return "".join(parts)


def combo(cid: str, title: str, x_labels: Sequence[str], bars: tuple[str, Sequence] | None,
          lines: Sequence[tuple[str, Sequence]], unit: str = "人", st: Style = DEFAULT) -> str:
    """Bars for one series and lines for others over the same category axis (one value axis)."""
    series = ([bars] if bars else []) + list(lines)
    clean = [[None if _missing(v) else float(v) for v in s[1]] for s in series]
    present = [v for s in clean for v in s if v is not None]
    if not x_labels or not present:
        return _empty(cid, title, st)
    width, height = st.width, 300
    left, right, top, bottom = 56, 58, 64, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    vmax, step = nice_scale(max(present))
    parts = _open(cid, title, width, height, st, f"单位：{unit}")
    # legend
    lx = 0.0
    for i, (name, _) in enumerate(series):
        color = st.palette[i % len(st.palette)]
        if bars and i == 0:
            parts.append(f'<rect x="{lx:.1f}" y="36" width="14" height="10" fill="{color}" opacity="0.75"/>')
        else:
            parts.append(f'<line x1="{lx:.1f}" y1="41" x2="{lx + 16:.1f}" y2="41" stroke="{color}" '
                         f'stroke-width="2.5"/><circle cx="{lx + 8:.1f}" cy="41" r="3" fill="{color}"/>')
        parts.append(_t(lx + 21, 46, name, st.label_size, st.text))
        lx += 21 + text_width(name, st.label_size) + 22
    # grid and value axis
    n_ticks = int(round(vmax / step))
    for k in range(n_ticks + 1):
        v = step * k
        y = top + plot_h - plot_h * v / vmax
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
                     f'stroke="{st.grid if k else st.axis}" stroke-width="1"/>')
        parts.append(_t(left - 6, y + 4, fmt(v), st.value_size, st.muted, anchor="end"))
    n = len(x_labels)
    slot = plot_w / n
    xs = [left + slot * (i + 0.5) for i in range(n)]
    for x, lab in zip(xs, x_labels, strict=True):
        parts.append(_t(x, height - bottom + 20, lab, st.label_size, st.text, anchor="middle"))

    def y_of(v: float) -> float:
        return top + plot_h - plot_h * v / vmax

    line_pts = [[(x, y_of(v)) for x, v in zip(xs, vals, strict=True) if v is not None]
                for vals in clean[1 if bars else 0:]]
    # the newest value of each line, written right of its last point, kept 15 px apart
    ends = []
    for i, pts in enumerate(line_pts, start=1 if bars else 0):
        vals = [v for v in clean[i] if v is not None]
        if pts:
            ends.append([pts[-1][1] + 4, pts[-1][0] + 9, fmt(vals[-1]), st.palette[i % len(st.palette)]])
    ends.sort()
    for j in range(1, len(ends)):
        ends[j][0] = max(ends[j][0], ends[j - 1][0] + 15)
    if bars:
        color = st.palette[0]
        bw = min(slot * 0.5, 44)
        for x, v in zip(xs, clean[0], strict=True):
            if v is None:
                parts.append(_t(x, top + plot_h - 6, "—", st.value_size, st.muted, anchor="middle"))
                continue
            parts.append(f'<rect x="{x - bw / 2:.1f}" y="{y_of(v):.1f}" width="{bw:.1f}" '
                         f'height="{top + plot_h - y_of(v):.1f}" fill="{color}" opacity="0.75"/>')
            label = fmt(v)
            half = text_width(label, st.value_size) / 2
            # what the label must not touch at this x: the line markers (and the line through them),
            # and the end labels that start right of a last point within the label's half width
            blocked = [(py - 6.0, py + 6.0) for pts in line_pts for px, py in pts if px == x]
            blocked += [(ey - st.value_size, ey + 3.0) for ey, ex, _, _ in ends if ex - 9 <= x < ex + half]
            parts.append(_t(x, bar_label_y(y_of(v) - 5, blocked, st.value_size), label, st.value_size, st.text,
                            anchor="middle"))
    for i, pts in enumerate(line_pts, start=1 if bars else 0):
        color = st.palette[i % len(st.palette)]
        segs, cur = [], []
        for x, v in zip(xs, clean[i], strict=True):
            if v is None:
                if cur:
                    segs.append(cur)
                cur = []
            else:
                cur.append((x, y_of(v)))
        if cur:
            segs.append(cur)
        for seg in segs:
            d = " ".join(f"{x:.1f},{y:.1f}" for x, y in seg)
            parts.append(f'<polyline points="{d}" fill="none" stroke="{color}" stroke-width="2.5"/>')
        for x, y in pts:
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="#FFFFFF" stroke="{color}" '
                         f'stroke-width="2"/>')
    for y, x, label, color in ends:
        parts.append(_t(x, y, label, st.value_size, color, weight="bold"))
    parts.append("</svg>")
    return "".join(parts)


def bar_label_y(baseline: float, blocked: Sequence[tuple[float, float]], size: float) -> float:
    """The baseline of a value label over a bar: ``baseline`` (just above the bar), moved up past
    every blocked vertical span (top, bottom) it would touch — the label's text spans
    (baseline − size, baseline + 2) — until it touches none."""
    y = baseline
    for _ in range(len(blocked) + 1):
        hits = [b for b in blocked if y - size < b[1] and y + 2 > b[0]]
        if not hits:
            return y
        y = min(b[0] for b in hits) - 3
    return y


def stacked(cid: str, title: str, labels: Sequence[str], values: Sequence, unit: str = "人",
            st: Style = DEFAULT) -> str:
    """One 100 % bar split into ``labels`` with a legend giving count and share."""
    vals = [0.0 if _missing(v) else float(v) for v in values]
    total = sum(vals)
    if not labels or total <= 0:
        return _empty(cid, title, st)
    width, bar_y, bar_h = st.width, 40, 34
    legend_y = bar_y + bar_h + 28
    height = legend_y + 10
    parts = _open(cid, title, width, height, st, f"单位：{unit}；合计 {fmt(total)}")
    x = 0.0
    for i, v in enumerate(vals):
        w = width * v / total
        color = st.palette[i % len(st.palette)]
        if w > 0:
            parts.append(f'<rect x="{x:.1f}" y="{bar_y}" width="{w:.1f}" height="{bar_h}" fill="{color}"/>')
            pct = f"{v / total * 100:.1f}%"
            if w > text_width(pct, st.value_size) + 8:
                parts.append(_t(x + w / 2, bar_y + bar_h / 2 + 4.5, pct, st.value_size, "#FFFFFF",
                                anchor="middle"))
        x += w
    lx = 0.0
    for i, (lab, v) in enumerate(zip(labels, vals, strict=True)):
        color = st.palette[i % len(st.palette)]
        item = f"{lab} {fmt(v)}{unit}，{v / total * 100:.1f}%"
        parts.append(f'<rect x="{lx:.1f}" y="{legend_y - 10}" width="12" height="12" fill="{color}"/>')
        parts.append(_t(lx + 17, legend_y, item, st.label_size, st.text))
        lx += 17 + text_width(item, st.label_size) + 20
    parts.append("</svg>")
    return "".join(parts)


def grouped_hbar(cid: str, title: str, labels: Sequence[str], series: Sequence[tuple[str, Sequence]],
                 unit: str = "人", st: Style = DEFAULT, notes: Sequence[str] | None = None) -> str:
    """Several horizontal bars per label (one per series), with a legend; ``notes`` per label
    (e.g. "未报送") are written instead of bars when all its values are missing."""
    clean = [[None if _missing(v) else float(v) for v in s[1]] for s in series]
    present = [v for s in clean for v in s if v is not None]
    if not labels or not present:
        return _empty(cid, title, st)
    k = len(series)
    bar_h, gap = 11, 10
    row_h = k * bar_h + gap
    top, bottom = 60, 10
    label_w = max(text_width(s, st.label_size) for s in labels) + 12
    value_w = text_width("0" * (len(fmt(max(present))) + 1), st.value_size) + 10
    plot_w = st.width - label_w - value_w
    height = top + row_h * len(labels) + bottom
    vmax = max(present) or 1
    parts = _open(cid, title, st.width, height, st, f"单位：{unit}")
    lx = 0.0
    for i, (name, _) in enumerate(series):
        color = st.palette[i % len(st.palette)]
        parts.append(f'<rect x="{lx:.1f}" y="36" width="12" height="12" fill="{color}"/>')
        parts.append(_t(lx + 17, 46, name, st.label_size, st.text))
        lx += 17 + text_width(name, st.label_size) + 22
    parts.append(f'<line x1="{label_w:.1f}" y1="{top - 4}" x2="{label_w:.1f}" y2="{height - bottom}" '
                 f'stroke="{st.axis}" stroke-width="1"/>')
    for r, lab in enumerate(labels):
        y0 = top + r * row_h
        parts.append(_t(label_w - 8, y0 + k * bar_h / 2 + 4.5, lab, st.label_size, st.text, anchor="end"))
        if all(s[r] is None for s in clean):
            note = notes[r] if notes and notes[r] else "—"
            parts.append(_t(label_w + 6, y0 + k * bar_h / 2 + 4.5, note, st.value_size, st.muted))
            continue
        for i, s in enumerate(clean):
            v = s[r]
            y = y0 + i * bar_h
            if v is None:
                continue
            w = max(plot_w * v / vmax, 0 if v == 0 else 1.5)
            parts.append(f'<rect x="{label_w:.1f}" y="{y:.1f}" width="{w:.1f}" height="{bar_h - 1}" '
                         f'fill="{st.palette[i % len(st.palette)]}"/>')
            parts.append(_t(label_w + w + 4, y + bar_h - 2, fmt(v), st.value_size - 1, st.text))
    parts.append("</svg>")
    return "".join(parts)
