"""The dispute register's pages."""

from django.urls import path

from jingzhi.disputes import views

app_name = "disputes"
urlpatterns = [
    path("", views.dispute_list, name="list"),
    path("new/", views.dispute_new, name="new"),
    path("figures/", views.figure_page, name="figures"),
    path("from-case/<str:number>/", views.dispute_from_case, name="from_case"),
    path("<int:pk>/", views.dispute_detail, name="detail"),
    path("<int:pk>/step/", views.step_add, name="step"),
    path("<int:pk>/risk/", views.risk_set, name="risk"),
    path("<int:pk>/end/", views.end, name="end"),
    path("<int:pk>/visit/", views.visit_schedule, name="visit"),
    path("<int:pk>/visit/<int:visit_id>/", views.visit_record, name="visit_record"),
    path("<int:pk>/link/", views.link_case, name="link"),
]
