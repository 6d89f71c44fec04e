"""Server-side SVG charts (no JavaScript, no CDN): bar charts and heat maps.

Labels are XML-escaped; the output is deterministic for the same input.
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

from parley.domain.comparison import CrossTab

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

    from PIL import Image, ImageDraw, ImageFont

    w, h, rows = _outlook_layout(classes)
    image = Image.new("RGB", (w * scale, h * scale), "white")
    draw = ImageDraw.Draw(image)

    def font(bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
        name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
        try:
            return ImageFont.truetype(name, 12 * scale)
        except OSError:
            return ImageFont.load_default(12 * scale)

    regular, bold = font(), font(True)
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
