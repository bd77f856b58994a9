"""Forms of the accounts pages: login, password reset, profile, API tokens and program roles."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from tejido.actors.models import Actor
from tejido.core.models import Program
from tejido.core.text import normalize_for_search

from .models import ApiToken, Role, User

# A user juggling more tokens than this has lost track of them; revoking one is the fix.
MAX_ACTIVE_TOKENS = 20
# How many organizations a search offers to choose from.
ORGANIZATION_CHOICES_LIMIT = 20


def normalize_email(value: str) -> str:
    """E-mail addresses are stored lower-cased; compare them the same way."""
    return value.strip().lower()


class LoginForm(AuthenticationForm):
    """Log in with the e-mail address, whatever its case, from a field phones know as e-mail."""

    username = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    error_messages = {
        "invalid_login": _(
            "That e-mail address and password do not match an account. Check both and try again."
        ),
        "inactive": _("This account has been deactivated."),
    }

    def clean_username(self) -> str:
        return normalize_email(self.cleaned_data["username"])


class LocalizedPasswordResetForm(PasswordResetForm):
    """Send the reset e-mail in the language its reader chose, else in the page's language."""

    def send_mail(
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        language = getattr(context.get("user"), "preferred_language", "") or (
            translation.get_language() or settings.LANGUAGE_CODE
        )
        with translation.override(language):
            super().send_mail(
                subject_template_name,
                email_template_name,
                context,
                from_email,
                to_email,
                html_email_template_name=html_email_template_name,
            )


class ProfileForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    preferred_language = forms.ChoiceField(
        label=_("Language"),
        required=False,
        help_text=_("Pages and e-mails use this language after you log in."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["preferred_language"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            ("", _("As the browser prefers")),
            *[
                (code, translation.get_language_info(code)["name_local"].capitalize())
                for code, _name in settings.LANGUAGES
            ],
        ]
        self.fields["first_name"].widget.attrs["autocomplete"] = "given-name"
        self.fields["last_name"].widget.attrs["autocomplete"] = "family-name"


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("What the token is for, so you recognise it later, e.g. “survey script”."),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_name(self) -> str:
        name: str = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the token a name."))
        return name

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        active = ApiToken.objects.filter(user=self.user, revoked_at__isnull=True).count()
        if active >= MAX_ACTIVE_TOKENS:
            raise forms.ValidationError(
                _("You already have %(count)s active tokens. Revoke one you no longer use first.")
                % {"count": active}
            )
        return cleaned


class RoleGrantForm(forms.Form):
    """Grant a role to an existing account; representatives also name their organization.

    The organization is found by name among the program's organizations (never a select of all
    of them: a program may have a hundred thousand actors). When several match, the form offers
    them as choices and asks the administrator to pick one.
    """

    email = forms.EmailField(
        label=_("E-mail address of the person"),
        max_length=254,
        help_text=_("The person needs an account already."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    # No role is preselected: granting "administrator" by an unnoticed default would be costly.
    role = forms.ChoiceField(label=_("Role"), choices=[("", _("Choose a role…")), *Role.choices])
    organization_query = forms.CharField(
        label=_("Organization they represent"),
        max_length=200,
        required=False,
        help_text=_("Only for organization representatives. Type part of its name."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    organization = forms.TypedChoiceField(
        label=_("Choose the organization"),
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        self.program = program
        self.user: User | None = None
        self.organization_obj: Actor | None = None
        super().__init__(*args, **kwargs)
        self.set_organization_choices(self._candidates_from_data())

    def organizations(self) -> Any:
        return Actor.objects.organizations().filter(program=self.program)

    def search_organizations(self, query: str) -> list[Actor]:
        needle = normalize_for_search(query)
        if not needle:
            return []
        return list(
            self.organizations()
            .filter(search_text__contains=needle)
            .select_related("territory")
            .order_by("name", "id")[: ORGANIZATION_CHOICES_LIMIT + 1]
        )

    def set_organization_choices(self, candidates: list[Actor]) -> None:
        field = self.fields["organization"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(a.pk, organization_label(a)) for a in candidates]

    def _candidates_from_data(self) -> list[Actor]:
        # Re-offer the organization picked before (or the matches of the query) when the form
        # comes back with an error, so the choice survives a round trip.
        if not self.is_bound:
            return []
        picked = self.data.get(self.add_prefix("organization"))
        if picked and str(picked).isdigit():
            found = list(self.organizations().filter(pk=int(picked)).select_related("territory"))
            if found:
                return found
        query = self.data.get(self.add_prefix("organization_query"), "")
        return self.search_organizations(str(query))[:ORGANIZATION_CHOICES_LIMIT]

    def clean_email(self) -> str:
        email = normalize_email(self.cleaned_data["email"])
        self.user = User.objects.filter(email=email).first()
        if self.user is None:
            raise forms.ValidationError(
                _(
                    "No account uses %(email)s. Ask the platform's administrators to create it, "
                    "then grant the role."
                )
                % {"email": email}
            )
        return email

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        role = cleaned.get("role")
        query = (cleaned.get("organization_query") or "").strip()
        picked = cleaned.get("organization")
        if role != Role.ORGANIZATION_REPRESENTATIVE:
            if query or picked:
                self.add_error(
                    "organization_query",
                    _("Only organization representatives represent an organization."),
                )
            return cleaned
        if picked:
            self.organization_obj = self.organizations().filter(pk=picked).first()
            if self.organization_obj is None:
                self.add_error("organization", _("Choose an organization of this program."))
            return cleaned
        if not query:
            self.add_error("organization_query", _("Name the organization this person represents."))
            return cleaned
        candidates = self.search_organizations(query)
        exact = [
            a for a in candidates if normalize_for_search(a.name) == normalize_for_search(query)
        ]
        if len(exact) == 1:
            self.organization_obj = exact[0]
        elif len(candidates) == 1:
            self.organization_obj = candidates[0]
        elif not candidates:
            self.add_error(
                "organization_query",
                _("No organization of this program matches “%(query)s”.") % {"query": query},
            )
        else:
            self.set_organization_choices(candidates[:ORGANIZATION_CHOICES_LIMIT])
            self.add_error(
                "organization",
                _("Several organizations match “%(query)s”. Choose one.") % {"query": query},
            )
        return cleaned


def organization_label(actor: Actor) -> str:
    if actor.territory_id and actor.territory is not None:
        return f"{actor.name} · {actor.territory.name}"
    return actor.name
