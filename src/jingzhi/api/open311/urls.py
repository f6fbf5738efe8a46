from django.urls import path, re_path

from jingzhi.api.open311 import views

FMT = r"(?P<fmt>xml|json)"

urlpatterns = [
    re_path(rf"^discovery\.{FMT}$", views.Discovery.as_view(), name="discovery"),
    re_path(rf"^services\.{FMT}$", views.ServiceList.as_view(), name="services"),
    re_path(rf"^services/(?P<code>[^/]+)\.{FMT}$", views.ServiceDefinition.as_view(), name="service_definition"),
    re_path(rf"^requests\.{FMT}$", views.Requests.as_view(), name="requests"),
    re_path(rf"^requests/(?P<number>[^/]+)\.{FMT}$", views.RequestDetail.as_view(), name="request_detail"),
    re_path(rf"^tokens/(?P<token>[^/]+)\.{FMT}$", views.TokenDetail.as_view(), name="token"),
    re_path(rf"^servicerequestupdates\.{FMT}$", views.ServiceRequestUpdates.as_view(), name="updates"),
    path("<path:rest>", views.not_found),
    path("", views.not_found),
]
