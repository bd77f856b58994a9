"""Views of the network app: the actor profile, the tie forms and the network map."""

from .map import map_data, network_map
from .profile import actor_profile, tie_history
from .ties import tie_create, tie_edit, tie_end, tie_partner_search

__all__ = [
    "actor_profile",
    "map_data",
    "network_map",
    "tie_create",
    "tie_edit",
    "tie_end",
    "tie_history",
    "tie_partner_search",
]
