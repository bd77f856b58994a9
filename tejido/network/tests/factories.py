import datetime
from dataclasses import dataclass
from typing import Any

import factory

from tejido.actors.tests.factories import ActorFactory
from tejido.network.models import Tie, TieType


class TieFactory(factory.django.DjangoModelFactory):
    """An undirected tie; ends are ordered as the database requires."""

    class Meta:
        model = Tie

    source = factory.SubFactory(ActorFactory)
    target = factory.SubFactory(ActorFactory, program=factory.SelfAttribute("..source.program"))
    program = factory.SelfAttribute("source.program")
    tie_type = TieType.COLLABORATION
    directed = False
    intensity = 2

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        source, target = kwargs["source"], kwargs["target"]
        if not kwargs.get("directed") and source.pk > target.pk:
            kwargs["source"], kwargs["target"] = target, source
        return super()._create(model_class, *args, **kwargs)


# -- network surveys --------------------------------------------------------------------------


@dataclass
class SurveyWorld:
    """An open survey of the program's running cycle, with five organizations in two
    territories, the first four invited."""

    program: Any
    coordinator: Any
    territories: list[Any]
    orgs: list[Any]
    survey: Any
    invitations: list[Any]


def survey_world(program: Any, *, invited: int = 4) -> SurveyWorld:
    from django.utils import timezone

    from tejido.accounts.models import Role
    from tejido.accounts.tests.factories import ProgramRoleFactory
    from tejido.core.tests.factories import TerritoryFactory
    from tejido.network.models import SurveyInvitation
    from tejido.network.surveys import services

    coordinator = ProgramRoleFactory(program=program, role=Role.COORDINATOR).user
    territories = [TerritoryFactory(name="Bajos de Mena"), TerritoryFactory(name="La Ligua")]
    orgs: list[Any] = [
        ActorFactory(program=program, territory=territories[i % 2], name=name)
        for i, name in enumerate(
            (
                "Junta de Vecinos Villa Los Aromos",
                "Club Deportivo Unión Ñuble",
                "Centro Cultural Pehuén",
                "Comité de Vivienda Esperanza",
                "Radio Comunitaria La Voz",
            )
        )
    ]
    today = timezone.localdate()
    cycle = program.current_cycle(today) or program.cycles.order_by("-number").first()
    survey = services.survey_create(
        user=coordinator,
        program=program,
        cycle=cycle,
        title="Mapa de vínculos",
        instructions="Nombre a las organizaciones con las que trabaja.",
        opens_on=today,
        closes_on=today + datetime.timedelta(days=30),
    )
    services.survey_set_invitations(user=coordinator, survey=survey, add=orgs[:invited])
    survey = services.survey_open(user=coordinator, survey=survey, send_emails=False)
    invitations = list(
        SurveyInvitation.objects.filter(survey=survey)
        .select_related("survey__program", "survey__cycle", "organization")
        .order_by("organization__name")
    )
    by_org = {inv.organization_id: inv for inv in invitations}
    return SurveyWorld(
        program=program,
        coordinator=coordinator,
        territories=territories,
        orgs=orgs,
        survey=survey,
        invitations=[by_org[o.pk] for o in orgs[:invited]],
    )
