"""The demo: loaded once for the module (it takes seconds), rolled back afterwards."""

from __future__ import annotations

import datetime
import io
from collections import Counter
from itertools import pairwise

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import transaction
from django.db.models import F, Q
from django.test import RequestFactory
from django.utils import timezone

from tejido.accounts.models import ProgramRole, Role, User
from tejido.actors.models import Actor, ActorKind, Membership, Representative, SensitiveData
from tejido.core.models import AuditEntry, Program, Territory
from tejido.dashboards.demo.content import (
    DEMO_ACCOUNTS,
    DEMO_PASSWORD,
    DEMO_PROGRAM_SLUGS,
    PLACES,
)
from tejido.dashboards.demo.loader import demo_is_loaded, demo_load, demo_reset, program_start
from tejido.network.models import (
    ActorMetrics,
    NetworkSnapshot,
    Opportunity,
    OpportunityStatus,
    Provenance,
    Tie,
)

TODAY = datetime.date(2026, 11, 21)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    # One load for every test here; the outer transaction is rolled back at the end so the
    # demo never leaks into other modules' tests. Each test runs in a savepoint inside it.
    with django_db_blocker.unblock(), transaction.atomic():
        summary = demo_load(today=TODAY)
        yield summary
        transaction.set_rollback(True)


pytestmark = pytest.mark.django_db


def fingerprint(
    *slugs: str,
) -> tuple[list[tuple[str, str, str]], list[tuple[str, str, str, int, str]]]:
    slugs = slugs or DEMO_PROGRAM_SLUGS
    actors = sorted(
        Actor.objects.filter(program__slug__in=slugs).values_list("program__slug", "name", "sector")
    )
    ties = sorted(
        Tie.objects.filter(program__slug__in=slugs).values_list(
            "source__name", "target__name", "tie_type", "intensity", "provenance"
        )
    )
    return actors, ties


def test_the_demo_has_two_programs_with_hundreds_of_actors_and_people(demo):
    programs = Program.objects.filter(slug__in=DEMO_PROGRAM_SLUGS)
    assert programs.count() == 2
    actors = Actor.objects.filter(program__in=programs)
    assert actors.organizations().count() >= 300
    # The registry's people, plus the members who hold seats in the directorates.
    assert 70 <= actors.people().count() <= 200
    assert demo.actors == actors.count()
    # Sectors and kinds are spread, not all community organizations.
    sectors = Counter(actors.values_list("sector", flat=True))
    assert len(sectors) == 6 and min(sectors.values()) >= 5
    assert actors.filter(kind=ActorKind.INFORMAL_GROUP).count() >= 20
    # Every organization has a territory, themes, a description and stakeholder attributes.
    organizations = actors.organizations()
    assert not organizations.filter(territory__isnull=True).exists()
    assert not organizations.filter(themes__isnull=True).exists()
    assert not organizations.filter(Q(power__isnull=True) | Q(interest__isnull=True)).exists()
    assert not organizations.filter(description="").exists()
    # search_text is kept by the service, so the directory can find them.
    assert actors.filter(search_text__contains="junta de vecinos").count() >= 20


def test_territories_form_a_real_hierarchy_with_coordinates(demo):
    bajos = Territory.objects.get(slug="bajos-de-mena")
    chain = [t.slug for t in Territory.objects.filter(pk__in=bajos.ancestor_ids())]
    assert set(chain) == {"chile", "region-metropolitana", "puente-alto"}
    assert bajos.path.startswith(Territory.objects.get(slug="chile").path)
    for slug in ("san-bernardo", "la-ligua", "barrio-yungay", "barcelona", "pikine"):
        territory = Territory.objects.get(slug=slug)
        assert territory.latitude is not None and territory.longitude is not None
    barrios = Program.objects.get(slug="barrios-en-red")
    assert set(barrios.territories.values_list("slug", flat=True)) == {
        "bajos-de-mena",
        "san-bernardo",
        "la-ligua",
        "barrio-yungay",
    }
    assert Territory.objects.filter(slug__in=[p.slug for p in PLACES]).count() == len(PLACES)


def test_ties_grow_over_three_cycles_with_more_bridging_later(demo):
    ties = Tie.objects.filter(program__slug__in=DEMO_PROGRAM_SLUGS)
    current = ties.current()
    assert current.count() >= 1200
    per_cycle = Counter(current.values_list("cycle__number", flat=True))
    assert set(per_cycle) == {1, 2, 3, 4}
    assert per_cycle[1] < per_cycle[2] < per_cycle[3]
    # Cycle 4 is running: its new ties so far come from the open survey's answers, from
    # the introductions a coordinator recorded after the network's suggestions, from the
    # directorates' meetings, from the competitive fund's awards, from the training cohorts
    # closed, from the learning community's "we tried this too" and exchanges, and from
    # intercooperation: shared services agreed, a consortium's bid, a joint project, transfers
    # and a study mission's contacts.
    assert set(current.filter(cycle__number=4).values_list("provenance", flat=True)) == {
        Provenance.SURVEY,
        Provenance.INTRODUCTION,
        Provenance.MEETING,
        Provenance.FUND,
        Provenance.TRAINING,
        Provenance.LEARNING,
        Provenance.SHARED_SERVICE,
        Provenance.CONSORTIUM,
        Provenance.JOINT_PROJECT,
        Provenance.TRANSFER,
        Provenance.MISSION,
    }
    # Bridging ties (between actors of different territories) make up a growing share.
    shares = []
    for number in (1, 2, 3):
        # Directorate meetings tie neighbours of one territory (bonding): the mapped ties tell
        # the bridging story.
        in_cycle = current.filter(cycle__number=number).exclude(provenance=Provenance.MEETING)
        bridging = in_cycle.exclude(source__territory=F("target__territory")).count()
        shares.append(bridging / in_cycle.count())
    assert shares[0] < shares[1] < shares[2]
    # Every tie of cycles 1 to 3 starts within its cycle and never in the future.
    for tie in current.filter(cycle__number__lte=3).select_related("cycle"):
        assert tie.cycle is not None and tie.started_on is not None
        assert tie.cycle.starts_on <= tie.started_on <= tie.cycle.ends_on
        assert tie.started_on < TODAY
    # The program is in its fourth cycle today.
    program = Program.objects.get(slug="barrios-en-red")
    cycle = program.current_cycle(TODAY)
    assert cycle is not None and cycle.number == 4
    assert program.cycles.get(number=1).starts_on == program_start(TODAY)


def test_ties_have_history_and_every_provenance(demo):
    ties = Tie.objects.filter(program__slug__in=DEMO_PROGRAM_SLUGS)
    superseded = ties.filter(superseded_at__isnull=False)
    assert superseded.count() >= 100
    strengthened = ties.current().filter(previous__isnull=False, ended_on__isnull=True)
    assert any(
        t.previous is not None and t.intensity > t.previous.intensity
        for t in strengthened.select_related("previous")
    )
    assert ties.current().filter(ended_on__isnull=False).count() >= 30
    assert set(ties.values_list("provenance", flat=True)) == set(Provenance.values)
    # Versions are dated when they happened, so looking back shows a smaller network.
    end_of_cycle_1 = Program.objects.get(slug="barrios-en-red").cycles.get(number=1).ends_on
    moment = timezone.make_aware(datetime.datetime.combine(end_of_cycle_1, datetime.time(23)))
    then = ties.as_of(moment).count()
    assert 0 < then < ties.current().count() / 2
    for tie in superseded.select_related("next_version")[:50]:
        assert tie.superseded_at is not None
        assert tie.recorded_at < tie.superseded_at == tie.next_version.recorded_at
    # Undirected ties are ordered, none is a self-tie.
    assert not ties.filter(directed=False, source_id__gte=F("target_id")).exists()


def test_gender_is_stored_only_with_consent_for_part_of_the_people(demo):
    people = Actor.objects.filter(program__slug__in=DEMO_PROGRAM_SLUGS, kind=ActorKind.PERSON)
    recorded = SensitiveData.objects.filter(person__in=people).exclude(gender="")
    assert 0.4 * people.count() <= recorded.count() <= 0.8 * people.count()
    assert not recorded.filter(Q(consent_given_at__isnull=True) | Q(consent_text="")).exists()
    assert people.filter(sensitive__isnull=True).exists()
    assert recorded.filter(consent_text__contains="Ley 21.719").exists()
    assert recorded.filter(consent_text__contains="RGPD").exists()


def test_people_hold_posts_over_time_one_holder_at_a_time(demo):
    memberships = Membership.objects.filter(person__program__slug__in=DEMO_PROGRAM_SLUGS)
    assert memberships.count() >= 80
    assert memberships.filter(end_date__isnull=False).count() >= 10
    assert memberships.filter(post__isnull=False).count() >= 40
    held: dict[int, list[tuple[datetime.date, datetime.date | None]]] = {}
    for post_id, start, end in memberships.filter(post__isnull=False).values_list(
        "post_id", "start_date", "end_date"
    ):
        assert post_id is not None and start is not None
        held.setdefault(post_id, []).append((start, end))
    for terms in held.values():
        terms.sort(key=lambda term: term[0])
        for (_start, earlier_end), (later_start, _end) in pairwise(terms):
            assert earlier_end is not None and earlier_end < later_start


def test_demo_accounts_log_in_and_hold_their_roles(demo):
    request = RequestFactory().post("/accounts/login/")
    programs = {p.slug: p for p in Program.objects.filter(slug__in=DEMO_PROGRAM_SLUGS)}
    for account in DEMO_ACCOUNTS:
        user = authenticate(request, email=account.email, password=DEMO_PASSWORD)
        assert user is not None, account.email
        roles = set(ProgramRole.objects.filter(user=user).values_list("program__slug", "role"))
        if account.role == "superuser":
            assert user.is_superuser and user.is_staff and not roles
            continue
        assert roles == {(slug, account.role) for slug in account.programs}
    representative = User.objects.get(email="organizacion@tejido.demo")
    organization = Representative.objects.get(user=representative).organization
    assert organization.name == "Junta de Vecinos Villa Los Aromos del Sur"
    assert organization.program.slug == "barrios-en-red"
    admin = User.objects.get(email="admin@tejido.demo")
    assert admin.has_perm("core.change_program", programs["barrios-en-red"])
    evaluator = User.objects.get(email="evaluacion@tejido.demo")
    assert not evaluator.has_perm("core.change_program", programs["barrios-en-red"])
    assert {a.role for a in DEMO_ACCOUNTS} >= set(Role.values)


def test_the_services_recorded_an_audit_trail(demo):
    actions = Counter(
        AuditEntry.objects.filter(program__slug__in=DEMO_PROGRAM_SLUGS).values_list(
            "action", flat=True
        )
    )
    assert actions["actor.create"] == demo.actors
    assert actions["tie.create"] >= 1200
    assert actions["tie.update"] >= 100
    assert actions["person.gender_recorded"] == demo.consented_genders


def test_running_the_command_again_changes_nothing_and_prints_the_accounts(demo):
    before = fingerprint()
    out = io.StringIO()
    call_command("demo", stdout=out)
    text = out.getvalue()
    assert "--reset" in text
    for account in DEMO_ACCOUNTS:
        assert account.email in text
    assert DEMO_PASSWORD in text
    assert fingerprint() == before


def test_reset_removes_the_demo_and_keeps_shared_territories(demo):
    territories = Territory.objects.count()
    demo_reset()
    assert not demo_is_loaded()
    assert not User.objects.filter(email__in=[a.email for a in DEMO_ACCOUNTS]).exists()
    assert not Actor.objects.filter(program__slug__in=DEMO_PROGRAM_SLUGS).exists()
    assert Territory.objects.count() == territories  # shared vocabulary stays


def test_loading_a_program_again_gives_the_same_program(demo):
    # Each program has its own random stream, so reloading the smaller one is a full check of
    # determinism at a fraction of the cost of reloading both.
    slug = "territorios-en-transicion"
    before = fingerprint(slug)
    demo_reset(only=[slug])
    assert fingerprint(slug) == ([], [])
    demo_load(today=TODAY, only=[slug])
    assert fingerprint(slug) == before
    assert fingerprint(slug)[1]


def test_three_cycles_of_survey_responses_and_an_open_survey(demo):
    from tejido.network.models import (
        NominationStatus,
        Survey,
        SurveyAnswer,
        SurveyInvitation,
        SurveyStatus,
    )

    program = Program.objects.get(slug="barrios-en-red")
    surveys = list(Survey.objects.filter(program=program).order_by("cycle__number"))
    assert [s.cycle.number for s in surveys] == [1, 2, 3, 4]
    assert [s.status for s in surveys] == [SurveyStatus.CLOSED] * 3 + [SurveyStatus.OPEN]
    answered = [
        SurveyInvitation.objects.filter(survey=s, submitted_at__isnull=False) for s in surveys
    ]
    counts = [a.count() for a in answered]
    assert 20 <= counts[0] < counts[1] < counts[2]
    ties = Tie.objects.filter(program=program)
    moments = [
        timezone.make_aware(datetime.datetime.combine(s.cycle.ends_on, datetime.time(23, 59)))
        for s in surveys[:3]
    ]
    for survey, submitted, moment in zip(surveys[:3], answered[:3], moments, strict=True):
        # Every response was sent within the survey's dates, and each answer's tie is on record
        # at the end of the cycle as a survey tie.
        for invitation in submitted:
            day = timezone.localdate(invitation.submitted_at)
            assert survey.opens_on <= day <= survey.closes_on < TODAY
        on_record = ties.as_of(moment)
        answers = SurveyAnswer.objects.filter(invitation__survey=survey).select_related(
            "invitation"
        )
        assert answers.count() >= counts[surveys.index(survey)]
        for answer in answers[:40]:
            pair = sorted((answer.invitation.organization_id, answer.partner_id))
            assert on_record.filter(
                Q(source_id=pair[0], target_id=pair[1]) | Q(source_id=pair[1], target_id=pair[0]),
                tie_type=answer.tie_type,
            ).exists()
    # Later surveys bring isolated organizations in, mostly with ties across sectors.
    organizations = Actor.objects.filter(program=program).organizations()

    def tied(moment: datetime.datetime) -> set[int]:
        ids: set[int] = set()
        for source, target in ties.as_of(moment).values_list("source_id", "target_id"):
            ids.update((source, target))
        return ids

    isolated_then = set(organizations.values_list("pk", flat=True)) - tied(moments[0])
    brought_in = isolated_then & tied(moments[1])
    respondents_2 = set(answered[1].values_list("organization_id", flat=True))
    assert len(brought_in & respondents_2) >= 5
    new_survey_ties = ties.as_of(moments[2]).filter(
        provenance=Provenance.SURVEY, cycle__number__in=(2, 3), previous__isnull=True
    )
    across = new_survey_ties.exclude(source__sector=F("target__sector")).count()
    assert across / new_survey_ties.count() > 0.5
    # The network on record grows from one cycle's end to the next.
    assert ties.as_of(moments[0]).count() < ties.as_of(moments[1]).count()
    assert ties.as_of(moments[1]).count() < ties.as_of(moments[2]).count()
    # The open survey: some sent, some halfway, some not started, one proposed actor waiting.
    open_survey = surveys[3]
    invitations = SurveyInvitation.objects.filter(survey=open_survey)
    assert invitations.filter(submitted_at__isnull=False).count() >= 10
    assert invitations.filter(started_at__isnull=False, submitted_at__isnull=True).count() >= 3
    pending = invitations.filter(started_at__isnull=True)
    assert pending.count() >= 10 and not pending.filter(reminders_sent=0).exists()
    assert open_survey.invitations.filter(nominations__status=NominationStatus.PENDING).count() == 1
    representative = User.objects.get(email="organizacion@tejido.demo")
    organization = representative.represents.get().organization
    assert pending.filter(organization=organization).exists()


def test_the_network_is_analysed_per_cycle_with_suggestions_acted_on(demo):
    program = Program.objects.get(slug="barrios-en-red")
    snapshots = NetworkSnapshot.objects.filter(program=program)
    # One snapshot per cycle that has started, and today's (recomputed after the introductions).
    assert set(snapshots.exclude(cycle=None).values_list("cycle__number", flat=True)) == {
        1,
        2,
        3,
        4,
    }
    latest = snapshots.filter(cycle=None).latest()
    assert latest.actor_count > 0 and latest.tie_count > 0
    assert ActorMetrics.objects.filter(snapshot=latest).count() == latest.actor_count
    # The network grew from cycle 1 to cycle 3.
    ties_by_cycle = dict(snapshots.exclude(cycle=None).values_list("cycle__number", "tie_count"))
    assert ties_by_cycle[1] < ties_by_cycle[2] < ties_by_cycle[3]
    statuses = Counter(Opportunity.objects.filter(program=program).values_list("status", flat=True))
    assert statuses[OpportunityStatus.INTRODUCED] == 3
    assert statuses[OpportunityStatus.ACCEPTED] == 3
    assert statuses[OpportunityStatus.DISMISSED] == 1
    assert statuses[OpportunityStatus.OPEN] > 20
    introduced = Opportunity.objects.filter(program=program, status=OpportunityStatus.INTRODUCED)
    assert all(o.tie is not None and o.tie.provenance == "introduction" for o in introduced)
