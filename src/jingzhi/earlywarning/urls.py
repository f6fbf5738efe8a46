"""Early-warning pages."""

from django.urls import path

from jingzhi.earlywarning import views

app_name = "earlywarning"
urlpatterns = [
    path("", views.index, name="index"),
    path("cap/", views.cap_upload, name="cap_upload"),
    path("new/", views.manual_create, name="manual_create"),
    path("sites/", views.sites, name="sites"),
    path("sites/import/", views.sites_import, name="sites_import"),
    path("sites/import/template.xlsx", views.sites_template, name="sites_template"),
    path("<int:pk>/", views.board, name="board"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
    path("<int:pk>/report/", views.report, name="report"),
    path("preparations/<int:pk>/done/", views.preparation_done, name="preparation_done"),
    path("tasks/<int:pk>/", views.task, name="task"),
    path("tasks/<int:pk>/photos/<int:photo>/", views.task_photo, name="task_photo"),
    path("tasks/<int:pk>/<str:step>/", views.task_step, name="task_step"),
]
