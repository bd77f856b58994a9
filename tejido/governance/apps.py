from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GovernanceConfig(AppConfig):
    name = "tejido.governance"
    label = "governance"
    verbose_name = _("Governance")

    def ready(self) -> None:
        from tejido.core.panels import register_actor_panel

        from .bodies.panels import actor_governance_panel

        # The actor profile (network app) shows an organization's seats and agreements.
        register_actor_panel(actor_governance_panel)
