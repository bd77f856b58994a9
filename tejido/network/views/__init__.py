"""Views of the network app: the actor profile, the tie forms and the network map."""

from .analytics import (
    analysis_recompute,
    analysis_status,
    evolution_compute,
    network_analysis,
    network_evolution,
)
from .map import map_data, network_map
from .opportunities import actor_opportunities, opportunity_decide, opportunity_list
from .profile import actor_profile, tie_history
from .ties import tie_create, tie_edit, tie_end, tie_partner_search

__all__ = [
    "actor_opportunities",
    "actor_profile",
    "analysis_recompute",
    "analysis_status",
    "evolution_compute",
    "map_data",
    "network_analysis",
    "network_evolution",
    "network_map",
    "opportunity_decide",
    "opportunity_list",
    "tie_create",
    "tie_edit",
    "tie_end",
    "tie_history",
    "tie_partner_search",
]
