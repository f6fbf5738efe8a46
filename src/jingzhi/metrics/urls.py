"""Metric pages under /metrics/."""

from django.urls import path

from jingzhi.metrics import views

app_name = "metrics"
urlpatterns = [
    path("", views.metrics_page, name="figures"),
    path("rankings/", views.rankings, name="rankings"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("unit/", views.unit_dashboard, name="unit_dashboard"),
    path("brief/", views.daily_brief, name="brief"),
    path("report/", views.monthly_report, name="report"),
    path("assets/echarts.esm.js", views.echarts_js, name="echarts"),
]
