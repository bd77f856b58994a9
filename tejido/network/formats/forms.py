"""Forms of the graph export and import pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from tejido.network.transfer.importer import too_large_message

from . import FORMATS, GEXF

GRAPH_EXTENSIONS = (".gexf", ".graphml", ".xml", ".json", ".csv", ".tsv", ".txt")
NODE_LIST_EXTENSIONS = (".csv", ".tsv", ".txt")


class GraphExportForm(forms.Form):
    file_format = forms.ChoiceField(
        label=_("Format"),
        choices=[(code, fmt.label) for code, fmt in FORMATS.items()],
        initial=GEXF,
        widget=forms.RadioSelect,
        help_text=_(
            "GEXF opens in Gephi; GraphML in yEd, Cytoscape, networkx and igraph; the Kumu "
            "blueprint imports into a Kumu map; the CSV edge list (with its node list, both "
            "in a zip file) opens in any spreadsheet, R or pandas."
        ),
    )
    contact = forms.BooleanField(
        label=_("Include contact details (e-mail, phone, website, address)"),
        required=False,
        help_text=_(
            "Leave them out when the file is for analysis or goes to someone outside the program."
        ),
    )


class GraphImportForm(forms.Form):
    graph_file = forms.FileField(
        label=_("Network file"),
        help_text=_("GEXF, GraphML, a Kumu blueprint (.json) or a CSV edge list."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(GRAPH_EXTENSIONS)}),
    )
    nodes_file = forms.FileField(
        label=_("Node list"),
        required=False,
        help_text=_(
            "Only with a CSV edge list: a CSV file with an id column, the actors' names "
            "(label) and their attributes (kind, sector, territory…)."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(NODE_LIST_EXTENSIONS)}),
    )
    update_existing = forms.BooleanField(
        label=_("Update actors already in the program"),
        required=False,
        help_text=_(
            "A node with the name and kind of an actor already in the program then updates "
            "it. Otherwise such a node is an error."
        ),
    )

    def __init__(
        self, *args: Any, too_large: dict[str, tuple[str, int]] | None = None, **kwargs: Any
    ):
        super().__init__(*args, **kwargs)
        self.too_large = too_large or {}
        if "graph_file" in self.too_large:
            # The upload was skipped for its size: say so, not that the file is missing.
            self.fields["graph_file"].required = False

    def _clean_upload(self, field: str, extensions: tuple[str, ...]) -> Any:
        limit = settings.TEJIDO_MAX_UPLOAD_BYTES
        if field in self.too_large:
            _name, size = self.too_large[field]
            raise forms.ValidationError(too_large_message(size, limit))
        upload = self.cleaned_data.get(field)
        if upload is None:
            return None
        if upload.size > limit:
            raise forms.ValidationError(too_large_message(upload.size, limit))
        if not upload.name.lower().endswith(extensions):
            raise forms.ValidationError(
                _("Upload a file ending in %(extensions)s.") % {"extensions": ", ".join(extensions)}
            )
        return upload

    def clean_graph_file(self) -> Any:
        upload = self._clean_upload("graph_file", GRAPH_EXTENSIONS)
        if upload is None:
            raise forms.ValidationError(_("Choose the network file to import."))
        return upload

    def clean_nodes_file(self) -> Any:
        return self._clean_upload("nodes_file", NODE_LIST_EXTENSIONS)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        graph_file, nodes_file = cleaned.get("graph_file"), cleaned.get("nodes_file")
        if (
            graph_file is not None
            and nodes_file is not None
            and not graph_file.name.lower().endswith(NODE_LIST_EXTENSIONS)
        ):
            self.add_error(
                "nodes_file",
                _("A node list goes with a CSV edge list only; the other formats hold the nodes."),
            )
        return cleaned
