"""Reviews URLs, joined into the funds app's (names are `funds:...`)."""

from django.urls import path

from . import views

P = "p/<slug:program>/funds/"
CALL = f"{P}calls/<int:pk>/reviews/"

urlpatterns = [
    path(f"{P}reviews/", views.my_reviews, name="my_reviews"),
    path(f"{P}reviews/<int:assignment>/", views.review, name="review"),
    path(CALL, views.review_overview, name="review_overview"),
    path(f"{CALL}assign/", views.review_assign, name="review_assign"),
    path(f"{CALL}conflicts/", views.review_conflicts, name="review_conflicts"),
    path(f"{CALL}extra/<int:application>/", views.review_extra, name="review_extra"),
    path(f"{CALL}declare/", views.review_declare, name="review_declare"),
    path(f"{CALL}pool/", views.review_pool, name="review_pool"),
    path(f"{CALL}pool/<int:reviewer>/", views.review_pool_edit, name="review_pool_edit"),
    path(f"{CALL}pool/<int:reviewer>/active/", views.review_pool_active, name="review_pool_active"),
]
