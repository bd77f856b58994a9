"""The published shared agenda as a PDF (reportlab, A4), in the reader's language: the
introduction, the ranked groups with their points, items and transitions, how the count was
made, the participating entities and the endorsements. The fonts and colours are the
minutes' (Vera, embedded, so that accents and ñ print everywhere)."""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer

from tejido.governance.meetings.pdf import BRAND, FONT, FONT_BOLD, INK, SOFT, register_fonts

from .selectors import SpacePage


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=FONT, fontSize=10, leading=14, textColor=INK)
    return {
        "base": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8.5, leading=11.5, textColor=SOFT),
        "eyebrow": ParagraphStyle(
            "eyebrow", parent=base, fontName=FONT_BOLD, fontSize=10, textColor=BRAND
        ),
        "title": ParagraphStyle(
            "title", parent=base, fontName=FONT_BOLD, fontSize=18, leading=23, spaceAfter=4
        ),
        "h2": ParagraphStyle(
            "h2",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=12.5,
            leading=16,
            textColor=BRAND,
            spaceBefore=12,
            spaceAfter=5,
        ),
        "group": ParagraphStyle(
            "group", parent=base, fontName=FONT_BOLD, fontSize=11, leading=15, spaceBefore=8
        ),
        "item": ParagraphStyle("item", parent=base, fontSize=9.5, leading=13, leftIndent=10),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text), style)


def _points(score: Any) -> str:
    if score is None:
        return ""
    value = float(score)
    shown = str(int(value)) if value.is_integer() else f"{value:.1f}"
    return _("%(points)s points") % {"points": shown}


def agenda_story(page: SpacePage) -> list[Flowable]:
    """The agenda's content in reading order (also what the tests read the text from)."""
    register_fonts()
    st = _styles()
    space = page.space
    story: list[Flowable] = [
        _p(space.program.name, st["eyebrow"]),
        _p(_("Shared social agenda"), st["small"]),
        _p(space.title, st["title"]),
    ]
    if space.published_at:
        story.append(
            _p(
                _("Published on %(date)s")
                % {"date": date_format(timezone.localtime(space.published_at), "DATE_FORMAT")},
                st["small"],
            )
        )
    story.append(Spacer(0, 6))
    for paragraph in space.agenda_intro.split("\n\n"):
        if paragraph.strip():
            story += [_p(paragraph.strip(), st["base"]), Spacer(0, 5)]
    story.append(_p(_("Priorities"), st["h2"]))
    for ranked in page.ranking:
        block: list[Flowable] = [
            _p(f"{ranked.place}. {ranked.group.title} · {_points(ranked.score)}", st["group"])
        ]
        if ranked.group.summary:
            block.append(_p(ranked.group.summary, st["base"]))
        for item in ranked.items:
            transitions = ", ".join(t.label for t in item.transitions.all())
            line = f"• {item.get_kind_display()}: {item.title} ({item.raised_by.name})"
            if transitions:
                line += f" — {transitions}"
            block.append(_p(line, st["item"]))
        story.append(KeepTogether(block))
    if page.explanation:
        story.append(_p(_("How the priorities were counted"), st["h2"]))
        story.extend(_p(sentence, st["small"]) for sentence in page.explanation)
    story.append(_p(_("Participating entities"), st["h2"]))
    story.append(_p(", ".join(p.actor.name for p in page.participants) or "—", st["base"]))
    story.append(_p(_("Endorsements (%(count)s)") % {"count": len(page.endorsements)}, st["h2"]))
    for endorsement in page.endorsements:
        text = endorsement.actor.name
        if endorsement.note:
            text += f" — “{endorsement.note}”"
        story.append(_p(text, st["base"]))
    if not page.endorsements:
        story.append(_p(_("No endorsements yet."), st["small"]))
    return story


def agenda_pdf(page: SpacePage) -> bytes:
    register_fonts()
    buffer = io.BytesIO()
    footer = f"{page.space.program.name} · {page.space.title}"
    page_word = _("Page %(number)s")

    def decorate(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7.5)
        canvas.setFillColor(SOFT)
        canvas.drawString(18 * mm, 10 * mm, footer[:110])
        canvas.drawRightString(A4[0] - 18 * mm, 10 * mm, page_word % {"number": doc.page})
        canvas.restoreState()

    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=page.space.title,
        author=page.space.program.name,
    )
    document.build(agenda_story(page), onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()
