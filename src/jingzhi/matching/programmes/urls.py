"""Programme pages (mounted at /programmes/)."""

from django.urls import path

from jingzhi.matching.programmes import views

app_name = "programmes"
urlpatterns = [
    path("", views.programme_list, name="list"),
    path("new/", views.programme_edit, name="new"),
    path("coverage/", views.coverage, name="coverage"),
    path("efforts/", views.effort_list, name="efforts"),
    path("efforts/<int:pk>/", views.effort_detail, name="effort"),
    path("figures/import/", views.figures_import, name="figures_import"),
    path("figures/template/", views.figures_template, name="figures_template"),
    path("divisions/<int:pk>/", views.division_page, name="division"),
    path("divisions/<int:pk>/figures/", views.figures_edit, name="figures"),
    path("<int:pk>/", views.programme_detail, name="detail"),
    path("<int:pk>/edit/", views.programme_edit, name="edit"),
    path("<int:pk>/publish/", views.programme_state, {"action": "publish"}, name="publish"),
    path("<int:pk>/withdraw/", views.programme_state, {"action": "withdraw"}, name="withdraw"),
    path("<int:pk>/apply/<int:division_pk>/", views.effort_new, name="apply"),
]
