"""`tejido demo --scale N`: a synthetic network written in bulk, with the services' invariants."""

from __future__ import annotations

import io
from collections import Counter
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Max, Min

from tejido.actors.models import Actor, ActorKind
from tejido.actors.services import actor_create
from tejido.core.models import Program, Territory
from tejido.core.text import normalize_for_search
from tejido.dashboards.demo.scale import (
    COMMON_WORD,
    RARE_WORDS,
    scale_exists,
    scale_generate,
    scale_reset,
    scale_slug,
)
from tejido.network.models import Tie
from tejido.network.services import tie_create

pytestmark = pytest.mark.django_db

SIZE = 3000


def snapshot(size: int) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The network with ids made relative, so two generations can be compared."""
    actors = Actor.objects.filter(program__slug=scale_slug(size))
    first = actors.aggregate(first=Min("pk"))["first"]
    rows: list[tuple[Any, ...]] = [
        (pk - first, *rest)
        for pk, *rest in actors.order_by("pk").values_list(
            "pk", "name", "kind", "sector", "territory__slug", "search_text"
        )
    ]
    ties: list[tuple[Any, ...]] = [
        (t.source_id - first, t.target_id - first, t.tie_type, t.intensity, t.started_on)
        for t in Tie.objects.filter(program__slug=scale_slug(size)).order_by("pk")
    ]
    return rows, ties


def test_generates_n_actors_with_about_five_ties_each():
    result = scale_generate(size=SIZE, seed=3)
    program = Program.objects.get(slug=scale_slug(SIZE))
    actors = Actor.objects.filter(program=program)
    assert actors.count() == SIZE == result.actors
    current = Tie.objects.filter(program=program).current()
    assert current.count() == result.ties
    assert 4.7 * SIZE <= result.ties <= 5.3 * SIZE
    assert Tie.objects.filter(program=program).count() == result.tie_rows > result.ties
    # Invariants the services would keep: no self-ties, undirected ties ordered, one current
    # version per pair and type, ends after starts, versions chained.
    assert not current.filter(source=F("target")).exists()
    assert not current.filter(directed=False, source__gte=F("target")).exists()
    duplicates = (
        current.values("source", "target", "tie_type").annotate(n=Count("id")).filter(n__gt=1)
    )
    assert not duplicates.exists()
    assert not current.filter(ended_on__lt=F("started_on")).exists()
    for tie in Tie.objects.filter(program=program, superseded_at__isnull=False)[:20]:
        assert tie.next_version.previous_id == tie.pk
        assert tie.next_version.recorded_at == tie.superseded_at
    assert set(current.values_list("cycle__number", flat=True)) == {1, 2, 3}
    # Sectors, kinds and themes are spread; search text is what the services would write.
    assert len(set(actors.values_list("sector", flat=True))) == 6
    assert actors.filter(kind=ActorKind.PERSON).count() > SIZE * 0.05
    assert actors.filter(themes__isnull=True).count() == 0
    for actor in actors.order_by("?")[:50]:
        assert actor.search_text == normalize_for_search(
            actor.name, actor.legal_form, actor.description
        )
    assert actors.filter(search_text__contains=COMMON_WORD).count() > SIZE * 0.1
    rare = actors.filter(search_text__contains=RARE_WORDS[0]).count()
    assert 0 < rare < SIZE * 0.01


def test_ties_mostly_stay_within_the_sector_with_a_hub_per_comuna():
    scale_generate(size=SIZE, seed=3)
    ties = Tie.objects.filter(program__slug=scale_slug(SIZE)).current()
    same_sector = ties.filter(source__territory=F("target__territory")).count()
    assert 0.5 < same_sector / ties.count() < 0.85
    degree: Counter[int] = Counter()
    for source, target in ties.values_list("source_id", "target_id"):
        degree[source] += 1
        degree[target] += 1
    busiest, ties_of_busiest = degree.most_common(1)[0]
    assert Actor.objects.get(pk=busiest).sector == "public"
    assert ties_of_busiest > 10 * (2 * ties.count() / SIZE)
    assert min(degree.values()) >= 1


def test_territories_form_a_hierarchy_with_paths_and_comunas_of_about_5000():
    size = 12_000
    result = scale_generate(size=size, seed=1, ties_per_actor=1)
    slug = scale_slug(size)
    root = Territory.objects.get(slug=slug)
    tree = Territory.objects.filter(path__startswith=root.path)
    assert tree.count() == result.territories
    assert set(tree.values_list("level", flat=True)) == {0, 1, 2, 3}
    for territory in tree.exclude(pk=root.pk).select_related("parent"):
        assert territory.parent is not None
        assert territory.path == f"{territory.parent.path}{territory.pk}/"
        assert territory.latitude is not None
    comunas = tree.filter(level=2)
    assert comunas.count() == 2
    for comuna in comunas:
        based = Actor.objects.filter(territory__path__startswith=comuna.path).count()
        assert 4000 < based < 8000
    # Every actor is based in a sector (neighbourhood), the leaves of the tree.
    assert not Actor.objects.filter(program__slug=slug).exclude(territory__level=3).exists()


def test_the_same_seed_gives_the_same_network_and_another_seed_another():
    size = 800
    scale_generate(size=size, seed=5)
    first = snapshot(size)
    scale_reset(size)
    assert not scale_exists(size)
    scale_generate(size=size, seed=5)
    assert snapshot(size) == first
    scale_reset(size)
    scale_generate(size=size, seed=6)
    assert snapshot(size) != first


def test_ids_continue_after_the_bulk_load_so_the_services_still_work():
    scale_generate(size=500, seed=2)
    program = Program.objects.get(slug=scale_slug(500))
    top_actor = Actor.objects.aggregate(top=Max("pk"))["top"]
    top_tie = Tie.objects.aggregate(top=Max("pk"))["top"]
    a = actor_create(user=None, program=program, kind="organization", name="Nueva", sector="public")
    b = Actor.objects.filter(program=program).earliest("pk")
    assert a.pk > top_actor
    tie = tie_create(user=None, source=a, target=b, tie_type="collaboration")
    assert tie.pk > top_tie


def test_reset_deletes_the_network_and_its_territories():
    scale_generate(size=1000, seed=1)
    scale_reset(1000)
    assert not Program.objects.filter(slug=scale_slug(1000)).exists()
    assert not Territory.objects.filter(slug__startswith=scale_slug(1000)).exists()
    assert not Actor.objects.exists()
    assert not Tie.objects.exists()


def test_the_command_generates_once_and_regenerates_with_reset():
    out = io.StringIO()
    call_command("demo", scale=300, seed=4, stdout=out)
    assert "escala-300" in out.getvalue()
    first = snapshot(300)
    out = io.StringIO()
    call_command("demo", scale=300, stdout=out)
    assert "--reset" in out.getvalue()
    call_command("demo", scale=300, seed=4, reset=True, stdout=io.StringIO())
    assert snapshot(300) == first
    assert Actor.objects.count() == 300


@pytest.mark.parametrize("size", [0, -5, 1_000_001])
def test_the_command_refuses_a_size_out_of_range(size):
    with pytest.raises(CommandError):
        call_command("demo", scale=size, stdout=io.StringIO())


def test_territories_left_by_a_program_deleted_by_hand_do_not_block_a_new_network():
    scale_generate(size=200, seed=1)
    Program.objects.get(slug=scale_slug(200)).delete()
    assert Territory.objects.filter(slug__startswith=scale_slug(200)).exists()
    result = scale_generate(size=200, seed=1)
    assert result.actors == Actor.objects.count() == 200


def test_the_seed_is_refused_without_scale():
    with pytest.raises(CommandError):
        call_command("demo", seed=99, stdout=io.StringIO())
