"""Enterprise service pages."""

from django.urls import path

from jingzhi.enterprises import metrics_views, views

app_name = "enterprises"
urlpatterns = [
    path("", views.enterprise_list, name="list"),
    path("new/", views.enterprise_edit, name="new"),
    path("import/", views.registry_import, name="import"),
    path("import/template.xlsx", views.registry_template, name="template"),
    path("export.xlsx", views.registry_export, name="export"),
    path("<int:pk>/", views.enterprise_detail, name="detail"),
    path("<int:pk>/edit/", views.enterprise_edit, name="edit"),
    path("<int:pk>/visit/", views.visit_add, name="visit"),
    path("<int:pk>/invite/", views.invite, name="invite"),
    path("<int:pk>/figures/", views.figures_add, name="figures"),
    path("<int:pk>/contacts/", views.contact_new, name="contacts"),
    path("door/", views.door, name="door"),
    path("needs/<str:number>/", views.door_need, name="door_need"),
    path("task-forces/", views.task_force_list, name="task_forces"),
    path("task-forces/<int:pk>/", views.task_force_board, name="board"),
    path("metrics/", metrics_views.figures_view, name="metrics"),
    path("metrics.xlsx", metrics_views.figures_export, name="metrics_export"),
]
