from django.contrib import admin
from django.urls import include, path

from tejido.api.api import api

urlpatterns = [
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
    path("", include("tejido.core.urls")),
    path("accounts/", include("tejido.accounts.urls")),
    path("", include("tejido.actors.urls")),
    path("", include("tejido.network.urls")),
    path("", include("tejido.governance.urls")),
    path("", include("tejido.funds.urls")),
    path("", include("tejido.learning.urls")),
    path("", include("tejido.cooperation.urls")),
    path("", include("tejido.dashboards.urls")),
]
