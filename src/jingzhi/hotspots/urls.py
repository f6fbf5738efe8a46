"""Hotspot pages."""

from django.urls import path

from jingzhi.hotspots import views

app_name = "hotspots"
urlpatterns = [
    path("", views.hotspot_list, name="list"),
    path("<int:pk>/", views.hotspot_detail, name="detail"),
    path("<int:pk>/dispatch/", views.dispatch_all, name="dispatch_all"),
    path("<int:pk>/proactive/", views.open_proactive, name="proactive"),
]
