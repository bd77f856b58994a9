from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CooperationConfig(AppConfig):
    name = "tejido.cooperation"
    verbose_name = _("Intercooperation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tejido.core.panels import register_actor_panel

        from . import rules  # noqa: F401  (registers the permissions)
        from .board.panels import actor_cooperation_panel

        register_actor_panel(actor_cooperation_panel)
