"""Shared services pages: the catalogue of offers and needs, a listing with its matches and its
request form, the listing form, and an agreement with the provider's decision. Every page
works without JavaScript; the catalogue's filters refresh only the results with htmx."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from tejido.core.forms import service_attempt
from tejido.core.http import is_htmx, program_for_request, url_maker

from ..http import VIEW_COOPERATION, object_for_request, posted_choice, refuse
from ..models import AgreementStatus, ListingKind, ServiceAgreement, ServiceListing
from . import selectors, services
from .forms import CatalogueFilterForm, DecisionForm, ListingForm, RequestForm

LISTING_QUERYSET = selectors.with_places(
    ServiceListing.objects.select_related("actor", "actor__territory", "territory")
)


def _listing_url(listing: ServiceListing, anchor: str = "") -> str:
    url = reverse("cooperation:service", args=[listing.program.slug, listing.pk])
    return f"{url}#{anchor}" if anchor else url


def _agreement_url(agreement: ServiceAgreement) -> str:
    return reverse("cooperation:agreement", args=[agreement.program.slug, agreement.pk])


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/")


def _actor_link(program: Any) -> Any:
    return url_maker("network:actor", program) or (lambda pk: "")


# -- the catalogue ----------------------------------------------------------------------------


@require_safe
def catalogue(request: HttpRequest, program: str) -> HttpResponse:
    current = program_for_request(request, program, VIEW_COOPERATION)
    form = CatalogueFilterForm(request.GET, program=current)
    arguments = form.arguments()
    found = selectors.catalogue(current, **arguments)
    params: QueryDict = request.GET.copy()
    params.pop("page", None)
    category_params = params.copy()
    category_params.pop("category", None)
    actor_link = _actor_link(current)
    for listing in found.page.listings:
        listing.actor_url = actor_link(listing.actor_id)  # type: ignore[attr-defined]
    context = {
        "program": current,
        "form": form,
        "catalogue": found,
        "page": found.page,
        "query_string": params.urlencode(),
        "category_query": category_params.urlencode(),
        "filtered": any(arguments[name] for name in ("kind", "category", "territory", "terms")),
        "can_add": request.user.has_perm(services.ADD, current),
    }
    template = "cooperation/sharing/catalogue.html"
    if is_htmx(request):
        template += "#results"
    return render(request, template, context)


# -- new and edit -----------------------------------------------------------------------------


def _form_page(
    request: HttpRequest, program: Any, form: ListingForm, listing: ServiceListing | None
) -> HttpResponse:
    return render(
        request,
        "cooperation/sharing/listing_form.html",
        {"program": program, "form": form, "listing": listing},
        status=400 if form.is_bound and form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def listing_create(request: HttpRequest, program: str) -> HttpResponse:
    current = program_for_request(request, program, services.ADD)
    entities = services.entities_for(request.user, current)
    if not entities:
        refuse(request, hidden=False)
    kind = request.GET.get("kind")
    form = ListingForm(
        request.POST or None,
        program=current,
        entities=entities,
        initial={
            "actor": entities[0].pk,
            "kind": kind if kind in ListingKind.values else ListingKind.OFFER,
            "terms": "free",
        },
    )
    created: list[ServiceListing] = []
    if request.method == "POST" and service_attempt(
        form,
        lambda: created.append(
            services.listing_create(user=request.user, program=current, **form.values())
        ),
    ):
        messages.success(request, _("Published: other organizations of the program can see it."))
        return redirect(_listing_url(created[0]))
    return _form_page(request, current, form, None)


@require_http_methods(["GET", "POST"])
def listing_edit(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    listing = object_for_request(request, program, LISTING_QUERYSET, pk, perm=services.CHANGE)
    form = ListingForm(
        request.POST or None,
        program=listing.program,
        entities=services.entities_for(request.user, listing.program),
        listing=listing,
        initial=ListingForm.initial_from(listing),
    )
    if request.method == "POST" and service_attempt(
        form,
        lambda: services.listing_update(user=request.user, listing=listing, **form.values()),
    ):
        messages.success(request, _("Saved."))
        return redirect(_listing_url(listing))
    return _form_page(request, listing.program, form, listing)


@require_POST
def listing_status(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    listing = object_for_request(request, program, LISTING_QUERYSET, pk, perm=services.CHANGE)
    choice = posted_choice(request, "open", ("0", "1"))
    if choice is None:
        return redirect(_listing_url(listing))
    is_open = choice == "1"
    services.listing_set_open(user=request.user, listing=listing, is_open=is_open)
    if is_open:
        messages.success(request, _("Open again: it takes requests."))
    else:
        messages.success(request, _("Closed: it no longer appears in the catalogue."))
    return redirect(_listing_url(listing))


# -- one listing ------------------------------------------------------------------------------


def _listing_page(
    request: HttpRequest,
    listing: ServiceListing,
    *,
    request_form: RequestForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    program = listing.program
    may_request = listing.kind == ListingKind.OFFER and user.has_perm(services.REQUEST, listing)
    entities = services.entities_for(user, program) if may_request else []
    page = selectors.listing_page(listing, user, entities=entities)
    needs = [need for group in page.needs_by_actor.values() for need in group]
    if request_form is None and page.requesters:
        wanted = request.GET.get("need", "")
        chosen = next((n for n in needs if str(n.pk) == wanted), None)
        request_form = RequestForm(
            requesters=page.requesters,
            needs=needs,
            initial={
                "receiver": chosen.actor_id if chosen else page.requesters[0].pk,
                "need": chosen.pk if chosen else None,
            },
        )
    is_offer = listing.kind == ListingKind.OFFER
    actor_link = _actor_link(program)
    matches = [
        {
            "other": (other := match.need if is_offer else match.offer),
            "score": match.score,
            "reasons": match.reasons,
            "actor_url": actor_link(other.actor_id),
        }
        for match in page.matches
    ]
    return render(
        request,
        "cooperation/sharing/listing.html",
        {
            "program": program,
            "listing": listing,
            "page": page,
            "matches": matches,
            "actor_url": actor_link(listing.actor_id),
            "can_change": user.has_perm(services.CHANGE, listing),
            "may_request": may_request,
            "request_form": request_form,
            "is_offer": is_offer,
            "full": page.places_left == 0,
            "own_need": not is_offer and user.has_perm(services.CHANGE, listing),
        },
        status=status,
    )


@require_safe
def listing(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    return _listing_page(request, object_for_request(request, program, LISTING_QUERYSET, pk))


@require_POST
def service_request(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    offer = object_for_request(request, program, LISTING_QUERYSET, pk, perm=services.REQUEST)
    user = request.user
    entities = [a for a in services.entities_for(user, offer.program) if a.pk != offer.actor_id]
    needs = list(
        ServiceListing.objects.filter(
            program=offer.program,
            kind=ListingKind.NEED,
            category=offer.category,
            is_open=True,
            actor_id__in=[a.pk for a in entities],
        ).select_related("actor")
    )
    form = RequestForm(request.POST, requesters=entities, needs=needs)
    created: list[ServiceAgreement] = []

    def ask() -> None:
        data = form.cleaned_data
        created.append(
            services.service_request(
                user=user,
                offer=offer,
                receiver=data["receiver"],
                need=data.get("need"),
                message=data["message"],
                base_url=_base_url(request),
            )
        )

    if not entities:
        form.is_valid()
        form.add_error(None, _("You do not represent another organization of this program."))
    elif service_attempt(form, ask):
        messages.success(
            request, _("Request sent: the provider's representatives were told by e-mail.")
        )
        return redirect(_agreement_url(created[0]))
    return _listing_page(request, offer, request_form=form, status=400)


# -- agreements -------------------------------------------------------------------------------


def _agreement_page(
    request: HttpRequest,
    agreement: ServiceAgreement,
    *,
    form: DecisionForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    program = agreement.program
    may_decide = user.has_perm(services.DECIDE, agreement)
    may_withdraw = user.has_perm(services.WITHDRAW, agreement)
    requested = agreement.status == AgreementStatus.REQUESTED
    agreed = agreement.status == AgreementStatus.AGREED
    actor_link = _actor_link(program)
    return render(
        request,
        "cooperation/sharing/agreement.html",
        {
            "program": program,
            "agreement": agreement,
            "offer": agreement.offer,
            "form": form,
            "failed_action": form.data.get("action") if form is not None else "",
            "can_agree": requested and may_decide,
            "can_withdraw": requested and may_withdraw,
            "can_end": agreed and (may_decide or may_withdraw),
            "today": timezone.localdate(),
            "provider_url": actor_link(agreement.provider_id),
            "receiver_url": actor_link(agreement.receiver_id),
            "places_left": services.places_left(agreement.offer),
        },
        status=status,
    )


@require_safe
def agreement(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    found = object_for_request(
        request,
        program,
        selectors.AGREEMENT_QUERYSET,
        pk,
        view_perm=services.VIEW_AGREEMENT,
    )
    return _agreement_page(request, found)


@require_POST
def agreement_decide(request: HttpRequest, program: str, pk: int) -> HttpResponse:
    found = object_for_request(
        request,
        program,
        selectors.AGREEMENT_QUERYSET,
        pk,
        view_perm=services.VIEW_AGREEMENT,
    )
    user = request.user
    allowed = {
        services.AGREE: user.has_perm(services.DECIDE, found),
        services.DECLINE: user.has_perm(services.DECIDE, found),
        services.WITHDRAW_ACTION: user.has_perm(services.WITHDRAW, found),
        services.END: user.has_perm(services.DECIDE, found)
        or user.has_perm(services.WITHDRAW, found),
    }
    action = posted_choice(request, "action", allowed)
    if action is None:
        return redirect(_agreement_url(found))
    if not allowed[action]:
        refuse(request, hidden=False)
    form = DecisionForm(request.POST)
    decided: list[ServiceAgreement] = []

    def decide() -> None:
        data = form.cleaned_data
        decided.append(
            services.agreement_decide(
                user=user,
                agreement=found,
                action=data["action"],
                note=data.get("note") or "",
                starts_on=data.get("starts_on"),
                ends_on=data.get("ends_on"),
                base_url=_base_url(request),
            )
        )

    if service_attempt(form, decide):
        done: dict[str, str] = {
            AgreementStatus.AGREED: _("Agreed: the two organizations are now linked."),
            AgreementStatus.DECLINED: _("Declined: the organization that asked was told."),
            AgreementStatus.WITHDRAWN: _("Request withdrawn."),
            AgreementStatus.ENDED: _("The agreement has ended."),
        }
        messages.success(request, done.get(decided[0].status, _("Saved.")))
        return redirect(_agreement_url(decided[0]))
    return _agreement_page(request, found, form=form, status=400)
