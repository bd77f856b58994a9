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
