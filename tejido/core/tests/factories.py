import datetime

import factory

from tejido.core.models import Cycle, Program, Territory, Theme


class ProgramFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Program
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Programa {n}")
    slug = factory.Sequence(lambda n: f"programa-{n}")
    is_public = True

    @factory.post_generation
    def cycles(self, create, extracted, **kwargs):
        if not create:
            return
        count = 4 if extracted is None else extracted
        start = datetime.date(2024, 1, 1)
        for number in range(1, count + 1):
            Cycle.objects.create(
                program=self,
                number=number,
                starts_on=start.replace(year=start.year + number - 1),
                ends_on=datetime.date(start.year + number - 1, 12, 31),
            )


class TerritoryFactory(factory.django.DjangoModelFactory):
    """A territory with a correct materialized path (set after the id is known)."""

    class Meta:
        model = Territory
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Territorio {n}")
    slug = factory.Sequence(lambda n: f"territorio-{n}")
    level = Territory.Level.MUNICIPALITY
    parent = None
    path = "/"

    @factory.post_generation
    def fix_path(self, create, extracted, **kwargs):
        if create:
            self.path = f"{self.parent.path if self.parent else '/'}{self.pk}/"
            self.save(update_fields=["path"])


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme

    name = factory.Sequence(lambda n: f"Tema {n}")
    slug = factory.Sequence(lambda n: f"tema-{n}")
