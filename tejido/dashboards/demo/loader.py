"""Load the demo through the real services, so it exercises the same code paths as the pages.

Deterministic: a seeded random generator per program drives every choice. Dates are laid out
relative to today so that a program is always in its fourth cycle, with ties recorded over
cycles 1 to 3 and dated when they happened.
"""

from __future__ import annotations

import datetime
import random
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from tejido.accounts.models import User
from tejido.accounts.services import role_grant
from tejido.actors.models import Actor, ActorKind, SensitiveData
from tejido.actors.services import (
    actor_create,
    membership_create,
    person_record_gender,
    representative_add,
)
from tejido.cooperation.models import Consortium
from tejido.core.models import Cycle, Program, Territory, Theme
from tejido.core.services import program_create, territory_create, theme_create
from tejido.funds.models import Award
from tejido.learning.models import Certificate
from tejido.network.models import Provenance, Survey, Tie, TieType
from tejido.network.services import tie_create, tie_end, tie_update

from .content import (
    CATALAN_TYPES,
    DEMO_ACCOUNTS,
    DEMO_EMAILS,
    DEMO_PASSWORD,
    DEMO_PROGRAM_SLUGS,
    DEMO_PROGRAMS,
    DEMO_SEED,
    MEMBER_ROLE,
    PARTNER_PLACES,
    PEOPLE_NAMES,
    PERSON_DESCRIPTIONS,
    PLACE_KEYWORDS,
    PLACES,
    POSTS,
    THEMES,
    TRANSITION_SLUGS,
    ActorType,
    DemoAccount,
    Group,
    ProgramSpec,
)
from .cooperation import CooperationSummary, load_cooperation
from .cycle import GovernanceSummary, load_governance
from .funds import QUIET_MAIL, FundsSummary, load_funds
from .governance.bodies import MEMBER_EMAIL_DOMAIN
from .learning import LearningSummary, load_learning
from .network import analyse_network
from .surveys import open_survey, plan_survey_rounds, record_survey_rounds

# Which provenances record the ties of each cycle: a baseline survey and the first mapping in
# cycle 1; meetings and the first fund in cycle 2; consortia and study missions in cycle 3.
PROVENANCE_BY_CYCLE: dict[int, tuple[tuple[str, int], ...]] = {
    1: ((Provenance.SURVEY, 45), (Provenance.MANUAL, 30), (Provenance.IMPORT, 25)),
    2: (
        (Provenance.MEETING, 30),
        (Provenance.SURVEY, 25),
        (Provenance.FUND, 20),
        (Provenance.MANUAL, 15),
        (Provenance.CONSORTIUM, 10),
    ),
    3: (
        (Provenance.MEETING, 22),
        (Provenance.FUND, 18),
        (Provenance.CONSORTIUM, 20),
        (Provenance.MISSION, 18),
        (Provenance.SURVEY, 12),
        (Provenance.MANUAL, 10),
    ),
}
GENDER_CONSENT_SHARE = 0.6
UPDATE_SHARE = 0.14  # ties of earlier cycles that grow stronger in a later one
END_SHARE = 0.06  # ties of earlier cycles that end


@dataclass
class DemoSummary:
    programs: list[Program] = field(default_factory=list)
    actors: int = 0
    people: int = 0
    ties: int = 0
    tie_versions: int = 0
    memberships: int = 0
    consented_genders: int = 0
    governance: list[GovernanceSummary] = field(default_factory=list)
    funds: list[FundsSummary] = field(default_factory=list)
    learning: list[LearningSummary] = field(default_factory=list)
    cooperation: list[CooperationSummary] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class _Actor:
    record: Actor
    group: str
    type_key: str
    type: ActorType | None
    weight: float


# The program whose whole governance cycle the demo tells (selection, directorates, meetings,
# decisions, needs, plans): the Chilean one, whose story the other modules follow too.
GOVERNANCE_DEMO_SLUGS = ("barrios-en-red",)


def demo_is_loaded() -> bool:
    return Program.objects.filter(slug__in=DEMO_PROGRAM_SLUGS).exists()


def program_start(today: datetime.date) -> datetime.date:
    """The first of March three years ago, so that today falls in the fourth yearly cycle."""
    this_march = datetime.date(today.year, 3, 1)
    return this_march.replace(year=today.year - (3 if today >= this_march else 4))


@transaction.atomic
def demo_reset(*, only: Sequence[str] | None = None) -> int:
    """Delete the demo programs (with their actors and ties) and the demo accounts.

    Territories and themes stay: they are shared vocabulary that other programs may use. With
    `only`, delete just those programs and keep the accounts.
    """
    slugs = list(DEMO_PROGRAM_SLUGS if only is None else only)
    deleted = Program.objects.filter(slug__in=slugs).count()
    # Tie versions point at each other (previous); clearing the links first lets the cascade
    # delete them in bulk instead of one by one.
    Tie.objects.filter(program__slug__in=slugs).update(previous=None)
    Tie.objects.filter(program__slug__in=slugs).delete()
    # A survey protects its cycle from deletion: the surveys go before the programs' cycles.
    Survey.objects.filter(program__slug__in=slugs).delete()
    # Awards restrict the deletion of their application (a program with grants is not deleted
    # by accident): the demo deletes its awards, with their follow-up, first.
    Award.objects.filter(application__call__program__slug__in=slugs).delete()
    # Certificates protect their enrolment (an issued certificate is never deleted by accident).
    Certificate.objects.filter(enrolment__cohort__program__slug__in=slugs).delete()
    # A consortium protects its lead (an entity leading a bid is not deleted by accident).
    Consortium.objects.filter(program__slug__in=slugs).delete()
    Program.objects.filter(slug__in=slugs).delete()
    if only is None:
        User.objects.filter(email__in=DEMO_EMAILS).delete()
        # The accounts the demo's seat holders vote with (they cannot log in).
        User.objects.filter(email__endswith=f"@{MEMBER_EMAIL_DOMAIN}").delete()
        # The funds demo's reviewers and the grantees' representatives it had to invent.
        User.objects.filter(email__endswith="@evaluadores.tejido.demo").delete()
        User.objects.filter(email__endswith="@organizaciones.tejido.demo").delete()
    return deleted


def demo_load(
    *, today: datetime.date | None = None, only: Sequence[str] | None = None
) -> DemoSummary:
    """Create the demo programs (all, or those in `only`) with their actors, people, ties and
    the demo accounts."""
    # The demo's people do not exist: receipts, assignments and award letters go nowhere. Mail
    # leaves when the transaction commits, so the silence wraps the whole transaction.
    with override_settings(MAILERS=QUIET_MAIL):
        return _demo_load_atomic(today=today, only=only)


@transaction.atomic
def _demo_load_atomic(*, today: datetime.date | None, only: Sequence[str] | None) -> DemoSummary:
    started = timezone.now()
    today = today or timezone.localdate()
    loader = _Loader(random.Random(DEMO_SEED), today)
    summary = DemoSummary()
    users = loader.accounts()
    coordinators: dict[str, User] = {}
    for index, spec in enumerate(DEMO_PROGRAMS):
        if only is not None and spec.slug not in only:
            continue
        # Each program draws from its own stream: loading one alone gives the same program.
        loader.rng = random.Random(DEMO_SEED + index)
        coordinator = next(
            users[a.email]
            for a in DEMO_ACCOUNTS
            if a.role == "coordinator" and spec.slug in a.programs
        )
        program = loader.program(spec, coordinator)
        coordinators[program.slug] = coordinator
        summary.programs.append(program)
    loader.grant_roles(users, {p.slug: p for p in summary.programs})
    for program in summary.programs:
        if program.slug in GOVERNANCE_DEMO_SLUGS:
            # Before the analysis: meetings record ties among the organizations that attend.
            summary.governance.append(
                load_governance(
                    program, coordinator=coordinators[program.slug], users=users, today=today
                )
            )
            # Calls serve the approved plans; awards record ties before the analysis.
            summary.funds.append(
                load_funds(program, coordinator=coordinators[program.slug], today=today)
            )
            # Closed cohorts and "we tried this too" record ties before the analysis.
            summary.learning.append(
                load_learning(program, coordinator=coordinators[program.slug], today=today)
            )
            # Agreements, consortia, projects, transfers and missions record ties too.
            summary.cooperation.append(
                load_cooperation(program, coordinator=coordinators[program.slug], today=today)
            )
    for program in summary.programs:
        analyse_network(program, coordinators[program.slug], today)
    for program in summary.programs:
        summary.actors += Actor.objects.filter(program=program).count()
        summary.people += Actor.objects.filter(program=program, kind=ActorKind.PERSON).count()
        summary.ties += Tie.objects.filter(program=program).current().count()
        summary.tie_versions += Tie.objects.filter(program=program).count()
    summary.memberships = loader.memberships
    # Seat holders recorded by the governance demo have consented genders too.
    summary.consented_genders = SensitiveData.objects.filter(
        person__program__in=summary.programs, consent_given_at__isnull=False
    ).count()
    summary.seconds = (timezone.now() - started).total_seconds()
    return summary


def demo_accounts() -> list[tuple[DemoAccount, str]]:
    """Each demo account with the names of its programs, for the table the command prints."""
    names = dict(Program.objects.filter(slug__in=DEMO_PROGRAM_SLUGS).values_list("slug", "name"))
    return [
        (account, ", ".join(names.get(slug, slug) for slug in account.programs))
        for account in DEMO_ACCOUNTS
    ]


class _Loader:
    def __init__(self, rng: random.Random, today: datetime.date) -> None:
        self.rng = rng
        self.today = today
        self.places: dict[str, Territory] = {}
        self.themes: dict[str, Theme] = {}
        self.memberships = 0
        self.person_orgs: dict[int, list[tuple[_Actor, datetime.date]]] = defaultdict(list)
        self.post_terms: dict[tuple[int, str], list[tuple[datetime.date, datetime.date | None]]] = (
            defaultdict(list)
        )

    # -- shared vocabulary -------------------------------------------------------------------

    def vocabulary(self) -> None:
        if self.places:
            return
        existing = {t.slug: t for t in Territory.objects.filter(slug__in=[p.slug for p in PLACES])}
        for place in PLACES:
            territory = existing.get(place.slug)
            if territory is None:
                territory = territory_create(
                    user=None,
                    name=place.name,
                    level=place.level,
                    parent=self.places[place.parent] if place.parent else None,
                    code=place.code,
                    latitude=place.latitude,
                    longitude=place.longitude,
                    slug=place.slug,
                )
            self.places[place.slug] = territory
        themes = {t.slug: t for t in Theme.objects.all()}
        for slug, name in THEMES:
            if slug not in themes:
                themes[slug] = theme_create(user=None, name=name, slug=slug)
        self.themes = themes
        missing = [s for s in TRANSITION_SLUGS.values() if s not in themes]
        if missing:
            raise RuntimeError(f"Transition themes are missing (run migrate first): {missing}")

    # -- accounts ----------------------------------------------------------------------------

    def accounts(self) -> dict[str, User]:
        users: dict[str, User] = {}
        for account in DEMO_ACCOUNTS:
            user = User.objects.filter(email=account.email).first()
            if user is None:
                make = (
                    User.objects.create_superuser
                    if account.role == "superuser"
                    else User.objects.create_user
                )
                user = make(
                    account.email,
                    DEMO_PASSWORD,
                    first_name=account.first_name,
                    last_name=account.last_name,
                    preferred_language=account.language,
                )
            users[account.email] = user
        return users

    def grant_roles(self, users: dict[str, User], programs: dict[str, Program]) -> None:
        granter = users[DEMO_ACCOUNTS[0].email]
        for account in DEMO_ACCOUNTS:
            user = users[account.email]
            for slug in account.programs:
                program = programs.get(slug)
                if program is None:
                    continue
                if account.represents:
                    organization = Actor.objects.get(program=program, name=account.represents)
                    representative_add(user=user, actor=granter, organization=organization)
                else:
                    role_grant(actor=granter, user=user, program=program, role=account.role)

    # -- a program ---------------------------------------------------------------------------

    def program(self, spec: ProgramSpec, user: User) -> Program:
        self.vocabulary()
        program = program_create(
            user=user,
            name=spec.name,
            slug=spec.slug,
            description=spec.description,
            starts_on=program_start(self.today),
            is_public=True,
        )
        # program_create takes no territories; the program's own are a plain relation.
        program.territories.set([self.places[slug] for slug in spec.territories])
        cycles = {c.number: c for c in Cycle.objects.filter(program=program)}
        actors = self.organizations(spec, program, user)
        people = self.people(spec, program, user, actors, cycles)
        self.ties(spec, user, actors, people, cycles)
        return program

    def organizations(self, spec: ProgramSpec, program: Program, user: User) -> list[_Actor]:
        rng = self.rng
        created: list[_Actor] = []
        for group in spec.groups:
            for type_key, names in group.actors.items():
                kind = spec.types[type_key]
                for raw in names.split("|"):
                    name = kind.pattern.format(raw.strip())
                    place_slug = self._place_for(group, type_key, name)
                    territory = self.places[place_slug]
                    # Groups spread over several places name each actor's own place.
                    label = (
                        group.label
                        if place_slug == group.place and group.key not in PARTNER_PLACES
                        else territory.name
                    )
                    themes = self._themes_for(kind)
                    served = {territory}
                    if place_slug != group.place and group.key not in PARTNER_PLACES:
                        # A municipal office based in the comuna serves the neighbourhood too.
                        served.add(self.places[group.place])
                    record = actor_create(
                        user=user,
                        program=program,
                        kind=kind.kind,
                        name=name,
                        sector=kind.sector,
                        legal_form=kind.legal_form,
                        description=_contract(
                            rng.choice(kind.descriptions).format(place=label),
                            "ca" if type_key in CATALAN_TYPES else "es",
                        )
                        if kind.descriptions
                        else "",
                        territory=territory,
                        email=f"{_mailbox(name)}@correo.example" if rng.random() < 0.7 else "",
                        phone=_phone(rng, group.key, spec.language) if rng.random() < 0.6 else "",
                        website=f"https://{_mailbox(name)}.example.org"
                        if rng.random() < 0.3
                        else "",
                        size=rng.choice(kind.sizes),
                        founded_year=rng.randint(*kind.founded),
                        power=rng.randint(*kind.power),
                        interest=rng.randint(*kind.interest),
                        stance=_weighted(
                            rng,
                            (
                                ("champion", 25),
                                ("supporter", 40),
                                ("neutral", 25),
                                ("skeptic", 8),
                                ("opponent", 2),
                            ),
                        ),
                        themes=themes,
                        territories_served=sorted(served, key=lambda t: t.pk),
                    )
                    weight = 3.0 if kind.hub else 0.8 if kind.kind == "informal_group" else 1.0
                    created.append(_Actor(record, group.key, type_key, kind, weight))
        all_names = [a.record.name for a in created]
        if len(all_names) != len(set(all_names)):
            raise RuntimeError(f"Duplicate demo names in {spec.slug}")
        return created

    def _place_for(self, group: Group, type_key: str, name: str) -> str:
        candidates = PARTNER_PLACES.get(group.key, ())
        for slug in candidates:
            if any(re.search(rf"\b{re.escape(word)}\b", name) for word in PLACE_KEYWORDS[slug]):
                return slug
        if type_key in group.based_elsewhere:
            return group.based_elsewhere[type_key]
        return self.rng.choice(candidates) if candidates else group.place

    def _themes_for(self, kind: ActorType) -> list[Theme]:
        slugs = list(kind.themes)
        count = self.rng.randint(1, min(3, len(slugs)))
        chosen = self.rng.sample(slugs, count)
        if self.rng.random() < 0.3:
            chosen.append(self.rng.choice(list(TRANSITION_SLUGS.values())))
        return [self.themes[s] for s in dict.fromkeys(chosen)]

    # -- people, posts and memberships -------------------------------------------------------

    def people(
        self,
        spec: ProgramSpec,
        program: Program,
        user: User,
        actors: list[_Actor],
        cycles: dict[int, Cycle],
    ) -> list[_Actor]:
        rng = self.rng
        organizations = [a for a in actors if a.record.kind == ActorKind.ORGANIZATION]
        people: list[_Actor] = []
        used: set[str] = set()
        for index in range(spec.people):
            is_woman = index % 5 not in (1, 3)  # community leadership is mostly women's work
            home = rng.choice(organizations)
            # People are named and described like the place of their organization.
            pool = PEOPLE_NAMES.get(home.group, PEOPLE_NAMES[spec.language])
            language = "ca" if pool is PEOPLE_NAMES["ca"] else "es"
            women, men, surnames = pool
            while True:
                first = rng.choice(women if is_woman else men)
                name = f"{first} {rng.choice(surnames)} {rng.choice(surnames)}"
                if name not in used:
                    used.add(name)
                    break
            person = actor_create(
                user=user,
                program=program,
                kind=ActorKind.PERSON,
                name=name,
                sector=home.record.sector,
                description=_contract(
                    rng.choice(
                        PERSON_DESCRIPTIONS[language][
                            "community" if home.record.sector == "community" else "other"
                        ]
                    ).format(org=home.record.name, place=home.record.territory),
                    language,
                ),
                territory=home.record.territory,
                email=f"{_mailbox(name)}@correo.example" if rng.random() < 0.5 else "",
                power=rng.randint(1, 3),
                interest=rng.randint(3, 5),
                stance=rng.choice(("champion", "supporter", "supporter", "neutral")),
                themes=list(home.record.themes.all()[:2]),
            )
            entry = _Actor(person, home.group, "person", None, 1.0)
            people.append(entry)
            same_group = [a for a in organizations if a.group == home.group and a is not home]
            others = rng.sample(same_group, min(len(same_group), rng.randint(0, 2)))
            self._terms(language, user, entry, home, others, cycles)
            if rng.random() < GENDER_CONSENT_SHARE:
                gender = "woman" if is_woman else "man"
                roll = rng.random()
                if roll < 0.05:
                    gender = "non_binary"
                elif roll < 0.1:
                    gender = "undisclosed"
                person_record_gender(
                    user=user, person=person, gender=gender, consent_text=spec.consent_text
                )
        return people

    def _terms(
        self,
        language: str,
        user: User,
        person: _Actor,
        home: _Actor,
        others: list[_Actor],
        cycles: dict[int, Cycle],
    ) -> None:
        """Posts and memberships over time: a current post at home, sometimes after an earlier
        one; plain memberships elsewhere, some of them already over."""
        rng = self.rng
        posts = POSTS[language]
        latest_start = self.today - datetime.timedelta(days=45)
        since = min(
            cycles[1].starts_on - datetime.timedelta(days=rng.randint(-600, 2200)), latest_start
        )
        terms: list[tuple[_Actor, str, datetime.date, datetime.date | None]] = []
        if rng.random() < 0.3 and (latest_start - since).days > 400:
            change = since + datetime.timedelta(days=rng.randint(200, (latest_start - since).days))
            first, second = rng.sample(posts, 2)
            terms.append((home, first, since, change - datetime.timedelta(days=1)))
            terms.append((home, second, change, None))
        else:
            terms.append((home, rng.choice(posts) if rng.random() < 0.75 else "", since, None))
        for org in others:
            start = min(
                cycles[1].starts_on + datetime.timedelta(days=rng.randint(-900, 700)),
                latest_start,
            )
            end = None
            if rng.random() < 0.3 and (self.today - start).days > 120:
                end = start + datetime.timedelta(days=rng.randint(60, (self.today - start).days))
            terms.append((org, "", start, end))
        for org, label, start, end in terms:
            if label and not self._post_is_free(org.record.pk, label, start, end):
                label = ""
            membership_create(
                user=user,
                person=person.record,
                organization=org.record,
                post_label=label,
                role="" if label else MEMBER_ROLE[language],
                start_date=start,
                end_date=end,
            )
            self.memberships += 1
            if end is None or end >= cycles[1].starts_on:
                self.person_orgs[person.record.pk].append((org, start))

    def _post_is_free(
        self, org_id: int, label: str, start: datetime.date, end: datetime.date | None
    ) -> bool:
        """One holder per post at a time: a term must not overlap an earlier holder's."""
        terms = self.post_terms[(org_id, label)]
        stop = end or datetime.date.max
        if any(start <= (e or datetime.date.max) and s <= stop for s, e in terms):
            return False
        terms.append((start, end))
        return True

    # -- ties over three cycles --------------------------------------------------------------

    def ties(
        self,
        spec: ProgramSpec,
        user: User,
        actors: list[_Actor],
        people: list[_Actor],
        cycles: dict[int, Cycle],
    ) -> None:
        rng = self.rng
        by_group: dict[str, list[_Actor]] = defaultdict(list)
        for a in actors:
            by_group[a.group].append(a)
        groups = sorted(by_group)
        sizes = [len(by_group[g]) for g in groups]
        taken: set[tuple[int, int]] = set()
        events: list[tuple[datetime.date, int, str, dict[str, Any]]] = []

        def pair_key(a: Actor, b: Actor) -> tuple[int, int]:
            return (a.pk, b.pk) if a.pk < b.pk else (b.pk, a.pk)

        def plan(a: _Actor, b: _Actor, cycle: int, *, tie_type: str | None = None) -> bool:
            if a.record.pk == b.record.pk or pair_key(a.record, b.record) in taken:
                return False
            taken.add(pair_key(a.record, b.record))
            kind, source, target, directed = self._tie_type(a, b, tie_type)
            bonding = a.group == b.group
            intensity = _weighted(
                rng,
                ((0, 10), (1, 35), (2, 30), (3, 18), (4, 7))
                if bonding
                else ((0, 30), (1, 40), (2, 20), (3, 8), (4, 2)),
            )
            provenance = _weighted(rng, PROVENANCE_BY_CYCLE[cycle])
            if kind == TieType.FUNDING:
                provenance = Provenance.FUND if cycle > 1 else Provenance.MANUAL
            if spec.language == "ca" and not bonding and cycle == 3 and rng.random() < 0.4:
                provenance = Provenance.MISSION
            surveyed = provenance == Provenance.SURVEY or rng.random() < 0.3
            events.append(
                (
                    self._day_in(cycles[cycle], rng),
                    len(events),
                    "create",
                    {
                        "source": source.record,
                        "target": target.record,
                        "tie_type": kind,
                        "directed": directed,
                        "intensity": intensity,
                        "trust": rng.randint(2, 5) if surveyed else None,
                        "value": rng.randint(2, 5) if surveyed else None,
                        "provenance": provenance,
                        "cycle": cycles[cycle],
                        "note": rng.choice(spec.notes[kind]) if rng.random() < 0.25 else "",
                    },
                )
            )
            return True

        for cycle in (1, 2, 3):
            wanted = spec.new_ties[cycle - 1]
            made = 0
            while made < wanted:
                if rng.random() < spec.bridging[cycle - 1]:
                    g1, g2 = rng.sample(groups, 2)
                    a, b = _pick(rng, by_group[g1]), _pick(rng, by_group[g2])
                else:
                    members = by_group[rng.choices(groups, weights=sizes)[0]]
                    a, b = _pick(rng, members), _pick(rng, members)
                made += plan(a, b, cycle)
        # People: a membership tie to each organization they belong to, in the cycle their
        # post was first recorded, and support ties between people of the same territory.
        for person in people:
            for org, start in self.person_orgs[person.record.pk]:
                cycle = next((n for n in (1, 2) if start <= cycles[n].ends_on), 3)
                plan(person, org, cycle, tie_type=TieType.MEMBERSHIP)
        for _ in range(len(people)):
            a, b = rng.sample(people, 2)
            if a.group == b.group or rng.random() < 0.3:
                plan(a, b, rng.choice((1, 2, 3)), tie_type=TieType.SUPPORT)

        # Later cycles strengthen some earlier ties and end a few: history to look back on.
        creations = [e for e in events if e[2] == "create"]
        for day, _seq, _op, data in creations:
            number = data["cycle"].number
            if number >= 3:
                continue
            later = cycles[rng.randint(number + 1, 3)]
            roll = rng.random()
            if roll < UPDATE_SHARE and data["intensity"] < 4:
                events.append(
                    (
                        max(self._day_in(later, rng), day + datetime.timedelta(days=1)),
                        len(events),
                        "update",
                        {
                            "key": _event_key(data),
                            "intensity": min(4, data["intensity"] + rng.randint(1, 2)),
                            "provenance": rng.choice(
                                (Provenance.SURVEY, Provenance.MEETING, Provenance.CONSORTIUM)
                            ),
                        },
                    )
                )
            elif roll < UPDATE_SHARE + END_SHARE:
                events.append(
                    (
                        max(self._day_in(later, rng), day + datetime.timedelta(days=1)),
                        len(events),
                        "end",
                        {"key": _event_key(data)},
                    )
                )
        # The surveys of cycles 1 to 3 answered for the survey ties, and brought isolated
        # organizations in; then the running cycle's survey, open now.
        rounds = plan_survey_rounds(
            rng=rng,
            today=self.today,
            organizations=actors,
            cycles=cycles,
            events=events,
            taken=taken,
            tie_type=lambda a, b: self._tie_type(a, b, None),
            pick=lambda members: _pick(rng, members),
        )
        self._replay(sorted(events, key=lambda e: (e[0], e[1])), user)
        program = actors[0].record.program
        record_survey_rounds(
            rng=rng,
            program=program,
            user=user,
            language=spec.language,
            rounds=rounds,
            moment=self._moment,
        )
        current = program.current_cycle(self.today)
        if current is not None and current.number not in (1, 2, 3):
            open_survey(
                rng=rng,
                program=program,
                user=user,
                language=spec.language,
                cycle=current,
                today=self.today,
                organizations=actors,
                pending=[a.represents for a in DEMO_ACCOUNTS if spec.slug in a.programs],
            )

    def _replay(self, events: list[tuple[datetime.date, int, str, dict[str, Any]]], user: User):
        """Run the planned events in date order, then date the versions when they happened.

        The services stamp versions with the current time; a demo recorded "over three years"
        needs them at their simulated moments, so that `Tie.objects.as_of()` and the history of
        a tie tell the story of the program. Only timestamps are rewritten, never values.
        """
        current: dict[tuple[int, int, str], Tie] = {}
        recorded: dict[int, datetime.datetime] = {}
        superseded: dict[int, datetime.datetime] = {}
        for day, _seq, op, data in events:
            moment = self._moment(day)
            if op == "create":
                tie = tie_create(user=user, started_on=day, **data)
                current[_event_key(data)] = tie
                recorded[tie.pk] = moment
                continue
            old = current[data["key"]]
            if op == "update":
                new = tie_update(
                    user=user, tie=old, intensity=data["intensity"], provenance=data["provenance"]
                )
            else:
                if old.ended_on is not None:
                    continue
                new = tie_end(user=user, tie=old, ended_on=day)
            if new.pk != old.pk:
                superseded[old.pk] = moment
                recorded[new.pk] = moment
                current[data["key"]] = new
        ties = list(Tie.objects.filter(pk__in=recorded.keys() | superseded.keys()))
        for tie in ties:
            tie.recorded_at = recorded.get(tie.pk, tie.recorded_at)
            if tie.pk in superseded:
                tie.superseded_at = superseded[tie.pk]
        Tie.objects.bulk_update(ties, ["recorded_at", "superseded_at"], batch_size=500)

    def _tie_type(
        self, a: _Actor, b: _Actor, forced: str | None
    ) -> tuple[str, _Actor, _Actor, bool]:
        """The type of a tie between a and b, and which way it points if it is directed."""
        rng = self.rng
        if forced == TieType.MEMBERSHIP:
            return forced, a, b, True  # the person (a) is a member of the organization (b)
        if forced is not None:
            return forced, a, b, False
        for funder, funded in ((a, b), (b, a)):
            if (
                funder.type is not None
                and funder.type.funder
                and funded.record.sector in ("community", "third_sector")
                and rng.random() < 0.45
            ):
                return TieType.FUNDING, funder, funded, True
        sectors = {a.record.sector, b.record.sector}
        if "public" in sectors and len(sectors) > 1 and rng.random() < 0.35:
            return TieType.AGREEMENT, a, b, False
        if (
            a.type_key in ("federacio", "ateneu")
            and b.record.sector in ("community", "third_sector")
            and rng.random() < 0.3
        ):
            return TieType.MEMBERSHIP, b, a, True
        kind = _weighted(
            rng,
            (
                (TieType.COLLABORATION, 42),
                (TieType.INFORMATION, 33),
                (TieType.SUPPORT, 20),
                (TieType.AGREEMENT, 5),
            ),
        )
        return kind, a, b, False

    def _day_in(self, cycle: Cycle, rng: random.Random) -> datetime.date:
        last = min(cycle.ends_on, self.today - datetime.timedelta(days=1))
        span = max(0, (last - cycle.starts_on).days)
        return cycle.starts_on + datetime.timedelta(days=rng.randint(0, span))

    def _moment(self, day: datetime.date) -> datetime.datetime:
        naive = datetime.datetime.combine(
            day, datetime.time(self.rng.randint(9, 19), self.rng.randint(0, 59))
        )
        return timezone.make_aware(naive)


def _contract(text: str, language: str = "es") -> str:
    """Spanish and Catalan contract "de el" and "a el" (del Barrio Yungay, al Raval), and
    Catalan elides "de" before a vowel (l'equip d'Enginyeria)."""
    for loose, contracted in ((" de el ", " del "), (" a el ", " al "), (" de El ", " del ")):
        text = text.replace(loose, contracted)
    text = text.replace(" a El ", " al ").replace(" en El ", " en el ")
    if language == "ca":
        text = re.sub(r"\bde (?=[AEIOUÀÈÉÍÒÓÚaeiouàèéíòóú])", "d'", text)
    return text


def _event_key(data: dict[str, Any]) -> tuple[int, int, str]:
    return (data["source"].pk, data["target"].pk, data["tie_type"])


def _pick(rng: random.Random, members: list[_Actor]) -> _Actor:
    return rng.choices(members, weights=[m.weight for m in members])[0]


def _weighted(rng: random.Random, options: tuple[tuple[Any, int], ...]) -> Any:
    values, weights = zip(*options, strict=True)
    return rng.choices(values, weights=weights)[0]


def _mailbox(name: str) -> str:
    from tejido.core.text import normalize_for_search

    words = [w for w in normalize_for_search(name).replace("'", " ").split() if w.isalnum()]
    return "-".join(words)[:40].strip("-") or "contacto"


def _phone(rng: random.Random, group: str, language: str) -> str:
    """A made-up number in the local format of the actor's country."""
    prefix = {"chile": "+56 32", "ecuador": "+593 2", "senegal": "+221 33", "colombia": "+57 4"}
    if group in prefix:
        return f"{prefix[group]} {rng.randint(200, 799)} {rng.randint(1000, 9999)}"
    if language == "ca":
        return f"+34 93 {rng.randint(100, 999)} {rng.randint(10, 99)} {rng.randint(10, 99)}"
    return f"+56 2 2{rng.randint(100, 999)} {rng.randint(1000, 9999)}"
