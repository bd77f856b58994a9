"""The certificate as a PDF (reportlab), A4 landscape, in the reader's language: who completed
which course of which program, its hours and sessions, the date, the learning goals and
competencies, and the verification code with a QR code to the public verification page.

What it certifies is read from the certificate's copied fields, so a later change of a name or
a course title does not change a certificate already issued. The fonts are the minutes' (Vera,
embedded, so that accents, ñ, ç and l·l print everywhere)."""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from tejido.governance.meetings.pdf import BRAND, FONT, FONT_BOLD, SOFT, register_fonts

from ..models import Certificate

INK = colors.HexColor("#1d2433")
PAGE = landscape(A4)
QR_SIZE = 38 * mm


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle(
        "base", fontName=FONT, fontSize=12, leading=16, textColor=INK, alignment=TA_CENTER
    )
    return {
        "base": base,
        "small": ParagraphStyle("small", parent=base, fontSize=9, leading=12, textColor=SOFT),
        "eyebrow": ParagraphStyle(
            "eyebrow", parent=base, fontName=FONT_BOLD, fontSize=12.5, leading=17, textColor=BRAND
        ),
        "title": ParagraphStyle("title", parent=base, fontName=FONT_BOLD, fontSize=30, leading=36),
        "holder": ParagraphStyle(
            "holder", parent=base, fontName=FONT_BOLD, fontSize=26, leading=32, textColor=BRAND
        ),
        "course": ParagraphStyle(
            "course", parent=base, fontName=FONT_BOLD, fontSize=18, leading=23
        ),
        "list": ParagraphStyle("list", parent=base, fontSize=10.5, leading=14.5),
        "code": ParagraphStyle("code", parent=base, fontName=FONT_BOLD, fontSize=14, leading=18),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text), style)


def _qr(url: str) -> Drawing:
    widget = QrCodeWidget(url, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(
        QR_SIZE, QR_SIZE, transform=[QR_SIZE / (x1 - x0), 0, 0, QR_SIZE / (y1 - y0), 0, 0]
    )
    drawing.add(widget)
    return drawing


def certificate_story(certificate: Certificate, url: str) -> list[Flowable]:
    """The certificate's content, in reading order (also what the tests read the text from)."""
    register_fonts()
    st = _styles()
    story: list[Flowable] = [
        _p(certificate.program_name, st["eyebrow"]),
        Spacer(0, 8),
        _p(_("Certificate of completion"), st["title"]),
        Spacer(0, 16),
        _p(_("This certifies that"), st["base"]),
        Spacer(0, 4),
        _p(certificate.holder_name, st["holder"]),
        Spacer(0, 2),
        _p(
            _("on behalf of %(organization)s") % {"organization": certificate.organization_name},
            st["base"],
        ),
        Spacer(0, 12),
        _p(_("completed the course"), st["base"]),
        Spacer(0, 2),
        _p(certificate.course_title, st["course"]),
        Spacer(0, 6),
        _p(
            _("%(hours)s hours · attended %(attended)s of %(held)s sessions · completed on %(day)s")
            % {
                "hours": certificate.hours,
                "attended": certificate.attended_sessions,
                "held": certificate.total_sessions,
                "day": date_format(certificate.completed_on, "DATE_FORMAT"),
            },
            st["base"],
        ),
    ]
    # As issued: a later change to the course does not rewrite an old certificate.
    goals = certificate.goal_lines
    competencies = certificate.competency_lines
    columns = []
    if goals:
        columns.append(
            [_p(_("Learning goals"), st["eyebrow"]), *(_p(g, st["list"]) for g in goals)]
        )
    if competencies:
        columns.append(
            [
                _p(_("Competencies developed"), st["eyebrow"]),
                *(_p(c, st["list"]) for c in competencies),
            ]
        )
    if columns:
        story.append(Spacer(0, 16))
        width = 230 * mm / len(columns)
        table = Table([columns], colWidths=[width] * len(columns))
        table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
        story.append(table)
    story.append(Spacer(0, 18))
    verification = Table(
        [
            [
                _qr(url),
                [
                    _p(_("Verification code"), st["small"]),
                    _p(certificate.code, st["code"]),
                    Spacer(0, 3),
                    _p(_("Check this certificate at %(url)s") % {"url": url}, st["small"]),
                ],
            ]
        ],
        colWidths=[QR_SIZE + 6 * mm, 120 * mm],
    )
    verification.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("ALIGN", (0, 0), (-1, -1), "CENTER"),
            ]
        )
    )
    story.append(verification)
    return story


def certificate_pdf(certificate: Certificate, url: str) -> bytes:
    """The certificate as a one-page PDF. `url` is the absolute address of its public
    verification page (printed and in the QR code)."""
    register_fonts()

    def decorate(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        width, height = PAGE
        canvas.setStrokeColor(BRAND)
        canvas.setLineWidth(2.5)
        canvas.rect(10 * mm, 10 * mm, width - 20 * mm, height - 20 * mm, stroke=1, fill=0)
        canvas.setLineWidth(0.6)
        canvas.rect(13 * mm, 13 * mm, width - 26 * mm, height - 26 * mm, stroke=1, fill=0)
        canvas.restoreState()

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=PAGE,
        leftMargin=22 * mm,
        rightMargin=22 * mm,
        topMargin=26 * mm,
        bottomMargin=16 * mm,
        title=_("Certificate: %(course)s") % {"course": certificate.course_title},
        author=certificate.program_name,
        subject=certificate.code,
        creator="Tejido",
    )
    doc.build(certificate_story(certificate, url), onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()
