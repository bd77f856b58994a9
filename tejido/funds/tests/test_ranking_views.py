# mypy: disable-error-code="arg-type,attr-defined,misc,union-attr"
"""Ranking pages: who may open them, what they show, and the forms that drive the services."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from tejido.accounts.tests.factories import UserFactory
from tejido.funds.models import AllocationRun, Award, CallStatus
from tejido.funds.ranking import services

from .factories import ApplicationFactory, CallFactory, coordinator_of, representative_of
from .factories_ranking import review, reviewed_call

pytestmark = pytest.mark.django_db


def url(name, call):
    return reverse(f"funds:{name}", args=[call.program.slug, call.pk])


def people(call, apps):
    """Everyone of the permission matrix, by role (None: anonymous)."""
    from .factories import PartnerFactory, reviewer_of

    partner = PartnerFactory(application=apps[0])
    superuser = UserFactory(is_superuser=True, is_staff=True)
    return {
        "anonymous": None,
        "unrelated": UserFactory(),
        "applicant": representative_of(apps[0].applicant),
        "partner": representative_of(partner.organization),
        "reviewer": reviewer_of(call).user,
        "coordinator": coordinator_of(call.program),
        "superuser": superuser,
    }


EXPECTED = {
    "anonymous": 302,
    "unrelated": 403,
    "applicant": 403,
    "partner": 403,
    "reviewer": 403,
    "coordinator": 200,
    "superuser": 200,
}


@pytest.mark.parametrize("who", list(EXPECTED))
def test_permission_matrix_for_every_page(client, who):
    call, apps = reviewed_call()
    user = people(call, apps)[who]
    if user is not None:
        client.force_login(user)
    expected = EXPECTED[who]
    post_expected = 302 if expected == 302 else expected
    for name in ("ranking", "allocation_whatif"):
        response = client.get(url(name, call))
        assert response.status_code == expected, (name, who)
        if expected == 302:
            assert "/login" in response["Location"] or "login" in response["Location"]
    forbidden_posts = {
        "allocation_run": {"rule": "greedy"},
        "call_decide": {"note": "x"},
        "call_publish_results": {},
    }
    if expected != 200:
        for name, data in forbidden_posts.items():
            assert client.post(url(name, call), data).status_code == post_expected, (name, who)
        assert not AllocationRun.objects.exists()


def test_drafts_do_not_exist_for_others(client):
    call = CallFactory(draft=True)
    client.force_login(UserFactory())
    assert client.get(url("ranking", call)).status_code == 404
    client.force_login(coordinator_of(call.program))
    assert client.get(url("ranking", call)).status_code == 200


def test_ranking_before_any_run_ranks_by_score(client):
    call, _apps = reviewed_call()
    client.force_login(coordinator_of(call.program))
    response = client.get(url("ranking", call))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Run the allocation" in content
    assert content.index("Proyecto 1") < content.index("Proyecto 4")
    assert "No run yet" in content


def test_running_and_reading_the_outcome(client):
    call, _apps = reviewed_call()
    client.force_login(coordinator_of(call.program))
    response = client.post(url("allocation_run", call), {"rule": "optimal"})
    assert response.status_code == 302
    assert response["Location"].endswith("#ranking-table")
    run = AllocationRun.objects.get()
    assert run.rule == "optimal"
    content = client.get(url("ranking", call)).content.decode()
    assert "Not chosen" in content
    assert "lower-scoring projects instead" in content
    assert "Record the committee" in content
    funded_only = client.get(url("ranking", call), {"show": "funded"}).content.decode()
    assert "Proyecto 1" not in funded_only
    assert "Proyecto 2" in funded_only

    bad = client.post(url("allocation_run", call), {"rule": "lottery"})
    assert bad.status_code == 400
    assert AllocationRun.objects.count() == 1


def test_running_an_open_call_is_refused_with_a_message(client):
    call = CallFactory()
    client.force_login(coordinator_of(call.program))
    response = client.post(url("allocation_run", call), {"rule": "greedy"})
    assert response.status_code == 400
    assert "once the call has closed" in response.content.decode()


def test_stale_scores_are_flagged(client):
    call, apps = reviewed_call()
    coordinator = coordinator_of(call.program)
    services.allocation_run(actor=coordinator, call=call, rule="greedy")
    from .factories import reviewer_of

    review(apps[3], reviewer_of(call), (5, 5))
    client.force_login(coordinator)
    assert "after the latest run" in client.get(url("ranking", call)).content.decode()


def test_ranking_page_queries_do_not_grow_with_applications(client, django_assert_max_num_queries):
    call, _apps = reviewed_call()
    coordinator = coordinator_of(call.program)
    for index in range(40):
        ApplicationFactory(call=call, requested_amount=Decimal(600_000 + index))
    services.allocation_run(actor=coordinator, call=call, rule="optimal")
    client.force_login(coordinator)
    with django_assert_max_num_queries(22):
        response = client.get(url("ranking", call))
    assert response.status_code == 200
    assert response.content.decode().count("<tr>") == 45


def test_what_if_panel_shows_who_enters(client):
    call, _apps = reviewed_call()
    coordinator = coordinator_of(call.program)
    services.allocation_run(actor=coordinator, call=call, rule="greedy")
    client.force_login(coordinator)
    page = client.get(url("allocation_whatif", call))
    assert page.status_code == 200
    assert 'name="budget"' in page.content.decode()
    data = {"rule": "greedy", "budget": "9000000", "threshold": "40", "min_partial_percent": "80"}
    partial = client.post(url("allocation_whatif", call), data, HTTP_HX_REQUEST="true")
    content = partial.content.decode()
    assert partial.status_code == 200
    assert "<html" not in content
    assert "2 would enter" in content
    assert "Proyecto 3" in content and "Proyecto 4" in content
    call.refresh_from_db()
    assert call.budget == Decimal("6000000")

    wrong = client.post(
        url("allocation_whatif", call), {**data, "budget": "-5"}, HTTP_HX_REQUEST="true"
    )
    assert wrong.status_code == 400
    full = client.post(url("allocation_whatif", call), {**data, "min_partial_percent": "0"})
    assert full.status_code == 400
    assert "errorlist" in full.content.decode()


def test_deciding_and_publishing_through_the_pages(client):
    call, _apps = reviewed_call()
    coordinator = coordinator_of(call.program)
    run = services.allocation_run(actor=coordinator, call=call, rule="greedy")
    client.force_login(coordinator)
    missing = client.post(url("call_decide", call), {"run": run.pk, "note": ""})
    assert missing.status_code == 400
    assert "Write the committee" in missing.content.decode()
    assert not Award.objects.exists()

    done = client.post(url("call_decide", call), {"run": run.pk, "note": "Por puntaje."})
    assert done.status_code == 302
    assert Award.objects.count() == 2
    page = client.get(url("ranking", call)).content.decode()
    assert "Publish the results" in page
    assert "Por puntaje." in page

    published = client.post(url("call_publish_results", call))
    assert published.status_code == 302
    assert published["Location"] == url("call", call)
    call.refresh_from_db()
    assert call.status == CallStatus.RESULTS_PUBLISHED
    again = client.post(url("call_publish_results", call), follow=True)
    assert "already published" in again.content.decode()


def test_decide_with_a_required_directorate_lists_only_suitable_polls(client):
    call, _ = reviewed_call(requires_directorate_decision=True)
    coordinator = coordinator_of(call.program)
    run = services.allocation_run(actor=coordinator, call=call, rule="greedy")
    client.force_login(coordinator)
    page = client.get(url("ranking", call)).content.decode()
    assert "no closed poll of a directorate" in page
    response = client.post(url("call_decide", call), {"run": run.pk, "note": "Ok"})
    assert response.status_code == 400
    assert "choose the poll that approved it" in response.content.decode()
