from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LearningConfig(AppConfig):
    name = "tejido.learning"
    verbose_name = _("Training and learning")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from tejido.core.panels import register_actor_panel

        from . import rules  # noqa: F401  (registers the permissions)
        from .attendance.panels import actor_training_panel

        register_actor_panel(actor_training_panel)
