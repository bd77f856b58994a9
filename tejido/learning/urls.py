"""Learning URLs: each area keeps its own list in its package; they are joined here.

Every address of a program starts with `p/<program>/learning/`; certificate verification is
public at `verify/`.
"""

from __future__ import annotations

from .attendance.urls import urlpatterns as attendance_urls
from .community.urls import urlpatterns as community_urls
from .courses.urls import urlpatterns as course_urls
from .library.urls import urlpatterns as library_urls

app_name = "learning"

urlpatterns = [
    *course_urls,
    *attendance_urls,
    *community_urls,
    *library_urls,
]
