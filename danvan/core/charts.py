"""Charts drawn on the server as small inline SVG: stacked columns, horizontal bars, lines.

Why our own builder and not pygal: pygal writes a ``<style>`` element and ``style=""`` into its
SVG, which the coming Content-Security-Policy (no 'unsafe-inline') blocks, and its output is
larger than our 15 KB budget per chart; it would also be one more dependency to pin. What we draw
is three kinds of chart with presentation attributes only (fill=, stroke=, font-size=), no
script, no event handler, no external reference — the same markup works in the browser and in
WeasyPrint (which needs the font given as an attribute: inline SVG does not inherit the page's
CSS font there, see ``render(for_print=True)``).

Readable printed in black and white: series differ by pattern (solid, hatched, dotted, cross-
hatched), by dash and marker for lines, and every figure is also written as text next to its
mark. Every number is formatted the Vietnamese way (``vntext.fmt_number``: 2.011; 78,2 %).
Text alternative: ``<title>``/``<desc>`` (aria-labelledby) on the chart, a ``<title>`` on every
mark (also the hover tooltip), and the page shows the figures as a table beside the chart
(``templates/_charts.html`` renders one from ``Chart.table`` where the page has none).

Charts are built from aggregates the page already holds; nothing here queries the database.

    from danvan.core import charts
    chart = charts.columns("dvk-years", "Đăng ký theo năm", ["2021", "2022"],
                           [charts.Series("Mới", [10, 12]), charts.Series("Duy trì", [0, 7])])
    chart.render()            # Markup: the <svg>, or the empty-state paragraph
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from markupsafe import Markup, escape

from danvan.core.vntext import fmt_number

WIDTH = 640
PRINT_WIDTH = 540       # print: the same 12-unit text on a narrower drawing prints larger (≈ 10 pt at 16 cm)
FONT_SIZE = 12
CHAR_W = 6.4            # average advance of a 12 px character, to size label columns
MAX_BARS = 30           # horizontal bars beyond this are left to the table (size budget)
MAX_CATEGORIES = 16     # columns beyond this: the latest ones are drawn
MAX_PERIODS = 12        # line charts: the latest twelve periods (three years of quarters)
MAX_BYTES = 15_000
PRINT_FONT = "Liberation Serif DV, serif"   # the print stylesheet's @font-face family
EMPTY_TEXT = "Chưa có số liệu để vẽ biểu đồ."


@dataclass(frozen=True)
class Style:
    fill: str            # colour, or a pattern kind drawn over `fill`
    pattern: str = ""    # "", "hatch", "dots", "cross"
    ink: str = "#000"    # text colour on the mark
    dash: str = ""       # line charts
    marker: str = "circle"


# Dark → light, each step also a different texture, so grey print keeps them apart.
STYLES = (
    Style("#1d4e89", ink="#fff", marker="circle"),
    Style("#cfe2f3", "hatch", dash="6 3", marker="square"),
    Style("#7fb2e5", "dots", dash="2 3", marker="triangle"),
    Style("#ffffff", "cross", dash="9 3 2 3", marker="diamond"),
    Style("#5b6770", ink="#fff", dash="12 4", marker="cross"),
    Style("#e8e8e8", dash="4 2 4 6", marker="circle"),
)
LINE_COLOURS = ("#1d4e89", "#a50e0e", "#1e7b34", "#6b3fa0", "#9a6700", "#333333")


@dataclass
class Series:
    name: str
    values: list[float | int | None]
    short: str = ""      # line charts: the label written at the end of the line


@dataclass
class Chart:
    key: str
    title: str
    kind: str                          # "columns", "bars", "lines"
    categories: list[str]
    series: list[Series]
    percent: bool = False
    notes: list[str] = field(default_factory=list)   # bars: the text after each bar
    hidden: int = 0                    # categories left out (too many); the table has them
    empty_text: str = EMPTY_TEXT

    @property
    def empty(self) -> bool:
        return not self.categories or not any(v for s in self.series for v in s.values)

    @property
    def totals(self) -> list[float]:
        return [sum(s.values[i] or 0 for s in self.series) for i in range(len(self.categories))]

    def segments(self, i: int):
        """(series index, series, value) of category i, the empty ones left out (nothing to draw)."""
        return [(j, s, s.values[i]) for j, s in enumerate(self.series) if s.values[i]]

    def fmt(self, value: float | int | None) -> str:
        if value is None:
            return "—"
        return f"{fmt_number(value, 1)} %" if self.percent else fmt_number(value, 0 if value == int(value) else 1)

    @property
    def desc(self) -> str:
        if self.kind == "lines":
            parts = [f"{s.name}: " + ", ".join(f"{c} {self.fmt(v)}" for c, v in zip(self.categories, s.values)
                                               if v is not None) for s in self.series]
        elif len(self.series) == 1:
            parts = [f"{c}: {self.fmt(self.series[0].values[i])}" for i, c in enumerate(self.categories)]
        else:   # the series named once: "Mới / Duy trì — 2021: 10 / 2; 2022: …"
            parts = [f"{c}: " + " / ".join(self.fmt(s.values[i]) for s in self.series)
                     for i, c in enumerate(self.categories)]
            parts[0] = " / ".join(s.name for s in self.series) + " — " + parts[0]
        text = "; ".join(parts) + "."
        if self.hidden:
            text += f" Còn {self.hidden} mục khác, xem bảng số liệu."
        return text

    @property
    def table(self) -> list[list[str]]:
        """Header row then one row per category: the figures as text, for a table beside the chart."""
        head = ["", *(s.name for s in self.series)]
        return [head, *([c, *(self.fmt(s.values[i]) for s in self.series)] for i, c in enumerate(self.categories))]

    def render(self, for_print: bool = False) -> Markup:
        """The SVG, or the empty-state paragraph. WeasyPrint does not give inline SVG the page's font:
        `for_print` names the print stylesheet's font on the SVG itself."""
        if self.empty:
            return Markup('<p class="empty chart-empty">{}</p>').format(self.empty_text)
        font = PRINT_FONT if for_print else None
        # The size budget: first drop the per-mark tooltips, then the long description (the figures
        # stay written on the chart and in the table beside it).
        for tips, brief in ((True, False), (False, False), (False, True)):
            svg = _DRAW[self.kind](self, _Canvas(self, font, tips=tips, brief=brief))
            if len(svg.encode()) <= MAX_BYTES:
                break
        return Markup(svg)


def _id(key: str) -> str:
    return re.sub(r"[^a-z0-9-]", "-", key.lower()) or "chart"


def _n(x: float) -> str:
    """A coordinate, short: 12, 12.5."""
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _width(text: str, size: int = FONT_SIZE) -> float:
    return len(text) * CHAR_W * size / FONT_SIZE


def _clip(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[: chars - 1].rstrip() + "…"


def axis_step(value: float) -> float:
    """A grid step of 1, 2, 2.5 or 5 × a power of ten giving about five lines up to `value`
    (whole numbers at least 1: counts)."""
    if value <= 0:
        return 1
    rough = value / 5
    power = 10 ** math.floor(math.log10(rough))
    step = next(k * power for k in (1, 2, 2.5, 5, 10) if rough <= k * power)
    return max(1, step)


class _Canvas:
    """Collects SVG elements; knows the chart's id prefix and pattern definitions."""

    def __init__(self, chart: Chart, font: str | None, tips: bool = True, brief: bool = False):
        self.chart, self.font, self.id, self.tips, self.brief = chart, font, _id(chart.key), tips, brief
        self.width = PRINT_WIDTH if font else WIDTH
        self.parts: list[str] = []
        self.patterns: set[int] = set()

    def fill(self, i: int) -> str:
        style = STYLES[i % len(STYLES)]
        if style.pattern:
            self.patterns.add(i % len(STYLES))
            return f"url(#{self.id}-p{i % len(STYLES)})"
        return style.fill

    def text(self, x: float, y: float, text: str, *, cls: str = "", anchor: str = "", bold: bool = False,
             fill: str = "", size: int = 0) -> None:
        attrs = f'x="{_n(x)}" y="{_n(y)}"'
        if cls:
            attrs += f' class="{cls}"'
        if anchor:
            attrs += f' text-anchor="{anchor}"'
        if bold:
            attrs += ' font-weight="bold"'
        if fill:
            attrs += f' fill="{fill}"'
        if size:
            attrs += f' font-size="{size}"'
        self.parts.append(f"<text {attrs}>{escape(text)}</text>")

    def rect(self, x: float, y: float, w: float, h: float, fill: str, tip: str = "", stroke: str = "") -> None:
        attrs = f'x="{_n(x)}" y="{_n(y)}" width="{_n(max(w, 0))}" height="{_n(max(h, 0))}" fill="{fill}"'
        if stroke:
            attrs += f' stroke="{stroke}"'   # width 0.6, set once on the <svg>
        self.parts.append(f"<rect {attrs}><title>{escape(tip)}</title></rect>" if tip and self.tips
                          else f"<rect {attrs}/>")

    def label_on(self, x: float, y: float, text: str, style_index: int, *, anchor: str = "middle") -> None:
        """A value written on a mark: white backdrop on textured fills so it stays legible."""
        style = STYLES[style_index % len(STYLES)]
        if style.pattern or style.ink == "#000":
            w = _width(text) + 4
            x0 = x - w / 2 if anchor == "middle" else x - 2
            self.rect(x0, y - FONT_SIZE + 2, w, FONT_SIZE + 1, "#fff")
        self.text(x, y, text, cls="v", anchor=anchor, fill="" if style.ink == "#000" else style.ink)

    def legend(self, y: float, x0: float = 0) -> float:
        """Swatch and name per series on one line (wrapping); returns the y below it."""
        x = x0
        for i, s in enumerate(self.chart.series):
            w = 18 + _width(s.name) + 14
            if x + w > self.width and x > x0:
                x, y = x0, y + 18
            self.rect(x, y, 12, 12, self.fill(i), stroke="#000")
            self.text(x + 17, y + 10.5, s.name)
            x += w
        return y + 24

    def defs(self) -> str:
        out = []
        for i in sorted(self.patterns):
            s = STYLES[i]
            mark = {
                "hatch": '<path d="M0 6L6 0M-1 1L1 -1M5 7L7 5" stroke="#1d4e89" stroke-width="1.3"/>',
                "dots": '<circle cx="3" cy="3" r="1.3" fill="#000"/>',
                "cross": '<path d="M0 0L6 6M6 0L0 6" stroke="#000" stroke-width="0.8"/>',
            }[s.pattern]
            out.append(f'<pattern id="{self.id}-p{i}" width="6" height="6" patternUnits="userSpaceOnUse">'
                       f'<rect width="6" height="6" fill="{s.fill}"/>{mark}</pattern>')
        return f"<defs>{''.join(out)}</defs>" if out else ""

    def svg(self, height: float) -> str:
        c = self.chart
        font = f' font-family="{escape(self.font)}"' if self.font else ""
        desc = "Số liệu chi tiết ở bảng kèm theo biểu đồ." if self.brief else c.desc
        return (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{c.kind}" id="{self.id}" '
                f'viewBox="0 0 {self.width} {_n(height)}" width="{self.width}" height="{_n(height)}" role="img" '
                f'aria-labelledby="{self.id}-t {self.id}-d" font-size="{FONT_SIZE}" stroke-width="0.6"{font}>'
                f'<title id="{self.id}-t">{escape(c.title)}</title><desc id="{self.id}-d">{escape(desc)}</desc>'
                f'{self.defs()}{"".join(self.parts)}</svg>')


def _y_axis(cv: _Canvas, left: float, right: float, top: float, bottom: float, peak: float) -> float:
    """Grid lines with their values at the left; returns the axis top value."""
    step = 25 if cv.chart.percent else axis_step(peak)
    ticks = 4 if cv.chart.percent else max(1, math.ceil(peak / step))
    for k in range(ticks + 1):
        y = bottom - (bottom - top) * k / ticks
        cv.parts.append(f'<path d="M{_n(left)} {_n(y)}H{_n(right)}" stroke="{"#000" if k == 0 else "#ccc"}" '
                        f'stroke-width="{1 if k == 0 else 0.5}"/>')
        label = fmt_number(step * k, 0 if step * k == int(step * k) else 1)
        cv.text(left - 4, y + 4, f"{label} %" if cv.chart.percent else label, anchor="end", size=10)
    return step * ticks


def _draw_columns(c: Chart, cv: _Canvas) -> str:
    top = cv.legend(0) + 16 if len(c.series) > 1 else 18
    left, right, bottom = 48, cv.width - 4, top + 180
    totals = c.totals
    top_value = _y_axis(cv, left, right, top, bottom, max(totals))
    band = (right - left) / len(c.categories)
    bar_w = min(64, band * 0.6)
    scale = (bottom - top) / top_value
    for i, cat in enumerate(c.categories):
        x = left + band * i + (band - bar_w) / 2
        y = bottom
        for j, s, v in c.segments(i):
            h = v * scale
            y -= h
            cv.rect(x, y, bar_w, h, cv.fill(j), f"{s.name} — {cat}: {c.fmt(v)}", stroke="#000")
            if h >= FONT_SIZE + 3 and bar_w >= _width(c.fmt(v)) + 4:
                cv.label_on(x + bar_w / 2, y + h / 2 + 4, c.fmt(v), j)
        cv.text(x + bar_w / 2, y - 4, c.fmt(totals[i]), cls="total", anchor="middle", bold=True)
        cv.text(x + bar_w / 2, bottom + 15, _clip(cat, int(band / CHAR_W)), cls="c", anchor="middle")
    return cv.svg(bottom + 22)


def _draw_bars(c: Chart, cv: _Canvas) -> str:
    top = cv.legend(0) if len(c.series) > 1 else 0
    totals = c.totals
    notes = c.notes or [c.fmt(t) for t in totals]
    note_w = max(_width(n) for n in notes) + 8
    # labels get up to 34 characters, fewer when the bars would be left less than a third of the width
    chars = max(8, min(34, int((cv.width * 2 / 3 - note_w) / CHAR_W)))
    left = min(max(_width(cat) for cat in c.categories), _width("x" * chars)) + 8
    span = cv.width - left - note_w - 4
    scale = span / (max(totals) or 1)
    row = 22
    for i, cat in enumerate(c.categories):
        y = top + i * row
        cv.text(left - 6, y + 14, _clip(cat, chars), cls="c", anchor="end")
        x = left
        for j, s, v in c.segments(i):
            w = v * scale
            cv.rect(x, y + 3, w, 15, cv.fill(j), f"{cat} — {s.name}: {c.fmt(v)}", stroke="#000")
            x += w
        cv.text(x + 5, y + 14, notes[i], cls="n")
    height = top + len(c.categories) * row + 4
    cv.parts.append(f'<path d="M{_n(left)} {top}V{_n(height - 2)}" stroke="#000"/>')
    if c.hidden:
        cv.text(left, height + 12, f"… và {c.hidden} mục khác (xem bảng số liệu)", size=11)
        height += 18
    return cv.svg(height)


_MARKERS = {
    "circle": lambda x, y: f'<circle cx="{_n(x)}" cy="{_n(y)}" r="3.6"',
    "square": lambda x, y: f'<rect x="{_n(x - 3.3)}" y="{_n(y - 3.3)}" width="6.6" height="6.6"',
    "triangle": lambda x, y: f'<path d="M{_n(x)} {_n(y - 4.5)}l4.2 7.5h-8.4z"',
    "diamond": lambda x, y: f'<path d="M{_n(x)} {_n(y - 4.5)}l4.5 4.5-4.5 4.5-4.5-4.5z"',
    "cross": lambda x, y: f'<path d="M{_n(x - 4)} {_n(y - 4)}l8 8m0-8l-8 8" stroke-width="2"',
}


def _draw_lines(c: Chart, cv: _Canvas) -> str:
    left, right, top, bottom = 48, cv.width - 120, 10, 210
    values = [v for s in c.series for v in s.values if v is not None]
    top_value = _y_axis(cv, left, right, top, bottom, max(values))
    n = len(c.categories)
    step = (right - left) / n
    xs = [left + step * (i + 0.5) for i in range(n)]
    every = max(1, math.ceil((_width(max(c.categories, key=len), 11) + 6) / step))
    for i, cat in enumerate(c.categories):
        if (n - 1 - i) % every == 0:   # the latest period always named
            cv.text(xs[i], bottom + 15, cat, cls="c", anchor="middle", size=11)
    ends = []
    for j, s in enumerate(c.series):
        style, colour = STYLES[j % len(STYLES)], LINE_COLOURS[j % len(LINE_COLOURS)]
        points = [(xs[i], bottom - (v / top_value) * (bottom - top), v, c.categories[i])
                  for i, v in enumerate(s.values) if v is not None]
        if not points:
            continue
        path = "".join(("M" if k == 0 else "L") + f"{_n(x)} {_n(y)}" for k, (x, y, _, _) in enumerate(points))
        dash = f' stroke-dasharray="{style.dash}"' if style.dash else ""
        cv.parts.append(f'<path d="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>')
        marker = _MARKERS[style.marker]
        for x, y, v, cat in points:
            if cv.tips:
                cv.parts.append(f'{marker(x, y)} fill="{colour}" stroke="{colour}">'
                                f'<title>{escape(s.name)} — {escape(cat)}: {c.fmt(v)}</title>'
                                f'</{marker(x, y).split()[0][1:]}>')
            else:
                cv.parts.append(f'{marker(x, y)} fill="{colour}" stroke="{colour}"/>')
        x, y, v, _ = points[-1]
        ends.append([y + 4, x, f"{s.short or s.name}: {c.fmt(v)}", colour])
    ends.sort()
    for k in range(1, len(ends)):   # keep end labels apart
        ends[k][0] = max(ends[k][0], ends[k - 1][0] + 13)
    for y, x, text, colour in ends:
        cv.text(x + 7, y, _clip(text, 18), cls="v", fill=colour, size=11)
    y = bottom + 40
    for j, s in enumerate(c.series):   # legend: line sample, marker and the full name
        style, colour = STYLES[j % len(STYLES)], LINE_COLOURS[j % len(LINE_COLOURS)]
        dash = f' stroke-dasharray="{style.dash}"' if style.dash else ""
        cv.parts.append(f'<path d="M0 {_n(y - 4)}h28" stroke="{colour}" stroke-width="2"{dash}/>')
        cv.parts.append(f'{_MARKERS[style.marker](14, y - 4)} fill="{colour}" stroke="{colour}"/>')
        cv.text(36, y, _clip(s.name, 90))
        y += 17
    return cv.svg(y)


_DRAW = {"columns": _draw_columns, "bars": _draw_bars, "lines": _draw_lines}


def _latest(categories: list[str], series: list[Series], limit: int) -> tuple[list[str], list[Series], int]:
    hidden = max(0, len(categories) - limit)
    if hidden:
        categories = categories[hidden:]
        series = [Series(s.name, s.values[hidden:], s.short) for s in series]
    return categories, series, hidden


def columns(key: str, title: str, categories: list[str], series: list[Series], *, percent: bool = False,
            empty_text: str = EMPTY_TEXT) -> Chart:
    """Vertical columns, the series stacked, the total written above each column."""
    categories, series, hidden = _latest([str(c) for c in categories], series, MAX_CATEGORIES)
    return Chart(key, title, "columns", categories, series, percent=percent, hidden=hidden, empty_text=empty_text)


def bars(key: str, title: str, categories: list[str], series: list[Series], *, notes: list[str] | None = None,
         percent: bool = False, empty_text: str = EMPTY_TEXT) -> Chart:
    """Horizontal bars, the series stacked, `notes[i]` (default: the total) written after each bar: the
    note carries the figures (a row costs bytes; MAX_BARS rows fit the budget). Beyond MAX_BARS rows the
    rest is left to the table beside the chart."""
    hidden = max(0, len(categories) - MAX_BARS)
    categories = [str(c) for c in categories][:MAX_BARS]
    series = [Series(s.name, s.values[:MAX_BARS], s.short) for s in series]
    return Chart(key, title, "bars", categories, series, percent=percent,
                 notes=(notes or [])[:MAX_BARS], hidden=hidden, empty_text=empty_text)


def lines(key: str, title: str, categories: list[str], series: list[Series], *, percent: bool = True,
          empty_text: str = EMPTY_TEXT) -> Chart:
    """One line per series over the categories (periods); None leaves the point out, and a series
    with no point at all is left out of the chart (its legend too)."""
    categories, series, hidden = _latest([str(c) for c in categories], series, MAX_PERIODS)
    series = [s for s in series if any(v is not None for v in s.values)]
    return Chart(key, title, "lines", categories, series, percent=percent, hidden=hidden, empty_text=empty_text)


def share(part: float, whole: float) -> str:
    """'41,7 %' of a whole (0 % when the whole is 0)."""
    return f"{fmt_number(100 * part / whole if whole else 0, 1)} %"
