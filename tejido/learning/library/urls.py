"""Library URLs, joined into the learning app's (names are `learning:...`)."""

from django.urls import path

from . import views

P = "p/<slug:program>/learning/library/"

urlpatterns = [
    path(P, views.library, name="library"),
    path(f"{P}new/", views.item_create, name="item_create"),
    path(f"{P}<int:pk>/", views.item, name="item"),
    path(f"{P}<int:pk>/edit/", views.item_edit, name="item_edit"),
    path(f"{P}<int:pk>/publish/", views.item_publish, name="item_publish"),
    path(f"{P}<int:pk>/files/<int:file_pk>/", views.item_file, name="item_file"),
    path(
        f"{P}<int:pk>/files/<int:file_pk>/remove/",
        views.item_file_remove,
        name="item_file_remove",
    ),
    path(
        f"{P}<int:pk>/links/<int:link_pk>/remove/",
        views.item_link_remove,
        name="item_link_remove",
    ),
]
