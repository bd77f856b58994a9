"""The problems of a Pabulib file, in the reader's language (funds.pabulib speaks English)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _

from tejido.funds.pabulib import PbError

MESSAGES: dict[str, Callable[[], str]] = {
    "empty_file": lambda: _("The file is empty."),
    "not_utf8": lambda: _("The file is not UTF-8 text; save it as UTF-8 and try again."),
    "bad_csv": lambda: _("This line is not valid: %(detail)s."),
    "no_section": lambda: _("The file must start with a section name: META."),
    "repeated_section": lambda: _("The section %(section)s appears twice."),
    "section_order": lambda: _("The section %(section)s must come before %(previous)s."),
    "missing_section": lambda: _("The file has no %(section)s section."),
    "missing_header": lambda: _("The section %(section)s has no header row."),
    "meta_header": lambda: _("The META section's header row is “key;value”."),
    "unnamed_column": lambda: _("Column %(column)s has no name."),
    "repeated_column": lambda: _("Two columns are named “%(name)s”."),
    "missing_column": lambda: _("The %(section)s section has no “%(column)s” column."),
    "row_length": lambda: _(
        "This row has %(cells)s cells, but the header row names %(columns)s columns."
    ),
    "meta_key": lambda: _("A META row needs a key in its first cell."),
    "repeated_key": lambda: _("The META key “%(key)s” appears twice."),
    "no_budget": lambda: _("META gives no budget."),
    "bad_budget": lambda: _("The budget “%(value)s” is not a positive number."),
    "no_vote_type": lambda: _("META must give the vote_type of the votes (%(types)s)."),
    "vote_type": lambda: _("Unknown vote_type “%(value)s”: use one of %(types)s."),
    "no_projects": lambda: _("The PROJECTS section lists no projects."),
    "no_project_id": lambda: _("This project has no project_id."),
    "comma_in_id": lambda: _("A project_id cannot contain a comma: “%(id)s”."),
    "repeated_project": lambda: _("Project %(id)s is already listed on line %(first)s."),
    "bad_number": lambda: _(
        "Project %(id)s: “%(value)s” in the column %(column)s is not a number."
    ),
    "negative": lambda: _(
        "Project %(id)s: the column %(column)s cannot be negative (“%(value)s”)."
    ),
    "not_whole": lambda: _(
        "Project %(id)s: the column %(column)s takes a whole number, not “%(value)s”."
    ),
    "no_voter_id": lambda: _("This vote has no voter_id."),
    "repeated_voter": lambda: _("Voter %(voter)s already voted on line %(first)s."),
    "unknown_project": lambda: _(
        "Voter %(voter)s votes for project “%(id)s”, which the PROJECTS section does not list."
    ),
    "repeated_choice": lambda: _("Voter %(voter)s names the same project twice."),
    "choose_one": lambda: _("Voter %(voter)s chose %(count)s projects; this vote allows one."),
    "points_count": lambda: _(
        "Voter %(voter)s gives %(points)s numbers of points for %(projects)s projects."
    ),
    "bad_points": lambda: _("Voter %(voter)s: “%(value)s” is not a number of points."),
    "negative_points": lambda: _("Voter %(voter)s gives negative points."),
}


def pb_error_text(error: PbError) -> str:
    """What is wrong with the file, without the line (shown in its own column)."""
    template = MESSAGES.get(error.code)
    if template is None:
        return str(error)
    params: dict[str, Any] = dict(error.params)
    return template() % params if params else template()


def pb_error_message(error: PbError, file_name: str = "") -> str:
    """The problem with its place: “file.pb, line 12: …”."""
    text = pb_error_text(error)
    if error.line and file_name:
        where = _("%(file)s, line %(line)s") % {"file": file_name, "line": error.line}
    elif error.line:
        where = _("Line %(line)s") % {"line": error.line}
    else:
        where = file_name
    return f"{where}: {text}" if where else text
