from django.urls import path

from . import views

app_name = "dashboards"

urlpatterns = [
    path("p/<slug:program>/", views.program_home, name="program"),
]
