from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundsConfig(AppConfig):
    name = "tejido.funds"
    label = "funds"
    verbose_name = _("Competitive funds")

    def ready(self) -> None:
        from tejido.core.panels import register_actor_panel

        from .awards.panels import actor_funds_panel

        # The actor profile (network app) shows an organization's applications and awards.
        register_actor_panel(actor_funds_panel)
