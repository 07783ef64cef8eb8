"""Background jobs: a job and its result are its owner's, while the job's unit is in their scope."""
from __future__ import annotations

from danvan.core.policies import rule


@rule("Job", "view")
def job_visible(user, job) -> bool:
    from danvan.core.access import in_scope  # access imports policies

    return job.owner_id == user.id and in_scope(user, job.unit)
