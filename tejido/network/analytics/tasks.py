"""Background work of the network analytics, run by the task worker (`tejido serve` starts
one; `tejido db_worker` runs one on its own)."""

from __future__ import annotations

from django.tasks import task


@task
def compute_analysis(run_id: int) -> int | None:
    """Compute a requested analysis; returns the new snapshot's id (None if the run is gone
    or already finished, e.g. a task delivered twice)."""
    from ..models import AnalysisRun, AnalysisStatus
    from .services import analysis_compute

    run = AnalysisRun.objects.select_related("program", "cycle").filter(pk=run_id).first()
    if run is None or run.status not in (AnalysisStatus.QUEUED, AnalysisStatus.RUNNING):
        return None
    return analysis_compute(run).pk
