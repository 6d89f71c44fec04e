"""Server-side SVG charts (no JavaScript, no CDN): bar charts and heat maps.

Labels are XML-escaped; the output is deterministic for the same input.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import pairwise
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from parley.analysis.actor_map import ActorMap, MapNode
from parley.analysis.comparison import CrossTab
from parley.analysis.its import ItsResult

if TYPE_CHECKING:
    from PIL import ImageFont

FONT = "font-family='system-ui, sans-serif' font-size='12'"


def bar_chart(labels: Sequence[str], values: Sequence[int], title: str) -> str:
    """Horizontal bars, one per label, with the value at the end of each bar."""
    bar_h, gap, left, width = 18, 6, 190, 300
    top = 28
    height = top + len(labels) * (bar_h + gap) + 10
    peak = max(values, default=0) or 1
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' role='img' viewBox='0 0 {left + width + 60} "
             f"{height}' width='100%' aria-label='{escape(title)}'>",
             f"<title>{escape(title)}</title>",
             f"<text x='0' y='16' {FONT} font-weight='600'>{escape(title)}</text>"]
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = top + i * (bar_h + gap)
        w = round(width * value / peak)
        parts.append(f"<text x='{left - 6}' y='{y + 13}' text-anchor='end' {FONT}>"
                     f"{escape(label)}</text>")
        parts.append(f"<rect x='{left}' y='{y}' width='{w}' height='{bar_h}' fill='#0b5cad'>"
                     f"<title>{escape(label)}: {value}</title></rect>")
        parts.append(f"<text x='{left + w + 4}' y='{y + 13}' {FONT}>{value}</text>")
    parts.append("</svg>")
    return "".join(parts)


def heat_map(tab: CrossTab) -> str:
    """One cell per (row code, column code), shaded by count, with the count written in it."""
    cell, left, top = 44, 190, 150
    cols, rows = tab.col_codes, tab.row_codes
    w = left + len(cols) * cell + 10
    h = top + len(rows) * cell + 10
    peak = max((tab.count(r, c) for r in rows for c in cols), default=0) or 1
    title = f"{tab.row.name} × {tab.col.name}"
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' role='img' viewBox='0 0 {w} {h}' "
             f"width='100%' aria-label='{escape(title)}'><title>{escape(title)}</title>"]
    for j, c in enumerate(cols):
        x = left + j * cell + cell // 2
        parts.append(f"<text transform='translate({x},{top - 6}) rotate(-55)' {FONT}>"
                     f"{escape(c)}</text>")
    for i, r in enumerate(rows):
        y = top + i * cell
        parts.append(f"<text x='{left - 6}' y='{y + cell // 2 + 4}' text-anchor='end' {FONT}>"
                     f"{escape(r)}</text>")
        for j, c in enumerate(cols):
            n = tab.count(r, c)
            shade = round(235 - 190 * n / peak)
            fill = f"rgb({shade},{shade + 10 if shade < 245 else 245},255)" if n else "#f6f7f8"
            ink = "#fff" if n / peak > 0.55 else "#1d232b"
            ids = ", ".join(tab.cells.get((r, c), ()))
            parts.append(f"<rect x='{left + j * cell}' y='{y}' width='{cell - 2}' height='{cell - 2}' "
                         f"fill='{fill}'><title>{escape(r)} / {escape(c)}: {n} {escape(ids)}</title>"
                         "</rect>")
            if n:
                parts.append(f"<text x='{left + j * cell + cell // 2 - 1}' y='{y + cell // 2 + 4}' "
                             f"text-anchor='middle' fill='{ink}' {FONT}>{n}</text>")
    parts.append("</svg>")
    return "".join(parts)


# -- the brief's outlook chart: one layout, drawn as SVG (HTML, PDF) and as PNG (DOCX) ----------

OUTLOOK_BAR = "#0b5cad"


def _outlook_layout(classes: Sequence[tuple[str, float]]
                    ) -> tuple[int, int, list[tuple[str, int, int, str]]]:
    """Width, height and (label, y, bar width, value text) of each bar, in SVG pixels."""
    bar_h, gap, top, left, width = 18, 6, 28, 170, 300
    rows = [(label, top + i * (bar_h + gap), round(width * max(0.0, min(1.0, p))),
             f"{100 * p:.0f}%") for i, (label, p) in enumerate(classes)]
    return left + width + 50, top + len(classes) * (bar_h + gap) + 6, rows


def outlook_chart_svg(classes: Sequence[tuple[str, float]], title: str) -> str:
    """Horizontal bars of the outlook's probabilities (0-100% scale), labelled."""
    w, h, rows = _outlook_layout(classes)
    # no xmlns: it is inline in HTML (which needs none), and the brief names no URL at all
    parts = [f"<svg role='img' viewBox='0 0 {w} {h}' "
             f"width='{w}' height='{h}' style='max-width:100%;height:auto' "
             f"aria-label='{escape(title)}'><title>{escape(title)}</title>",
             f"<text x='0' y='16' {FONT} font-weight='600'>{escape(title)}</text>"]
    for label, y, bw, value in rows:
        parts.append(f"<text x='164' y='{y + 13}' text-anchor='end' {FONT}>{escape(label)}</text>"
                     f"<rect x='170' y='{y}' width='300' height='18' fill='#eef1f4'/>"
                     f"<rect x='170' y='{y}' width='{bw}' height='18' fill='{OUTLOOK_BAR}'/>"
                     f"<text x='{170 + bw + 4}' y='{y + 13}' {FONT}>{value}</text>")
    parts.append("</svg>")
    return "".join(parts)


def outlook_chart_png(classes: Sequence[tuple[str, float]], title: str, scale: int = 3) -> bytes:
    """The same chart as `outlook_chart_svg`, as PNG (Word cannot show SVG); Pillow is
    imported here so nothing else pays for it."""
    from io import BytesIO

    from PIL import Image, ImageDraw

    w, h, rows = _outlook_layout(classes)
    image = Image.new("RGB", (w * scale, h * scale), "white")
    draw = ImageDraw.Draw(image)

    regular, bold = _font(scale), _font(scale, bold=True)
    draw.text((0, 4 * scale), title, fill="#1d232b", font=bold)
    for label, y, bw, value in rows:
        draw.text((164 * scale, (y + 13) * scale), label, fill="#1d232b", font=regular,
                  anchor="rs")
        draw.rectangle([170 * scale, y * scale, 470 * scale, (y + 18) * scale], fill="#eef1f4")
        if bw:
            draw.rectangle([170 * scale, y * scale, (170 + bw) * scale, (y + 18) * scale],
                           fill=OUTLOOK_BAR)
        draw.text(((174 + bw) * scale, (y + 13) * scale), value, fill="#1d232b", font=regular,
                  anchor="ls")
    out = BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


@dataclass(frozen=True)
class _ItsFrame:
    """The ITS chart's coordinates, shared by the SVG (pages, HTML, PDF) and the PNG (DOCX)."""

    result: ItsResult
    left: int = 56
    right: int = 16
    top: int = 30
    bottom: int = 36
    width: int = 720
    height: int = 300

    @property
    def plot_w(self) -> int:
        return self.width - self.left - self.right

    @property
    def plot_h(self) -> int:
        return self.height - self.top - self.bottom

    @cached_property
    def limits(self) -> tuple[float, float]:
        series = self.result.series
        values = [v for f in series for v in (f.observed, f.fitted, f.counterfactual)]
        values += [f.band[1] for f in series if f.post] + [f.band[0] for f in series if f.post]
        low, high = min([*values, 0.0]), max(values) or 1.0
        return low, high + (high - low) * 0.05

    def x(self, i: int) -> float:
        n = len(self.result.series)
        return self.left + (self.plot_w * i / (n - 1) if n > 1 else self.plot_w / 2)

    def y(self, v: float) -> float:
        low, high = self.limits
        return self.top + self.plot_h * (1 - (v - low) / ((high - low) or 1.0))

    def y_ticks(self) -> list[float]:
        low, high = self.limits
        return [low + (high - low) * k / 4 for k in range(5)]

    def x_labels(self) -> list[int]:
        n = len(self.result.series)
        return list(range(0, n, max(1, n // 8)))

    @property
    def post(self) -> list[int]:
        return [i for i, f in enumerate(self.result.series) if f.post]

    def intervention_x(self) -> float:
        post = self.post
        return (self.x(post[0] - 1) + self.x(post[0])) / 2 if post[0] > 0 else self.x(post[0])

    def band(self) -> list[tuple[float, float]]:
        series, post = self.result.series, self.post
        return ([(self.x(i), self.y(series[i].band[1])) for i in post]
                + [(self.x(i), self.y(series[i].band[0])) for i in reversed(post)])

    @property
    def radius(self) -> float:
        return 3 if len(self.result.series) <= 200 else 1.5


def _font(scale: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    from PIL import ImageFont

    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    try:
        return ImageFont.truetype(name, 12 * scale)
    except OSError:
        return ImageFont.load_default(12 * scale)


def its_chart(result: ItsResult, title: str) -> str:
    """An interrupted time series: observed points, the fitted line, the counterfactual (dashed)
    with its 95% band after the intervention, and the intervention as a vertical line.

    Hand-built SVG, every label escaped; the output is deterministic for the same input.
    """
    frame = _ItsFrame(result)
    left, top, width, height = frame.left, frame.top, frame.width, frame.height
    plot_w, plot_h = frame.plot_w, frame.plot_h
    series = result.series
    x, y = frame.x, frame.y

    def path(points: Sequence[tuple[float, float]]) -> str:
        return " ".join(f"{'M' if k == 0 else 'L'}{px:.1f},{py:.1f}"
                        for k, (px, py) in enumerate(points))

    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' role='img' viewBox='0 0 {width} {height}' "
             f"width='100%' aria-label='{escape(title)}' class='its-chart'>",
             f"<title>{escape(title)}</title>",
             f"<text x='0' y='16' {FONT} font-weight='600'>{escape(title)}</text>",
             f"<line x1='{left}' y1='{top + plot_h}' x2='{left + plot_w}' y2='{top + plot_h}' "
             "stroke='#555'/>",
             f"<line x1='{left}' y1='{top}' x2='{left}' y2='{top + plot_h}' stroke='#555'/>"]
    for v in frame.y_ticks():
        parts.append(f"<text x='{left - 6}' y='{y(v) + 4:.1f}' text-anchor='end' {FONT}>"
                     f"{v:,.0f}</text>")
    for i in frame.x_labels():
        parts.append(f"<text x='{x(i):.1f}' y='{top + plot_h + 18}' text-anchor='middle' "
                     f"{FONT}>{escape(series[i].label)}</text>")
    post = frame.post
    if post:
        parts.append(f"<path class='band' d='{path(frame.band())} Z' fill='#f2b8a0' "
                     "fill-opacity='0.45' stroke='none'><title>counterfactual 95% band</title>"
                     "</path>")
        line = path([(x(i), y(series[i].counterfactual)) for i in post])
        parts.append(f"<path class='counterfactual' d='{line}' "
                     "fill='none' stroke='#c0392b' stroke-width='2' stroke-dasharray='6 4'>"
                     "<title>counterfactual: without the intervention</title></path>")
        xi = frame.intervention_x()
        parts.append(f"<line class='intervention' x1='{xi:.1f}' y1='{top}' x2='{xi:.1f}' "
                     f"y2='{top + plot_h}' stroke='#333' stroke-dasharray='2 3'/>")
        parts.append(f"<text x='{xi + 4:.1f}' y='{top + 12}' {FONT}>intervention "
                     f"{escape(result.intervention)}</text>")
    fitted = path([(x(i), y(f.fitted)) for i, f in enumerate(series)])
    parts.append(f"<path class='fitted' d='{fitted}' "
                 "fill='none' stroke='#0b5cad' stroke-width='2'><title>fitted</title></path>")
    for i, f in enumerate(series):
        parts.append(f"<circle class='observed' cx='{x(i):.1f}' cy='{y(f.observed):.1f}' "
                     f"r='{frame.radius}' fill='#222'><title>{escape(f.label)}: {f.observed:g}"
                     "</title></circle>")
    parts.append("</svg>")
    return "".join(parts)


def its_chart_png(result: ItsResult, title: str, scale: int = 2) -> bytes:
    """The same chart as `its_chart`, as PNG (Word cannot show SVG), from the same frame."""
    from io import BytesIO

    from PIL import Image, ImageDraw

    frame = _ItsFrame(result)
    image = Image.new("RGBA", (frame.width * scale, frame.height * scale), "white")
    band = Image.new("RGBA", image.size, (0, 0, 0, 0))
    draw, band_draw = ImageDraw.Draw(image), ImageDraw.Draw(band)
    regular, bold = _font(scale), _font(scale, bold=True)
    series, post = result.series, frame.post

    def at(px: float, py: float) -> tuple[float, float]:
        return px * scale, py * scale

    def dashed(points: Sequence[tuple[float, float]], fill: str, width: int, dash: float,
               gap: float) -> None:
        for (x1, y1), (x2, y2) in pairwise(points):
            length = ((x2 - x1) ** 2 + (y2 - y1) ** 2) ** 0.5 or 1.0
            t = 0.0
            while t < length:
                end = min(t + dash, length)
                draw.line([at(x1 + (x2 - x1) * t / length, y1 + (y2 - y1) * t / length),
                           at(x1 + (x2 - x1) * end / length, y1 + (y2 - y1) * end / length)],
                          fill=fill, width=width * scale)
                t += dash + gap

    bottom_y = frame.top + frame.plot_h
    draw.text(at(2, 4), title, fill="#1d232b", font=bold)
    draw.line([at(frame.left, bottom_y), at(frame.left + frame.plot_w, bottom_y)], fill="#555",
              width=scale)
    draw.line([at(frame.left, frame.top), at(frame.left, bottom_y)], fill="#555", width=scale)
    for v in frame.y_ticks():
        draw.text(at(frame.left - 6, frame.y(v) + 4), f"{v:,.0f}", fill="#1d232b",
                  font=regular, anchor="rs")
    for i in frame.x_labels():
        draw.text(at(frame.x(i), bottom_y + 18), series[i].label, fill="#1d232b", font=regular,
                  anchor="ms")
    if post:
        band_draw.polygon([at(px, py) for px, py in frame.band()], fill=(242, 184, 160, 115))
        image = Image.alpha_composite(image, band)
        draw = ImageDraw.Draw(image)
        dashed([(frame.x(i), frame.y(series[i].counterfactual)) for i in post], "#c0392b", 2,
               6, 4)
        xi = frame.intervention_x()
        dashed([(xi, frame.top), (xi, bottom_y)], "#333333", 1, 2, 3)
        draw.text(at(xi + 4, frame.top + 12), f"intervention {result.intervention}",
                  fill="#1d232b", font=regular, anchor="ls")
    draw.line([at(frame.x(i), frame.y(f.fitted)) for i, f in enumerate(series)], fill="#0b5cad",
              width=2 * scale, joint="curve")
    r = frame.radius * scale
    for i, f in enumerate(series):
        cx, cy = at(frame.x(i), frame.y(f.observed))
        draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill="#222222")
    out = BytesIO()
    image.convert("RGB").save(out, format="PNG", optimize=True)
    return out.getvalue()


STANCE_COLOURS = {"supportive": "#1a7f37", "open": "#4fa36b", "neutral": "#8c959f",
                  "sceptical": "#b08800", "opposed": "#cf222e", "spoiler": "#8a1c1c",
                  "unknown": "#c9ced6"}
EDGE_STYLES = {  # colour, width, dash ("" for solid)
    "alliance": ("#1a7f37", 2, ""), "rivalry": ("#cf222e", 2, "6 4"),
    "patronage": ("#0b5cad", 2, ""), "control": ("#24292f", 3, ""),
    "communication-channel": ("#8c959f", 2, "2 3")}
_MAP_W, _MAP_H, _MAP_PAD = 720, 440, 70


def _map_xy(node: MapNode) -> tuple[float, float]:
    return (_MAP_PAD + node.x * (_MAP_W - 2 * _MAP_PAD),
            _MAP_PAD / 2 + node.y * (_MAP_H - 1.5 * _MAP_PAD))


def _map_radius(node: MapNode) -> float:
    return 8 + 3 * (node.influence or 0)


def actor_map_svg(m: ActorMap, title: str) -> str:
    """Parties coloured by stance, sized by influence, spoilers ringed; relationships styled by
    type; a legend. Every label escaped; deterministic for the same map."""
    height = _MAP_H + 60
    parts = [f"<svg xmlns='http://www.w3.org/2000/svg' role='img' viewBox='0 0 {_MAP_W} "
             f"{height}' width='100%' aria-label='{escape(title)}' class='actor-map'>",
             f"<title>{escape(title)}</title>"]
    at = {n.id: _map_xy(n) for n in m.nodes}
    for e in m.edges:
        colour, width, dash = EDGE_STYLES.get(e.type, ("#555", 1, ""))
        (x1, y1), (x2, y2) = at[e.source], at[e.target]
        dashed = f" stroke-dasharray='{dash}'" if dash else ""
        parts.append(f"<line class='edge {escape(e.type)}' x1='{x1:.1f}' y1='{y1:.1f}' "
                     f"x2='{x2:.1f}' y2='{y2:.1f}' stroke='{colour}' stroke-width='{width}'"
                     f"{dashed}><title>{escape(m.name(e.source))} — "
                     f"{escape(e.type.replace('-', ' '))} — {escape(m.name(e.target))}"
                     "</title></line>")
    for n in m.nodes:
        x, y = at[n.id]
        r = _map_radius(n)
        colour = STANCE_COLOURS.get(n.stance, STANCE_COLOURS["unknown"])
        label = f"{n.name} ({n.type.replace('-', ' ')}, {n.stance})" + (
            f", spoiler: {n.spoiler_type.replace('-', ' ')}" if n.spoiler_type else "")
        if n.spoiler:
            parts.append(f"<circle class='spoiler-ring' cx='{x:.1f}' cy='{y:.1f}' r='{r + 5:.1f}'"
                         " fill='none' stroke='#8a1c1c' stroke-width='2' "
                         "stroke-dasharray='3 2'/>")
        spoils = f" data-spoiler='{escape(n.spoiler_type)}'" if n.spoiler_type else ""
        parts.append(f"<circle class='node' data-stance='{escape(n.stance)}'{spoils} "
                     f"cx='{x:.1f}' "
                     f"cy='{y:.1f}' r='{r:.1f}' fill='{colour}' stroke='#24292f'>"
                     f"<title>{escape(label)}</title></circle>")
        mark = " ⚠" if n.spoiler else ""
        parts.append(f"<text x='{x:.1f}' y='{y + r + 14:.1f}' text-anchor='middle' {FONT}>"
                     f"{escape(n.name)}{mark}</text>")
    y = _MAP_H + 14
    x = 0.0
    for stance, colour in STANCE_COLOURS.items():
        parts.append(f"<circle cx='{x + 6:.0f}' cy='{y - 4}' r='6' fill='{colour}'/>"
                     f"<text x='{x + 16:.0f}' y='{y}' {FONT}>{stance}</text>")
        x += 16 + 8 * len(stance) + 14
    y += 24
    x = 0.0
    for kind, (colour, width, dash) in EDGE_STYLES.items():
        dashed = f" stroke-dasharray='{dash}'" if dash else ""
        parts.append(f"<line x1='{x:.0f}' y1='{y - 4}' x2='{x + 24:.0f}' y2='{y - 4}' "
                     f"stroke='{colour}' stroke-width='{width}'{dashed}/>"
                     f"<text x='{x + 30:.0f}' y='{y}' {FONT}>{kind.replace('-', ' ')}</text>")
        x += 30 + 7.5 * len(kind) + 16
    parts.append(f"<text x='{_MAP_W}' y='{y}' text-anchor='end' {FONT}>⚠ spoiler</text>")
    parts.append("</svg>")
    return "".join(parts)


def actor_map_png(m: ActorMap, title: str, scale: int = 2) -> bytes:
    """The map without its legend, as PNG for DOCX (the report's table names everything)."""
    from io import BytesIO

    from PIL import Image, ImageDraw

    image = Image.new("RGB", (_MAP_W * scale, _MAP_H * scale), "white")
    draw = ImageDraw.Draw(image)
    font = _font(scale)
    at = {n.id: _map_xy(n) for n in m.nodes}
    for e in m.edges:
        colour, width, _dash = EDGE_STYLES.get(e.type, ("#555555", 1, ""))
        (x1, y1), (x2, y2) = at[e.source], at[e.target]
        draw.line([(x1 * scale, y1 * scale), (x2 * scale, y2 * scale)], fill=colour,
                  width=width * scale)
    for n in m.nodes:
        x, y = at[n.id]
        r = _map_radius(n)
        if n.spoiler:
            rr = (r + 5) * scale
            draw.ellipse([x * scale - rr, y * scale - rr, x * scale + rr, y * scale + rr],
                         outline="#8a1c1c", width=2 * scale)
        draw.ellipse([(x - r) * scale, (y - r) * scale, (x + r) * scale, (y + r) * scale],
                     fill=STANCE_COLOURS.get(n.stance, STANCE_COLOURS["unknown"]),
                     outline="#24292f")
        draw.text((x * scale, (y + r + 14) * scale), n.name + (" (!)" if n.spoiler else ""),
                  fill="#1d232b", font=font, anchor="ms")
    draw.text((2 * scale, 4 * scale), title, fill="#1d232b", font=_font(scale, bold=True))
    out = BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
