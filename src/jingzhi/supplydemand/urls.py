"""Supply ↔ demand pages."""

from django.urls import path

from jingzhi.supplydemand import views

app_name = "supplydemand"
urlpatterns = [
    path("", views.listing_list, name="list"),
    path("new/", views.listing_new, name="new"),
    path("door/", views.door, name="door"),
    path("<int:pk>/", views.listing_detail, name="detail"),
    path("<int:pk>/close/", views.listing_close_view, name="close"),
    path("introduce/", views.introduce, name="introduce"),
    path("introductions/", views.introduction_board, name="board"),
    path("introductions/<int:pk>/", views.introduction_detail, name="introduction"),
    path("figures/", views.figures_view, name="figures"),
]
