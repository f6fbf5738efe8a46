"""Campaign and key-project pages."""

from django.urls import path

from jingzhi.campaigns import views

app_name = "campaigns"
urlpatterns = [
    path("campaigns/", views.board, name="board"),
    path("campaigns/new/", views.create, name="create"),
    path("campaigns/ranking/", views.ranking, name="ranking"),
    path("campaigns/<int:pk>/", views.detail, name="detail"),
    path("campaigns/<int:pk>/edit/", views.edit, name="edit"),
    path("campaigns/<int:pk>/report/", views.report, name="report"),
    path("campaigns/<int:pk>/obstacle/", views.raise_obstacle, name="obstacle"),
    path("campaigns/<int:pk>/metric/", views.add_metric, name="add_metric"),
    path("campaigns/<int:pk>/indicator/", views.add_indicator, name="add_indicator"),
    path("campaigns/<int:pk>/sub-item/", views.add_sub_item, name="add_sub_item"),
    path("campaigns/<int:pk>/milestone/", views.add_milestone, name="add_milestone"),
    path("campaigns/<int:pk>/milestone/<int:milestone>/done/", views.milestone_done, name="milestone_done"),
    path("campaigns/<int:pk>/status/", views.set_status, name="status"),
    path("campaigns/<int:pk>/stage/", views.set_stage, name="stage"),
    path("campaigns/<int:pk>/investment/", views.set_investment, name="investment"),
    path("campaigns/<int:pk>/sub-items/import/", views.import_sub_items, name="import"),
    path("campaigns/<int:pk>/sub-items/export.xlsx", views.export_sub_items, name="export"),
    path("projects/", views.projects, name="projects"),
]
