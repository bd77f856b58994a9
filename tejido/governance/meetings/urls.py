"""Meeting and agreement URLs (names `governance:meeting*`, `governance:agreement*`,
`governance:body_calendar`, `governance:minutes_pdf`), joined in `governance/urls.py`."""

from __future__ import annotations

from django.urls import URLPattern, path

from . import views

B = "p/<slug:program>/governance/bodies/<int:pk>/"
M = "p/<slug:program>/governance/meetings/<int:pk>/"
A = "p/<slug:program>/governance/agreements/<int:pk>/"

urlpatterns: list[URLPattern] = [
    path(f"{B}meetings/new/", views.meeting_create, name="meeting_create"),
    path(f"{B}agreements/", views.agreement_register, name="agreements"),
    path(f"{B}agreements/new/", views.agreement_create, name="agreement_create"),
    path(f"{B}calendar.ics", views.body_calendar, name="body_calendar"),
    path(M, views.meeting_detail, name="meeting"),
    path(f"{M}edit/", views.meeting_edit, name="meeting_edit"),
    path(f"{M}cancel/", views.meeting_cancel, name="meeting_cancel"),
    path(f"{M}agenda/", views.meeting_agenda, name="meeting_agenda"),
    path(f"{M}agenda/order/", views.agenda_reorder, name="agenda_reorder"),
    path(f"{M}agenda/carry-over/", views.agenda_carry_over, name="agenda_carry_over"),
    path(f"{M}agenda/<int:item>/", views.agenda_item_edit, name="agenda_item_edit"),
    path(f"{M}agenda/<int:item>/remove/", views.agenda_item_remove, name="agenda_item_remove"),
    path(f"{M}invitations/", views.meeting_invite, name="meeting_invite"),
    path(f"{M}attendance/", views.meeting_attendance, name="meeting_attendance"),
    path(f"{M}check-in/", views.meeting_check_in, name="meeting_check_in"),
    path(f"{M}held/", views.meeting_held, name="meeting_held"),
    path(f"{M}minutes/", views.meeting_minutes, name="meeting_minutes"),
    path(f"{M}minutes/approve/", views.minutes_approve, name="minutes_approve"),
    path(f"{M}minutes.pdf", views.minutes_pdf, name="minutes_pdf"),
    path(f"{M}meeting.ics", views.meeting_ics, name="meeting_ics"),
    path(A, views.agreement_detail, name="agreement"),
    path(f"{A}notes/", views.agreement_note, name="agreement_note"),
]
