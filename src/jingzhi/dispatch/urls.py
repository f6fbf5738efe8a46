"""Dispatch pages (under /dispatch/)."""

from django.urls import path

from jingzhi.dispatch import views

app_name = "dispatch"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("dry-run/", views.dry_run, name="dry_run"),
    path("suggest/", views.suggest, name="suggest"),
]
