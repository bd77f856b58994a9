"""The award letter as a PDF (reportlab), in the reader's language: who funds what, how much,
under which conditions, when the money comes, what must be reported and when, and where to
sign. The layout helpers and fonts are the meeting minutes' (governance)."""

from __future__ import annotations

import io
from typing import Any
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table

from tejido.governance.meetings.pdf import (
    BRAND,
    FONT,
    FONT_BOLD,
    SOFT,
    _p,
    _styles,
    _table,
    register_fonts,
)
from tejido.governance.plans.money import money

from ..models import Award, Disbursement, Milestone
from .selectors import condition_label


def _day(value: Any) -> str:
    return date_format(value, "DATE_FORMAT") if value else "—"


def _funder_name(award: Award) -> str:
    call = award.application.call
    return call.funder.name if call.funder_id and call.funder else call.program.name


def letter_conditions(award: Award) -> list[str]:
    """The conditions of the grant, one sentence each."""
    application = award.application
    conditions = [
        _(
            "The grant is spent only on the project “%(title)s” (%(reference)s) and on the budget"
            " lines of its application. Moving money from one line to another needs the"
            " coordination's written agreement."
        )
        % {"title": application.title, "reference": application.reference},
        _(
            "Every expense is reported in Tejido against one of those budget lines, with its"
            " receipt (PDF, JPG or PNG). The coordination accepts or rejects each one."
        ),
        _(
            "The grantee plans the project's milestones in Tejido, keeps them up to date and"
            " marks each one reached with a short note."
        ),
    ]
    if award.final_report_due_on:
        conditions.append(
            _(
                "The final report (what was done, its results and the people reached) is due by"
                " %(day)s. The last payment is made once it is accepted."
            )
            % {"day": _day(award.final_report_due_on)}
        )
    conditions += [
        _("Money not spent, or spent without an accepted receipt, is returned."),
        _("Public communication about the project acknowledges the support of %(funder)s.")
        % {"funder": _funder_name(award)},
    ]
    return conditions


def letter_story(
    award: Award, disbursements: list[Disbursement], milestones: list[Milestone]
) -> list[Flowable]:
    """The letter's content, in reading order (also what the tests read the text from)."""
    register_fonts()
    st = _styles()
    application = award.application
    call = application.call
    program = call.program
    currency = call.currency
    story: list[Flowable] = [
        _p(program.name, st["subtitle"]),
        _p(call.title, st["subtitle"]),
        Spacer(0, 8),
        _p(_("Award letter"), st["title"]),
        _p(
            _("Grant %(identifier)s · %(day)s")
            % {"identifier": award.identifier, "day": _day(award.awarded_on)},
            st["small"],
        ),
        Spacer(0, 10),
        _p(
            _("To %(grantee)s:") % {"grantee": application.applicant.name},
            st["base"],
        ),
        Spacer(0, 4),
        _p(
            _(
                "We are glad to tell you that the committee of “%(call)s” awarded your project"
                " “%(title)s” a grant of %(amount)s. This letter sets out the conditions of the"
                " grant, when the money will be paid, and what you report and when."
            )
            % {
                "call": call.title,
                "title": application.title,
                "amount": money(award.amount, currency),
            },
            st["base"],
        ),
    ]
    partners = [p.organization.name for p in application.partners.all()]
    facts = [
        (_("Grantee"), application.applicant.name),
        (_("Project"), f"{application.title} ({application.reference})"),
    ]
    if partners:
        facts.append((_("Partners"), ", ".join(partners)))
    facts += [
        (_("Funded by"), _funder_name(award)),
        (_("Amount awarded"), money(award.amount, currency)),
        (_("Amount requested"), money(application.requested_amount, currency)),
        (
            _("Project dates"),
            _("%(start)s to %(end)s")
            % {"start": _day(award.starts_on), "end": _day(award.ends_on)},
        ),
        (_("Final report due"), _day(award.final_report_due_on)),
    ]
    if application.territory_id and application.territory:
        facts.append((_("Territory"), application.territory.name))
    story.append(Spacer(0, 8))
    story.append(
        _table(
            [[_p(k, st["head"]), _p(v, st["cell"])] for k, v in facts],
            [40 * mm, 130 * mm],
            header=False,
        )
    )

    story.append(_p(_("Conditions"), st["h2"]))
    for number, condition in enumerate(letter_conditions(award), start=1):
        story.append(Paragraph(f"{number}. {escape(condition)}", st["base"]))
        story.append(Spacer(0, 3))

    story.append(_p(_("Payment schedule"), st["h2"]))
    if disbursements:
        rows: list[list[Any]] = [
            [_p(h, st["head"]) for h in ("#", _("Amount"), _("Condition"), _("Due"))]
        ]
        for number, disbursement in enumerate(disbursements, start=1):
            rows.append(
                [
                    _p(str(number), st["cell"]),
                    _p(money(disbursement.amount, currency), st["cell"]),
                    _p(condition_label(disbursement.condition), st["cell"]),
                    _p(_day(disbursement.due_on), st["cell"]),
                ]
            )
        rows.append(
            [
                _p("", st["cell"]),
                _p(money(sum(d.amount for d in disbursements), currency), st["head"]),
                _p(_("Total"), st["head"]),
                _p("", st["cell"]),
            ]
        )
        story.append(_table(rows, [10 * mm, 40 * mm, 85 * mm, 35 * mm]))
    else:
        story.append(_p(_("The coordination will agree the payments with you."), st["small"]))

    story.append(_p(_("Reporting dates"), st["h2"]))
    reporting: list[list[Any]] = [[_p(h, st["head"]) for h in (_("What"), _("Due"))]]
    for milestone in milestones:
        reporting.append([_p(milestone.title, st["cell"]), _p(_day(milestone.due_on), st["cell"])])
    reporting.append(
        [_p(_("Final report"), st["cell"]), _p(_day(award.final_report_due_on), st["cell"])]
    )
    story.append(_table(reporting, [120 * mm, 50 * mm]))
    if not milestones:
        story.append(Spacer(0, 3))
        story.append(
            _p(
                _("Add the project's milestones in Tejido: they will be reported on here too."),
                st["small"],
            )
        )

    story.append(Spacer(0, 22))
    signature = Table(
        [
            [_p("", st["cell"]), _p("", st["cell"])],
            [
                _p(_("For %(funder)s") % {"funder": _funder_name(award)}, st["cell"]),
                _p(_("For %(grantee)s") % {"grantee": application.applicant.name}, st["cell"]),
            ],
            [
                _p(_("Name, signature and date"), st["small"]),
                _p(_("Name, signature and date"), st["small"]),
            ],
        ],
        colWidths=[80 * mm, 80 * mm],
        rowHeights=[18 * mm, None, None],
        hAlign="LEFT",
        spaceBefore=0,
    )
    signature.setStyle(
        [
            ("LINEBELOW", (0, 0), (0, 0), 0.8, SOFT),
            ("LINEBELOW", (1, 0), (1, 0), 0.8, SOFT),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 12 * mm),
        ]
    )
    story.append(KeepTogether([_p(_("Signatures"), st["h2"]), signature]))
    story.append(Spacer(0, 12))
    story.append(
        _p(
            _("Generated by Tejido: %(moment)s")
            % {"moment": date_format(timezone.localtime(), "DATETIME_FORMAT")},
            st["small"],
        )
    )
    return story


def award_letter_pdf(
    award: Award, disbursements: list[Disbursement], milestones: list[Milestone]
) -> bytes:
    """The award letter as a PDF document (A4), with a letterhead on every page."""
    register_fonts()
    application = award.application
    call = application.call
    header = f"{call.program.name} · {call.title}"
    footer = f"{award.identifier} · {application.applicant.name}"
    page_word = _("Page %(number)s")

    def decorate(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        width, height = A4
        canvas.setFillColor(BRAND)
        canvas.rect(0, height - 9 * mm, width, 9 * mm, stroke=0, fill=1)
        canvas.setFont(FONT_BOLD, 8.5)
        canvas.setFillColorRGB(1, 1, 1)
        canvas.drawString(20 * mm, height - 6 * mm, header[:110])
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
        topMargin=20 * mm,
        bottomMargin=20 * mm,
        title=_("Award letter: %(title)s") % {"title": application.title},
        author=_funder_name(award),
        subject=call.title,
        creator="Tejido",
    )
    doc.build(
        letter_story(award, disbursements, milestones), onFirstPage=decorate, onLaterPages=decorate
    )
    return buffer.getvalue()
