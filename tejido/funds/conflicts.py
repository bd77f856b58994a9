"""Conflicts of interest between a call's reviewers and its applications.

Pure: no Django. A reviewer is conflicted with an application when one of the reviewer's own
organizations (where they work, those they speak for, those they hold a governance seat for)

- is the applicant, or a partner of the consortium;
- has a current tie at least as intense as the call's threshold with the applicant or a
  partner;
- sits, through a current mandate, on the same directorate as the applicant or a partner;

or when the reviewer declared a conflict with the applicant or a partner.

Each conflict keeps its reasons as codes and ids (the stored `ConflictSource` values and a
small detail dict), never as sentences: the pages word them in the reader's language.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

# The stored codes of ConflictSource (kept equal by a test).
DECLARED = "declared"
APPLICANT = "applicant"
PARTNER = "partner"
TIE = "tie"
SEAT = "seat"
SOURCES = (DECLARED, APPLICANT, PARTNER, TIE, SEAT)

# How a reviewer is linked to one of their organizations, strongest first: when the same
# organization is linked in several ways, the reason names the first.
WORKS_AT = "works_at"
REPRESENTS = "represents"
HOLDS_SEAT = "holds_seat"
LINKS = (WORKS_AT, REPRESENTS, HOLDS_SEAT)

# The role of the other organization in the application.
ROLE_APPLICANT = "applicant"
ROLE_PARTNER = "partner"


@dataclass(frozen=True)
class ReviewerFacts:
    id: int
    # Organization id → how the reviewer is linked to it (one of LINKS).
    organizations: Mapping[int, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ApplicationFacts:
    id: int
    applicant: int
    partners: frozenset[int] = frozenset()


@dataclass(frozen=True)
class TieFact:
    """A current tie between two organizations (direction does not matter here)."""

    a: int
    b: int
    intensity: int


@dataclass(frozen=True)
class Reason:
    source: str
    # {"organization": the reviewer's organization (or the declared one), "link": how the
    #  reviewer is linked to it, "via": the applicant's or partner's id, "role": "applicant" or
    #  "partner", "intensity": the tie's, "body": the shared directorate's id}
    detail: Mapping[str, Any]


def strongest_links(links: Iterable[tuple[int, str]]) -> dict[int, str]:
    """Organization id → its strongest link, from (organization id, link) pairs."""
    best: dict[int, str] = {}
    for organization, link in links:
        if organization not in best or LINKS.index(link) < LINKS.index(best[organization]):
            best[organization] = link
    return best


def _members(application: ApplicationFacts) -> list[tuple[int, str]]:
    """The application's organizations with their role, the applicant first."""
    partners = sorted(p for p in application.partners if p != application.applicant)
    return [(application.applicant, ROLE_APPLICANT)] + [(p, ROLE_PARTNER) for p in partners]


def detect(
    reviewers: Iterable[ReviewerFacts],
    applications: Iterable[ApplicationFacts],
    *,
    ties: Iterable[TieFact] = (),
    threshold: int,
    body_memberships: Mapping[int, Iterable[int]] | None = None,
    declarations: Mapping[int, Iterable[int]] | None = None,
) -> dict[tuple[int, int], list[Reason]]:
    """Every conflicted (reviewer id, application id) pair with its reasons.

    `ties` with an intensity below `threshold` are ignored; `body_memberships` maps an
    organization to the directorates it holds a current seat in; `declarations` maps a reviewer
    to the organizations they declared a conflict with. Reasons come in a stable order: by
    source (as in SOURCES), then by the application's organizations (applicant first, then
    partners by id), then by the reviewer's organizations by id.
    """
    strongest: dict[tuple[int, int], int] = {}
    for tie in ties:
        if tie.intensity < threshold or tie.a == tie.b:
            continue
        for key in ((tie.a, tie.b), (tie.b, tie.a)):
            strongest[key] = max(strongest.get(key, tie.intensity), tie.intensity)
    neighbours: dict[int, set[int]] = defaultdict(set)
    for a, b in strongest:
        neighbours[a].add(b)
    seats = {org: frozenset(bodies) for org, bodies in (body_memberships or {}).items()}
    declared = {rid: frozenset(orgs) for rid, orgs in (declarations or {}).items()}

    applications = list(applications)
    # Organization → the applications it is in, with its role: only the applications that
    # involve one of a reviewer's organizations (or their neighbours) are visited.
    involved: dict[int, list[tuple[ApplicationFacts, str]]] = defaultdict(list)
    for application in applications:
        for organization, role in _members(application):
            involved[organization].append((application, role))
    by_body: dict[int, set[int]] = defaultdict(set)
    for organization, bodies in seats.items():
        for body in bodies:
            by_body[body].add(organization)

    found: dict[tuple[int, int], list[tuple[tuple[int, int, int, int], Reason]]] = defaultdict(list)

    def add(reviewer: int, application: ApplicationFacts, order: tuple, reason: Reason) -> None:
        found[(reviewer, application.id)].append((order, reason))

    for reviewer in reviewers:
        own = dict(reviewer.organizations)
        for organization in declared.get(reviewer.id, frozenset()):
            for application, role in involved.get(organization, ()):
                add(
                    reviewer.id,
                    application,
                    (0, _member_index(application, organization), organization, 0),
                    Reason(DECLARED, {"organization": organization, "role": role}),
                )
        for organization in sorted(own):
            link = own[organization]
            for application, role in involved.get(organization, ()):
                source = APPLICANT if role == ROLE_APPLICANT else PARTNER
                add(
                    reviewer.id,
                    application,
                    (
                        SOURCES.index(source),
                        _member_index(application, organization),
                        organization,
                        0,
                    ),
                    Reason(source, {"organization": organization, "link": link}),
                )
            for other in sorted(neighbours.get(organization, ())):
                for application, role in involved.get(other, ()):
                    add(
                        reviewer.id,
                        application,
                        (SOURCES.index(TIE), _member_index(application, other), organization, 0),
                        Reason(
                            TIE,
                            {
                                "organization": organization,
                                "link": link,
                                "via": other,
                                "role": role,
                                "intensity": strongest[(organization, other)],
                            },
                        ),
                    )
            for body in sorted(seats.get(organization, ())):
                for other in sorted(by_body[body]):
                    if other == organization:
                        continue
                    for application, role in involved.get(other, ()):
                        add(
                            reviewer.id,
                            application,
                            (
                                SOURCES.index(SEAT),
                                _member_index(application, other),
                                organization,
                                body,
                            ),
                            Reason(
                                SEAT,
                                {
                                    "organization": organization,
                                    "link": link,
                                    "via": other,
                                    "role": role,
                                    "body": body,
                                },
                            ),
                        )
    result: dict[tuple[int, int], list[Reason]] = {}
    for key in sorted(found):
        seen: set[tuple[str, tuple[tuple[str, Any], ...]]] = set()
        reasons = []
        for _order, reason in sorted(found[key], key=lambda item: item[0]):
            marker = (reason.source, tuple(sorted(reason.detail.items())))
            if marker not in seen:
                seen.add(marker)
                reasons.append(reason)
        result[key] = reasons
    return result


def _member_index(application: ApplicationFacts, organization: int) -> int:
    for index, (member, _role) in enumerate(_members(application)):
        if member == organization:
            return index
    return len(application.partners) + 1
