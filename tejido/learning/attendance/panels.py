"""The training panel of the actor profile. For a person: the competencies they gained and
their certificates, only for readers who may see people. For an organization: how many of its
people completed each course (counts, no names). One or two queries."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse

from tejido.actors.models import Actor
from tejido.actors.rules import can_view_people
from tejido.core.http import url_maker

from .selectors import organization_completions, person_record


def actor_training_panel(request: HttpRequest, actor: Actor) -> str | None:
    program = actor.program
    context: dict[str, object] = {"actor": actor, "program": program}
    if actor.is_person:
        if not can_view_people(request.user, program):
            return None
        record = person_record(actor)
        if not record.competencies and not record.certificates:
            return None
        pdf_url = url_maker("learning:certificate_pdf", program)
        for certificate in record.certificates:
            enrolment = certificate.enrolment
            allowed = certificate.revoked_at is None and request.user.has_perm(
                "learning.view_certificate", enrolment
            )
            certificate.pdf_url = pdf_url(enrolment.pk) if pdf_url and allowed else ""  # type: ignore[attr-defined]
            certificate.verify_url = reverse("learning:verify_code", args=[certificate.code])  # type: ignore[attr-defined]
        context["record"] = record
        context["record_url"] = reverse("learning:person_record", args=[program.slug, actor.pk])
    else:
        completions = organization_completions(actor)
        if not completions:
            return None
        context["completions"] = completions
    return render_to_string("learning/attendance/actor_panel.html", context, request=request)
