"""The network app's models: ties, their analysis kept per cycle, suggested introductions and
network surveys."""

from .analysis import (
    ActorMetrics,
    AnalysisRun,
    AnalysisStatus,
    NetworkSnapshot,
    Opportunity,
    OpportunityKind,
    OpportunityStatus,
)
from .surveys import (
    Frequency,
    NominationStatus,
    ResourceKind,
    Survey,
    SurveyAnswer,
    SurveyInvitation,
    SurveyNomination,
    SurveyStatus,
)
from .ties import Intensity, Provenance, Tie, TieQuerySet, TieType

__all__ = [
    "ActorMetrics",
    "AnalysisRun",
    "AnalysisStatus",
    "Frequency",
    "Intensity",
    "NetworkSnapshot",
    "NominationStatus",
    "Opportunity",
    "OpportunityKind",
    "OpportunityStatus",
    "Provenance",
    "ResourceKind",
    "Survey",
    "SurveyAnswer",
    "SurveyInvitation",
    "SurveyNomination",
    "SurveyStatus",
    "Tie",
    "TieQuerySet",
    "TieType",
]
