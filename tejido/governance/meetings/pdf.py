"""The minutes of a meeting as a PDF (reportlab platypus), in the reader's language.

Fonts: Bitstream Vera, bundled with reportlab, embedded so that accents, ñ, ç and l·l print
the same in every viewer. People's names appear only when the reader may see people;
otherwise the attendance lists organizations. Minutes not yet approved are marked DRAFT on
every page.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import reportlab
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from ..decisions.services import count_from_result
from ..explain import explain_count
from ..models import AgendaItemKind, Meeting, MinutesStatus, Poll, PollStatus
from .ical import duration_text
from .selectors import MeetingPage

FONT = "Vera"
FONT_BOLD = "VeraBd"
INK = colors.HexColor("#1d2433")
SOFT = colors.HexColor("#4a5468")
LINE = colors.HexColor("#d9dee8")
BRAND = colors.HexColor("#0f6b5c")
DRAFT_RED = colors.HexColor("#b3261e")

_registered = False


def register_fonts() -> None:
    """Register the Vera family bundled with reportlab (once per process)."""
    global _registered
    if _registered:
        return
    folder = Path(reportlab.__file__).parent / "fonts"
    for name, file in (
        (FONT, "Vera.ttf"),
        (FONT_BOLD, "VeraBd.ttf"),
        ("VeraIt", "VeraIt.ttf"),
        ("VeraBI", "VeraBI.ttf"),
    ):
        pdfmetrics.registerFont(TTFont(name, str(folder / file)))
    pdfmetrics.registerFontFamily(
        FONT, normal=FONT, bold=FONT_BOLD, italic="VeraIt", boldItalic="VeraBI"
    )
    _registered = True


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=FONT, fontSize=9.5, leading=13.5, textColor=INK)
    return {
        "base": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8.5, leading=11.5, textColor=SOFT),
        "title": ParagraphStyle(
            "title", parent=base, fontName=FONT_BOLD, fontSize=17, leading=21, spaceAfter=2
        ),
        "subtitle": ParagraphStyle("subtitle", parent=base, fontSize=10.5, textColor=SOFT),
        "h2": ParagraphStyle(
            "h2",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=12,
            leading=15,
            textColor=BRAND,
            spaceBefore=12,
            spaceAfter=5,
        ),
        "cell": ParagraphStyle("cell", parent=base, fontSize=9, leading=12),
        "head": ParagraphStyle("head", parent=base, fontName=FONT_BOLD, fontSize=8.5, leading=11),
        "draft": ParagraphStyle(
            "draft",
            parent=base,
            fontName=FONT_BOLD,
            textColor=DRAFT_RED,
            borderColor=DRAFT_RED,
            borderWidth=1,
            borderPadding=6,
            spaceBefore=6,
            spaceAfter=8,
            alignment=TA_CENTER,
        ),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(text), style)


def _table(rows: list[list[Any]], widths: list[float], *, header: bool = True) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
    commands: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, LINE),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    if header:
        commands += [
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef0f5")),
            ("LINEBELOW", (0, 0), (-1, 0), 0.8, SOFT),
        ]
    table.setStyle(TableStyle(commands))
    return table


def _local_day(meeting: Meeting) -> str:
    return date_format(timezone.localtime(meeting.starts_at), "DATE_FORMAT")


def _text_paragraphs(text: str, style: ParagraphStyle) -> list[Flowable]:
    """Paragraphs separated by blank lines; single line breaks are kept."""
    flowables: list[Flowable] = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        if block.strip():
            lines = [escape(line) for line in block.strip().split("\n")]
            flowables.append(Paragraph("<br/>".join(lines), style))
            flowables.append(Spacer(0, 4))
    return flowables


def _explained(poll: Poll) -> list[str]:
    """How a closed poll was counted, in sentences (none for a poll not closed, or whose stored
    count is not in the current shape)."""
    if poll.status != PollStatus.CLOSED or "count" not in (poll.result or {}):
        return []
    try:
        count = count_from_result(poll.result)
    except (KeyError, TypeError, ValueError):
        return []
    return explain_count(count, [option.label for option in poll.options.all()])


def minutes_story(page: MeetingPage, *, show_people: bool) -> list[Flowable]:
    """The PDF's content, in reading order (also what the tests read the text from)."""
    register_fonts()
    st = _styles()
    meeting = page.meeting
    body = meeting.body
    approved = meeting.minutes_status == MinutesStatus.APPROVED
    story: list[Flowable] = [
        _p(_("Minutes: %(title)s") % {"title": meeting.title}, st["title"]),
        _p(f"{body.name} · {body.program.name}", st["subtitle"]),
    ]
    if not approved:
        story.append(
            _p(
                _("DRAFT: these minutes have not been approved yet and may change."),
                st["draft"],
            )
        )
    starts = timezone.localtime(meeting.starts_at)
    ends = timezone.localtime(meeting.ends_at)
    facts = [
        (_("Date"), date_format(starts, "DATE_FORMAT")),
        (
            _("Time"),
            f"{time_format(starts.time(), 'TIME_FORMAT')} – "
            f"{time_format(ends.time(), 'TIME_FORMAT')}",
        ),
    ]
    if meeting.place:
        facts.append((_("Place"), meeting.place))
    if meeting.online_url:
        facts.append((_("Online link"), meeting.online_url))
    facts.append((_("Meeting"), meeting.get_status_display()))
    if approved and meeting.minutes_approved_in is not None:
        approval = _("Approved in “%(meeting)s”, %(day)s") % {
            "meeting": meeting.minutes_approved_in.title,
            "day": _local_day(meeting.minutes_approved_in),
        }
    elif approved:
        approval = pgettext("minutes", "Approved")
    else:
        approval = _("Not approved yet")
    facts.append((_("Minutes"), approval))
    story.append(Spacer(0, 6))
    story.append(
        _table(
            [[_p(k, st["head"]), _p(v, st["cell"])] for k, v in facts],
            [35 * mm, 135 * mm],
            header=False,
        )
    )

    # Attendance, by organization.
    sheet = page.sheet
    story.append(_p(_("Attendance"), st["h2"]))
    quorum = sheet.quorum
    if quorum.met:
        quorum_text = _(
            "Quorum reached: %(present)s of %(seats)s voting seats present (%(required)s needed)."
        )
    else:
        quorum_text = _(
            "Quorum not reached: %(present)s of %(seats)s voting seats present "
            "(%(required)s needed)."
        )
    story.append(
        _p(
            quorum_text
            % {"present": quorum.present, "seats": quorum.seats, "required": quorum.required},
            st["base"],
        )
    )
    story.append(Spacer(0, 4))
    head = [_("Organization"), _("Seat"), _("Attendance")]
    widths = [62 * mm, 50 * mm, 58 * mm]
    if show_people:
        head = [_("Organization"), _("Seat"), _("Person"), _("Attendance")]
        widths = [52 * mm, 38 * mm, 45 * mm, 35 * mm]
    rows: list[list[Any]] = [[_p(h, st["head"]) for h in head]]
    for row in sheet.rows:
        mandate = row.mandate
        status = row.attendance.get_status_display() if row.attendance else _("Not recorded")
        if row.as_alternate:
            status = _("%(status)s (alternate)") % {"status": status}
        seat = f"{mandate.seat.label} · {mandate.seat.get_sector_display()}"
        cells = [mandate.organization.name, seat]
        if show_people:
            cells.append(row.person.name if row.person else "—")
        cells.append(status)
        rows.append([_p(c, st["cell"]) for c in cells])
    if len(rows) > 1:
        story.append(_table(rows, widths))
    else:
        story.append(_p(_("No seats were held on the meeting's day."), st["small"]))
    if sheet.guests:
        guests = ", ".join(
            f"{g.organization.name} ({g.person.name})"
            if show_people and g.person
            else g.organization.name
            for g in sheet.guests
        )
        story.append(Spacer(0, 4))
        story.append(_p(_("Guests: %(guests)s") % {"guests": guests}, st["base"]))

    # Agenda.
    story.append(_p(_("Agenda"), st["h2"]))
    if page.agenda:
        rows = [[_p(h, st["head"]) for h in ("#", _("Item"), pgettext("duration", "Time"))]]
        for number, item in enumerate(page.agenda, start=1):
            title = f"<b>{escape(item.title)}</b>"
            # The minutes and follow-up items already say what they are in their titles.
            if item.kind not in (AgendaItemKind.MINUTES, AgendaItemKind.FOLLOW_UP):
                title += (
                    f"<br/><font size='8' color='#4a5468'>{escape(item.get_kind_display())}</font>"
                )
            rows.append(
                [
                    _p(str(number), st["cell"]),
                    Paragraph(title, st["cell"]),
                    _p(duration_text(item.duration_minutes), st["cell"]),
                ]
            )
        rows.append(
            [
                _p("", st["cell"]),
                _p(_("Total"), st["head"]),
                _p(duration_text(page.total_minutes), st["head"]),
            ]
        )
        story.append(_table(rows, [10 * mm, 135 * mm, 25 * mm]))
    else:
        story.append(_p(_("The meeting had no agenda."), st["small"]))

    # The minutes themselves.
    story.append(_p(_("Minutes"), st["h2"]))
    if meeting.minutes.strip():
        story.extend(_text_paragraphs(meeting.minutes, st["base"]))
    else:
        story.append(_p(_("The minutes have not been written yet."), st["small"]))

    # Agreements adopted.
    story.append(_p(_("Agreements adopted"), st["h2"]))
    if page.agreements:
        rows = [[_p(h, st["head"]) for h in (_("No."), _("Agreement"), _("Responsible"), _("Due"))]]
        for agreement in page.agreements:
            responsible = ", ".join(a.name for a in agreement.responsible.all()) or "—"
            due = date_format(agreement.due_on, "SHORT_DATE_FORMAT") if agreement.due_on else "—"
            rows.append(
                [
                    _p(str(agreement.number), st["cell"]),
                    _p(agreement.text, st["cell"]),
                    _p(responsible, st["cell"]),
                    _p(due, st["cell"]),
                ]
            )
        story.append(_table(rows, [12 * mm, 88 * mm, 45 * mm, 25 * mm]))
    else:
        story.append(_p(_("No agreements were recorded at this meeting."), st["small"]))

    # Decisions (polls) and their results.
    if page.polls:
        story.append(_p(_("Decisions"), st["h2"]))
        rows = [[_p(h, st["head"]) for h in (_("Question"), _("Method"), _("Result"))]]
        for line in page.polls:
            poll = line.poll
            method = poll.get_method_display()
            if poll.secret:
                method = _("%(method)s, secret ballot") % {"method": method}
            result: list[Flowable] = [_p(line.summary, st["cell"])]
            result.extend(_p(sentence, st["small"]) for sentence in _explained(poll))
            rows.append([_p(poll.question, st["cell"]), _p(method, st["cell"]), result])
        story.append(_table(rows, [60 * mm, 35 * mm, 75 * mm]))

    if page.approved_here:
        story.append(_p(_("Minutes approved at this meeting"), st["h2"]))
        for earlier in page.approved_here:
            story.append(
                _p(
                    _("Minutes of “%(title)s”, %(day)s.")
                    % {"title": earlier.title, "day": _local_day(earlier)},
                    st["base"],
                )
            )

    story.append(Spacer(0, 10))
    story.append(
        KeepTogether(
            [
                _p(
                    _("Generated by Tejido: %(moment)s")
                    % {"moment": date_format(timezone.localtime(), "DATETIME_FORMAT")},
                    st["small"],
                )
            ]
        )
    )
    return story


def minutes_pdf(page: MeetingPage, *, show_people: bool) -> bytes:
    """The minutes as a PDF document (A4)."""
    register_fonts()
    meeting = page.meeting
    approved = meeting.minutes_status == MinutesStatus.APPROVED
    footer = f"{meeting.body.name} · {meeting.title} · {_local_day(meeting)}"
    draft_word = pgettext("minutes watermark", "DRAFT")
    page_word = _("Page %(number)s")

    def decorate(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        width, height = A4
        if not approved:
            canvas.setFont(FONT_BOLD, 80)
            canvas.setFillColor(colors.Color(0.7, 0.15, 0.12, alpha=0.10))
            canvas.translate(width / 2, height / 2)
            canvas.rotate(40)
            canvas.drawCentredString(0, -25, draft_word)
            canvas.rotate(-40)
            canvas.translate(-width / 2, -height / 2)
        canvas.setFont(FONT, 7.5)
        canvas.setFillColor(SOFT)
        canvas.drawString(20 * mm, 12 * mm, footer[:120])
        canvas.drawRightString(width - 20 * mm, 12 * mm, page_word % {"number": doc.page})
        canvas.restoreState()

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=20 * mm,
        title=_("Minutes: %(title)s") % {"title": meeting.title},
        author=meeting.body.name,
        subject=meeting.body.program.name,
        creator="Tejido",
    )
    story = minutes_story(page, show_people=show_people)
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()
