"""Applications URLs, joined into the funds app's (names are `funds:...`)."""

from django.urls import URLPattern, path

from . import views

P = "p/<slug:program>/funds/"
CALL = f"{P}calls/<int:pk>/"
APP = f"{P}applications/<int:pk>/"

urlpatterns: list[URLPattern] = [
    path(f"{CALL}apply/", views.apply, name="apply"),
    path(f"{CALL}eligibility/", views.eligibility_list, name="eligibility"),
    path(f"{CALL}eligibility/check/", views.eligibility_check, name="eligibility_check"),
    path(f"{P}applications/", views.my_applications, name="my_applications"),
    path(APP, views.application_detail, name="application"),
    path(f"{APP}edit/", views.application_edit, name="application_edit"),
    path(f"{APP}submit/", views.application_submit, name="application_submit"),
    path(f"{APP}withdraw/", views.application_withdraw, name="application_withdraw"),
    path(f"{APP}eligibility/", views.eligibility_override, name="eligibility_override"),
    path(f"{APP}versions/<int:number>/", views.version_detail, name="application_version"),
    path(f"{APP}partners/search/", views.partner_search, name="application_partner_search"),
    path(f"{APP}partners/new/", views.partner_add, name="application_partner_add"),
    path(f"{APP}partners/<int:item>/edit/", views.partner_edit, name="application_partner_edit"),
    path(
        f"{APP}partners/<int:item>/remove/",
        views.partner_remove,
        name="application_partner_remove",
    ),
    path(f"{APP}attachments/new/", views.attachment_add, name="application_attachment_add"),
    path(f"{APP}attachments/<int:item>/", views.attachment_download, name="attachment"),
    path(
        f"{APP}attachments/<int:item>/remove/",
        views.attachment_remove,
        name="application_attachment_remove",
    ),
]
