"""Forms of the import and export pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .columns import ACTORS, TIES
from .importer import too_large_message

UPLOAD_EXTENSIONS = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm")


class ImportForm(forms.Form):
    actors_file = forms.FileField(
        label=_("Actors file"),
        required=False,
        help_text=_(
            "CSV (UTF-8) or Excel (.xlsx). A workbook may hold actors and ties as two sheets."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(UPLOAD_EXTENSIONS)}),
    )
    ties_file = forms.FileField(
        label=_("Ties file"),
        required=False,
        help_text=_("CSV (UTF-8) or Excel (.xlsx), with From and To columns."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(UPLOAD_EXTENSIONS)}),
    )
    update_existing = forms.BooleanField(
        label=_("Update actors already in the program"),
        required=False,
        help_text=_(
            "A row with the name and kind of an actor already in the program then updates it. "
            "Otherwise such a row is an error."
        ),
    )

    def __init__(
        self,
        *args: Any,
        too_large: dict[str, tuple[str, int]] | None = None,
        can_import: dict[str, bool] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.too_large = too_large or {}
        self.can_import = can_import or {ACTORS: True, TIES: True}

    def _clean_upload(self, field: str) -> Any:
        limit = settings.TEJIDO_MAX_UPLOAD_BYTES
        if field in self.too_large:
            _name, size = self.too_large[field]
            raise forms.ValidationError(too_large_message(size, limit))
        upload = self.cleaned_data.get(field)
        if upload is None:
            return None
        if upload.size > limit:
            raise forms.ValidationError(too_large_message(upload.size, limit))
        if not upload.name.lower().endswith(UPLOAD_EXTENSIONS):
            raise forms.ValidationError(_("Upload a CSV file (.csv) or an Excel workbook (.xlsx)."))
        return upload

    def clean_actors_file(self) -> Any:
        upload = self._clean_upload("actors_file")
        if upload is not None and not self.can_import[ACTORS]:
            raise forms.ValidationError(_("You may not import actors into this program."))
        return upload

    def clean_ties_file(self) -> Any:
        upload = self._clean_upload("ties_file")
        if upload is not None and not self.can_import[TIES]:
            raise forms.ValidationError(_("You may not import ties into this program."))
        return upload

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors and not cleaned.get("actors_file") and not cleaned.get("ties_file"):
            raise forms.ValidationError(_("Choose a file of actors, of ties, or both."))
        return cleaned


class ExportForm(forms.Form):
    ALL = "all"

    what = forms.ChoiceField(
        label=_("What to export"),
        choices=[
            (ACTORS, _("Actors: the registry")),
            (TIES, _("Ties")),
            (ALL, _("Both, as two sheets of one Excel workbook")),
        ],
        initial=ACTORS,
        widget=forms.RadioSelect,
    )
    file_format = forms.ChoiceField(
        label=_("Format"),
        choices=[("csv", _("CSV (UTF-8)")), ("xlsx", _("Excel (.xlsx)"))],
        initial="xlsx",
        widget=forms.RadioSelect,
    )
    history = forms.BooleanField(
        label=_("Every version of every tie (full history)"),
        required=False,
        help_text=_(
            "Otherwise each tie appears once, in its latest version (ended ties included). "
            "The full history is for analysis; to import ties again, export the latest versions."
        ),
    )

    def __init__(self, *args: Any, can_export: dict[str, bool] | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.can_export = can_export or {ACTORS: True, TIES: True}

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        what, file_format = cleaned.get("what"), cleaned.get("file_format")
        if what == self.ALL and file_format == "csv":
            self.add_error(
                "file_format",
                _("A CSV file holds one table: choose Excel to export both, or one of them."),
            )
        wanted = [ACTORS, TIES] if what == self.ALL else [what] if what else []
        for kind in wanted:
            if not self.can_export[kind]:
                self.add_error(
                    "what",
                    _("You may not export the actors of this program.")
                    if kind == ACTORS
                    else _("You may not export the ties of this program."),
                )
        return cleaned
