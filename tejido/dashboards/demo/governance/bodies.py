"""The demo's governance bodies: a local directorate for each selected territory, and a
neighbourhood round-table in the first one.

A directorate ("Directorio Local de <territory>") has 9 to 13 seats with a community majority:
neighbourhood councils (juntas de vecinos) first, then other community organizations; the
public sector's municipality, primary health centre (CESFAM) and school; one or two local
businesses; a foundation, NGO or cooperative. Its organizations are the program's actors based
in or serving the territory, and each seat is held by a person who is a member of the
organization, sometimes with an alternate who is another member. Members on record are named
first; where an organization has none left (the directory records few people), its delegate is
added to the directory as a member, most with their gender recorded with consent, so the
composition page has a gender balance to show.

Terms: the directorate was constituted on the first day of the month two years ago, for two
years; the program extended the terms by two months until the renewal assembly, so the seats are
current throughout the two years of meetings and on the day the demo is loaded. One community
seat changed hands a year ago (the first organization left the directorate), to show a seat's
history. Quorum: more than half of the filled seats, and at least one public seat. Meetings
record ties among the organizations present.

Accounts: the demo's directorio@tejido.demo holds a community seat of the first directorate, and
organizacion@tejido.demo the seat of the Junta de Vecinos Villa Los Aromos del Sur when it is in
that territory; both are recorded in the directory as members of their organization. Every
other holder and alternate gets an account that cannot log in (no password, address at
MEMBER_EMAIL_DOMAIN), so the other demos can record their check-ins and votes.

Everything goes through the services, as a coordinator would. Deterministic: a
`random.Random` seeded with the program's slug.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Q

from tejido.accounts.models import User
from tejido.actors.models import Actor, ActorKind, Gender, Membership, Sector
from tejido.actors.services import actor_create, membership_create, person_record_gender
from tejido.core.models import Program, Territory
from tejido.core.text import normalize_for_search
from tejido.governance.bodies import services
from tejido.governance.models import Body, BodyKind, Mandate, Seat

from ..content import DEMO_PROGRAMS, MEMBER_ROLE, PEOPLE_NAMES

MEMBER_EMAIL_DOMAIN = "miembros.tejido.demo"
DIRECTORATE_ACCOUNT = "directorio@tejido.demo"
ORGANIZATION_ACCOUNT = "organizacion@tejido.demo"
AROMOS = "Junta de Vecinos Villa Los Aromos del Sur"

MAX_SEATS = 13
COUNCILS_FIRST = 4
ALTERNATE_SHARE = 0.4
WOMEN_SHARE = 0.65
GENDER_CONSENT = 0.7
CONSENT_TEXT = (
    "Doy mi consentimiento para que el programa registre mi género con fines estadísticos, que "
    "solo se informarán de forma agregada. Puedo retirarlo en cualquier momento."
)
# Public seats, in order: label, and words that identify the kind of office in its name or
# legal form (lower case, no accents), the preferred first.
PUBLIC_SEATS = (
    (
        "Municipalidad",
        (
            "oficina territorial",
            "desarrollo comunitario",
            "organizaciones comunitarias",
            "municipal",
            "oficina",
        ),
    ),
    ("Salud primaria", ("cesfam", "salud", "hospital", "consultorio")),
    ("Educación", ("liceo", "escuela", "colegio", "jardin infantil")),
)


@dataclass
class _Pool:
    """The organizations of a territory by sector, and their current members."""

    by_sector: dict[str, list[Actor]]
    members: dict[int, list[Actor]]
    used_orgs: set[int] = field(default_factory=set)

    def take(self, sector: str, *, keywords: Iterable[str] = (), kind: str = "") -> Actor | None:
        """The first unused organization of `sector` (matching a keyword, of `kind`, when
        given)."""
        words = tuple(keywords)
        for actor in self.by_sector.get(sector, []):
            if actor.pk in self.used_orgs or (kind and actor.kind != kind):
                continue
            text = normalize_for_search(actor.name, actor.legal_form)
            if words and not any(word in text for word in words):
                continue
            self.used_orgs.add(actor.pk)
            return actor
        return None

    def available(self, sector: str) -> int:
        return sum(1 for a in self.by_sector.get(sector, []) if a.pk not in self.used_orgs)


def _month_start(day: datetime.date, months: int) -> datetime.date:
    """The first day of the month `months` months after (or, negative, before) `day`'s."""
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def _pool(
    program: Program, territory: Territory, today: datetime.date, rng: random.Random
) -> _Pool:
    """The organizations based in or serving `territory` (or a place in it). Community ones are
    offered as a directorate would be formed: up to four neighbourhood councils first, then the
    other community organizations in a (seeded) random order, then the remaining councils."""
    subtree = Territory.objects.filter(path__startswith=territory.path).values("pk")
    organizations = list(
        Actor.objects.filter(program=program)
        .organizations()
        .filter(Q(territory_id__in=subtree) | Q(territories_served__in=subtree))
        .distinct()
        .order_by("name", "pk")
    )
    by_sector: dict[str, list[Actor]] = {}
    for actor in organizations:
        by_sector.setdefault(actor.sector, []).append(actor)
    community = by_sector.get(Sector.COMMUNITY, [])
    councils = [a for a in community if a.name.startswith("Junta de Vecinos")]
    councils.sort(key=lambda a: (a.name != AROMOS, a.name))
    others = [a for a in community if not a.name.startswith("Junta de Vecinos")]
    rng.shuffle(others)
    # Formal organizations before informal groups.
    others.sort(key=lambda a: a.kind != ActorKind.ORGANIZATION)
    by_sector[Sector.COMMUNITY] = councils[:COUNCILS_FIRST] + others + councils[COUNCILS_FIRST:]
    members: dict[int, list[Actor]] = {}
    for membership in (
        Membership.objects.current(today)
        .filter(organization__in=organizations, person__kind=ActorKind.PERSON)
        .select_related("person")
        .order_by("organization_id", "start_date", "pk")
    ):
        members.setdefault(membership.organization_id, []).append(membership.person)
    return _Pool(by_sector=by_sector, members=members)


class _Builder:
    def __init__(
        self,
        program: Program,
        *,
        coordinator: User,
        users: dict[str, User],
        today: datetime.date,
    ) -> None:
        self.program = program
        self.coordinator = coordinator
        self.users = users
        self.today = today
        self.rng = random.Random(f"bodies:{program.slug}")
        spec = next((s for s in DEMO_PROGRAMS if s.slug == program.slug), None)
        self.language = spec.language if spec is not None else "es"
        self.consent_text = spec.consent_text if spec is not None else CONSENT_TEXT
        self.names = set(
            Actor.objects.filter(program=program, kind=ActorKind.PERSON).values_list(
                "name", flat=True
            )
        )

    # -- people and accounts ---------------------------------------------------------------

    def account_for(self, person: Actor) -> User:
        """The account a holder acts with: one that cannot log in, made once per person."""
        words = [w for w in normalize_for_search(person.name).split() if w.isalnum()]
        email = f"{'.'.join(words)[:50] or 'persona'}.{person.pk}@{MEMBER_EMAIL_DOMAIN}"
        user = User.objects.filter(email=email).first()
        if user is None:
            first, _space, last = person.name.partition(" ")
            user = User.objects.create_user(email, None, first_name=first, last_name=last)
        return user

    def person_for_account(self, user: User, organization: Actor, since: datetime.date) -> Actor:
        """The demo account's owner as a person of the program, member of `organization`."""
        name = user.get_full_name() or user.email
        person = Actor.objects.filter(
            program=self.program, kind=ActorKind.PERSON, name=name
        ).first()
        if person is None:
            person = actor_create(
                user=self.coordinator,
                program=self.program,
                kind=ActorKind.PERSON,
                name=name,
                sector=organization.sector,
                territory=organization.territory,
                description=f"Dirigente de {organization.name}.",
            )
        if not Membership.objects.filter(person=person, organization=organization).exists():
            membership_create(
                user=self.coordinator,
                person=person,
                organization=organization,
                role="Dirigente vecinal",
                start_date=since - datetime.timedelta(days=400),
            )
        return person

    # -- seats -----------------------------------------------------------------------------

    def new_member(self, organization: Actor, since: datetime.date) -> Actor:
        """A person of the program who joined `organization` some years before `since`,
        recorded in the directory (with their gender, with consent, for most)."""
        rng = self.rng
        women, men, surnames = PEOPLE_NAMES.get(self.language, PEOPLE_NAMES["es"])
        is_woman = rng.random() < WOMEN_SHARE  # community leadership is mostly women's work
        while True:
            name = f"{rng.choice(women if is_woman else men)} {rng.choice(surnames)}"
            name = f"{name} {rng.choice(surnames)}"
            if name not in self.names:
                self.names.add(name)
                break
        person = actor_create(
            user=self.coordinator,
            program=self.program,
            kind=ActorKind.PERSON,
            name=name,
            sector=organization.sector,
            territory=organization.territory,
            description=f"Integrante de {organization.name}.",
            power=rng.randint(1, 3),
            interest=rng.randint(3, 5),
        )
        membership_create(
            user=self.coordinator,
            person=person,
            organization=organization,
            role=MEMBER_ROLE.get(self.language, MEMBER_ROLE["es"]),
            start_date=since - datetime.timedelta(days=rng.randint(200, 2500)),
        )
        if rng.random() < GENDER_CONSENT:
            person_record_gender(
                user=self.coordinator,
                person=person,
                gender=Gender.WOMAN if is_woman else Gender.MAN,
                consent_text=self.consent_text,
            )
        return person

    def member(
        self, organization: Actor, pool: _Pool, used: set[int], since: datetime.date
    ) -> Actor:
        """A member of `organization` without a seat in the body yet: one on record, or a new
        one when all of those already sit (or there are none)."""
        for person in pool.members.get(organization.pk, []):
            if person.pk not in used:
                return person
        person = self.new_member(organization, since)
        pool.members.setdefault(organization.pk, []).append(person)
        return person

    def assign(
        self,
        seat: Seat,
        organization: Actor,
        pool: _Pool,
        used_people: set[int],
        *,
        starts_on: datetime.date,
        ends_on: datetime.date | None,
        holder_user: User | None = None,
        holder: Actor | None = None,
    ) -> Mandate:
        """Give `seat` to `organization`: a member holds it, another is sometimes alternate."""
        if holder is None:
            holder = self.member(organization, pool, used_people, starts_on)
        used_people.add(holder.pk)
        alternate = None
        if self.rng.random() < ALTERNATE_SHARE:
            alternate = self.member(organization, pool, used_people, starts_on)
            used_people.add(alternate.pk)
        return services.mandate_assign(
            user=self.coordinator,
            seat=seat,
            organization=organization,
            holder=holder,
            alternate=alternate,
            holder_user=holder_user or self.account_for(holder),
            alternate_user=self.account_for(alternate) if alternate else None,
            starts_on=starts_on,
            ends_on=ends_on,
        )

    def seat(self, body: Body, sector: str, label: str) -> Seat:
        return services.seat_create(user=self.coordinator, body=body, sector=sector, label=label)

    # -- a local directorate ---------------------------------------------------------------

    def directorate(self, territory: Territory, *, first: bool) -> Body:
        rng = self.rng
        pool = _pool(self.program, territory, self.today, rng)
        starts_on = _month_start(self.today, -24)
        ends_on = _month_start(self.today, 2) - datetime.timedelta(days=1)
        changed_on = _month_start(self.today, -12)
        body = services.body_create(
            user=self.coordinator,
            program=self.program,
            kind=BodyKind.DIRECTORATE,
            name=f"Directorio Local de {territory.name}",
            territory=territory,
            description=(
                f"Instancia de gobernanza del programa en {territory.name}: juntas de vecinos "
                "y organizaciones comunitarias, servicios públicos, comercio local y "
                "fundaciones priorizan las necesidades del territorio, acuerdan el plan de "
                "mejoramiento comunitario y le hacen seguimiento."
            ),
            is_public=True,
        )

        # Who sits: the public offices found, one or two businesses, one civil society seat,
        # and more community seats than all of those together.
        public: list[tuple[str, Actor]] = []
        for label, words in PUBLIC_SEATS:
            for word in words:
                found = pool.take(Sector.PUBLIC, keywords=(word,))
                if found is not None:
                    public.append((label, found))
                    break
        if not public and (found := pool.take(Sector.PUBLIC)) is not None:
            public.append(("Sector público", found))
        private = [
            a
            for a in (pool.take(Sector.PRIVATE) for _ in range(1 + (rng.random() < 0.5)))
            if a is not None
        ]
        third = [a for a in [pool.take(Sector.THIRD_SECTOR)] if a is not None]
        others = len(public) + len(private) + len(third)
        aromos = next(
            (a for a in pool.by_sector.get(Sector.COMMUNITY, []) if a.name == AROMOS), None
        )
        if first and aromos is not None:
            pool.used_orgs.add(aromos.pk)
        community_count = min(
            others + rng.randint(1, 3),
            MAX_SEATS - others,
            pool.available(Sector.COMMUNITY) + (1 if first and aromos else 0),
        )
        community: list[Actor] = []
        if first and aromos is not None:
            community.append(aromos)
        while len(community) < community_count:
            found = pool.take(Sector.COMMUNITY)
            if found is None:
                break
            community.append(found)
        # The seat that changed hands: its first organization, gone a year ago.
        departed = pool.take(Sector.COMMUNITY)

        used_people: set[int] = set()
        # The demo accounts' seats (first directorate only): organization -> account.
        account_seats: dict[int, User] = {}
        if first:
            directorate_account = self.users.get(DIRECTORATE_ACCOUNT)
            organization_account = self.users.get(ORGANIZATION_ACCOUNT)
            directorate_org = next((a for a in community if a is not aromos), None)
            if aromos is not None and organization_account is not None:
                account_seats[aromos.pk] = organization_account
            if directorate_org is not None and directorate_account is not None:
                account_seats[directorate_org.pk] = directorate_account
        for index, organization in enumerate(community, start=1):
            seat = self.seat(body, Sector.COMMUNITY, f"Comunitario {index}")
            holder_user = account_seats.get(organization.pk)
            holder = None
            if holder_user is not None:
                holder = self.person_for_account(holder_user, organization, starts_on)
                pool.members.setdefault(organization.pk, []).insert(0, holder)
            if departed is not None and index == len(community):
                self.assign(
                    seat,
                    departed,
                    pool,
                    used_people,
                    starts_on=starts_on,
                    ends_on=ends_on,
                )
                # mandate_assign ends the departed organization's term the day before.
                self.assign(
                    seat,
                    organization,
                    pool,
                    used_people,
                    starts_on=changed_on,
                    ends_on=ends_on,
                    holder_user=holder_user,
                    holder=holder,
                )
                continue
            self.assign(
                seat,
                organization,
                pool,
                used_people,
                starts_on=starts_on,
                ends_on=ends_on,
                holder_user=holder_user,
                holder=holder,
            )
        for label, organization in public:
            seat = self.seat(body, Sector.PUBLIC, label)
            self.assign(seat, organization, pool, used_people, starts_on=starts_on, ends_on=ends_on)
        for index, organization in enumerate(private, start=1):
            label = "Comercio local" if len(private) == 1 else f"Comercio local {index}"
            seat = self.seat(body, Sector.PRIVATE, label)
            self.assign(seat, organization, pool, used_people, starts_on=starts_on, ends_on=ends_on)
        for organization in third:
            seat = self.seat(body, Sector.THIRD_SECTOR, "Fundaciones, ONG y cooperativas")
            self.assign(seat, organization, pool, used_people, starts_on=starts_on, ends_on=ends_on)
        if public:
            services.sector_quorums_set(
                user=self.coordinator, body=body, minimums={Sector.PUBLIC: 1}
            )
        return body

    # -- a neighbourhood round-table -------------------------------------------------------

    def round_table(self, territory: Territory, directorate: Body) -> Body:
        """Community organizations and informal groups without a seat on the directorate, with
        a municipal office without vote: open-ended mandates since about fourteen months ago."""
        pool = _pool(self.program, territory, self.today, self.rng)
        pool.used_orgs |= set(
            Mandate.objects.filter(seat__body=directorate).values_list("organization_id", flat=True)
        )
        starts_on = _month_start(self.today, -14)
        body = services.body_create(
            user=self.coordinator,
            program=self.program,
            kind=BodyKind.ROUND_TABLE,
            name=f"Mesa Organizacional de {territory.name}",
            territory=territory,
            description=(
                "Espacio de coordinación de las organizaciones de base del territorio: clubes, "
                "centros de madres, agrupaciones culturales y grupos vecinales preparan sus "
                "propuestas para el Directorio Local."
            ),
            quorum_strict=False,
        )
        used_people: set[int] = set()
        for index in range(1, self.rng.randint(5, 7) + 1):
            # Every other seat for an informal group (an olla común, a community garden...).
            kind = ActorKind.INFORMAL_GROUP if index % 2 == 0 else ActorKind.ORGANIZATION
            organization = pool.take(Sector.COMMUNITY, kind=kind) or pool.take(Sector.COMMUNITY)
            if organization is None:
                break
            seat = self.seat(body, Sector.COMMUNITY, f"Organización {index}")
            self.assign(seat, organization, pool, used_people, starts_on=starts_on, ends_on=None)
        office = pool.take(Sector.PUBLIC, keywords=("oficina", "municipal"))
        if office is not None:
            seat = services.seat_create(
                user=self.coordinator,
                body=body,
                sector=Sector.PUBLIC,
                label="Oficina municipal (sin voto)",
                is_voting=False,
            )
            self.assign(seat, office, pool, used_people, starts_on=starts_on, ends_on=None)
        return body


def demo_bodies(
    program: Program,
    territories: Sequence[Territory],
    *,
    coordinator: User,
    users: dict[str, User],
    today: datetime.date,
) -> list[Body]:
    """A local directorate for each territory, and a round-table in the first one."""
    builder = _Builder(program, coordinator=coordinator, users=users, today=today)
    bodies: list[Body] = []
    for index, territory in enumerate(territories):
        bodies.append(builder.directorate(territory, first=index == 0))
    if territories:
        bodies.append(builder.round_table(territories[0], bodies[0]))
    return bodies
