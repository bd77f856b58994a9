"""Forms of the knowledge library: the search page's GET form, the item form, files and links."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from tejido.actors.forms import GroupedTerritoriesField
from tejido.actors.models import Actor
from tejido.core.models import Program, Theme
from tejido.core.uploads import max_upload_bytes

from ..models import ContentLanguage, ItemKind, LibraryItem, Licence, Visibility
from .selectors import LibraryFilters
from .services import LIBRARY_FILE_TYPES, check_uploads

# ---------------------------------------------------------------------------------------------
# The search page


class _Lenient(forms.MultipleChoiceField):
    """Keeps the known values and drops the rest: a stale link still opens the library."""

    def clean(self, value: Any) -> list[str]:
        return [v for v in self.to_python(value) if self.valid_value(v)]


class _Words(forms.MultipleChoiceField):
    """Slugs or numbers from the URL, checked against the database by the selector."""

    def clean(self, value: Any) -> list[str]:
        return [v for v in self.to_python(value) if v and len(v) <= 200][:20]


class LibrarySearchForm(forms.Form):
    """The library's GET form. It never refuses a request: odd values fall back to defaults."""

    q = forms.CharField(label=_("Search the library"), required=False, max_length=200)
    kind = _Lenient(choices=ItemKind.choices, required=False)
    transition = _Lenient(choices=Theme.Transition.choices, required=False)
    theme = _Words(required=False)
    territory = _Words(required=False)
    language = _Lenient(choices=ContentLanguage.choices, required=False)
    licence = _Lenient(choices=Licence.choices, required=False)
    year = _Words(required=False)
    author = _Words(required=False)
    page = forms.IntegerField(required=False, min_value=1, max_value=1_000_000)

    def search(self) -> dict[str, Any]:
        """Keyword arguments for `library_search` (without the program and viewer)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "query": data.get("q") or "",
            "filters": LibraryFilters(
                kinds=frozenset(data.get("kind") or ()),
                transitions=frozenset(data.get("transition") or ()),
                themes=frozenset(data.get("theme") or ()),
                territories=frozenset(data.get("territory") or ()),
                languages=frozenset(data.get("language") or ()),
                licences=frozenset(data.get("licence") or ()),
                years=frozenset(
                    int(y) for y in data.get("year") or () if y.isdigit() and len(y) == 4
                ),
                authors=frozenset(
                    int(a) for a in data.get("author") or () if a.isdigit() and len(a) < 12
                ),
            ),
            "page": data.get("page") or 1,
        }


# ---------------------------------------------------------------------------------------------
# Adding and editing an item


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by type (first bytes) and size."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": _accept()}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        uploads = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if self.required and not uploads:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        return uploads


def _accept() -> str:
    return ",".join(f".{extension}" for extension in LIBRARY_FILE_TYPES)


class AuthorCheckboxes(forms.CheckboxSelectMultiple):
    """The program's organizations as checkboxes (works without JavaScript) with a filter box
    that narrows the list as one types (when scripts run)."""

    template_name = "learning/library/widgets/author_checkboxes.html"


class ItemForm(forms.ModelForm):
    # Not "files": a form keeps its uploads in `self.files`.
    attachments = MultipleFileField(
        label=_("Files"),
        required=False,
        help_text=_(
            "PDF, audio (MP3, OGG, WAV), data (CSV, JSON, XLSX) or documents (DOCX, ODT). "
            "You can choose several."
        ),
    )
    link_url = forms.URLField(
        label=_("Link address"),
        required=False,
        max_length=500,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    link_label = forms.CharField(label=_("Link label"), required=False, max_length=200)
    territories = GroupedTerritoriesField(
        label=_("Territories"),
        required=False,
        help_text=_("Where it happens or what places it is about."),
    )

    class Meta:
        model = LibraryItem
        fields = [
            "kind",
            "title",
            "abstract",
            "body",
            "authors",
            "themes",
            "territories",
            "language",
            "licence",
            "published_on",
            "visibility",
        ]
        widgets = {
            "kind": forms.RadioSelect(attrs={"class": "choice-columns"}),
            "abstract": forms.Textarea(attrs={"rows": 4}),
            "body": forms.Textarea(attrs={"rows": 10}),
            "authors": AuthorCheckboxes(),
            "themes": forms.CheckboxSelectMultiple(attrs={"class": "choice-columns"}),
            "published_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "visibility": forms.RadioSelect(attrs={"class": "choice-columns"}),
        }
        help_texts = {
            "abstract": _("A few lines: what it is about and who it is for."),
            "body": _("The full text, an interview's transcript or a description of the data."),
            "authors": _("Organizations of the program that wrote it."),
        }

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.program = program
        fields: dict[str, Any] = self.fields
        fields["authors"].queryset = (
            Actor.objects.filter(program=program).organizations().order_by("name")
        )
        fields["themes"].queryset = Theme.objects.order_by("transition", "name")
        fields["kind"].choices = ItemKind.choices
        fields["visibility"].choices = Visibility.choices
        fields["attachments"].help_text = _(
            "PDF, audio (MP3, OGG, WAV), data (CSV, JSON, XLSX) or documents (DOCX, ODT), up to "
            "%(limit)s each. You can choose several."
        ) % {"limit": _size(max_upload_bytes())}

    def clean_attachments(self) -> list[UploadedFile]:
        uploads: list[UploadedFile] = self.cleaned_data.get("attachments") or []
        try:
            check_uploads(uploads)
        except forms.ValidationError as error:
            raise forms.ValidationError(error.error_dict["files"]) from None
        return uploads

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("link_label") and not data.get("link_url"):
            self.add_error("link_url", _("Give the address the label points to."))
        return data

    def values(self) -> dict[str, Any]:
        """Keyword arguments for `item_create` and `item_update` (without user and item)."""
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "title": data["title"],
            "abstract": data["abstract"],
            "body": data.get("body") or "",
            "authors": list(data.get("authors") or ()),
            "themes": list(data.get("themes") or ()),
            "territories": list(data.get("territories") or ()),
            "language": data["language"],
            "licence": data["licence"],
            "published_on": data.get("published_on"),
            "visibility": data["visibility"],
            "files": data.get("attachments") or [],
            "links": [(data["link_url"], data.get("link_label") or "")]
            if data.get("link_url")
            else [],
        }


def _size(n: int) -> str:
    return str(filesizeformat(n))
