"""The public-vote import form: a Pabulib file, read as UTF-8 text."""

from __future__ import annotations

from typing import Any

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from tejido.core.uploads import max_upload_bytes


class VotesImportForm(forms.Form):
    # The file's contents once `clean_file` has read them.
    text = ""

    file = forms.FileField(
        label=_("Pabulib file (.pb)"),
        help_text=_(
            "The call's projects with the votes they got: their project_id is the application's "
            "reference, as in the file this page lets you download."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".pb,text/csv,text/plain"}),
    )
    check_only = forms.BooleanField(
        label=_("Only check the file, import nothing yet"), required=False
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        name = upload.name or ""
        if not name.lower().endswith(".pb"):
            raise forms.ValidationError(
                _("“%(name)s” is not a Pabulib file: upload a file ending in .pb.") % {"name": name}
            )
        if upload.size > max_upload_bytes():
            raise forms.ValidationError(
                _("“%(name)s” is %(size)s; files may be at most %(limit)s.")
                % {
                    "name": name,
                    "size": filesizeformat(upload.size),
                    "limit": filesizeformat(max_upload_bytes()),
                }
            )
        raw = upload.read()
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(
                _("The file is not UTF-8 text; save it as UTF-8 and try again.")
            ) from None
        if "\x00" in text:
            raise forms.ValidationError(_("This is not a text file."))
        self.text = text
        return upload
