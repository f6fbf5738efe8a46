from django.urls import path

from jingzhi.api.v1 import cases, reference
from jingzhi.api.v1.actions import ENDPOINTS, make_view

urlpatterns = [
    path("cases/", cases.CaseListCreate.as_view(), name="case_list"),
    path("cases/<str:number>/", cases.CaseDetail.as_view(), name="case_detail"),
    *[
        path(f"cases/<str:number>/{e.slug}/", make_view(e).as_view(), name=f"case_{e.slug.replace('/', '_')}")
        for e in ENDPOINTS
    ],
    path("units/", reference.UnitList.as_view(), name="unit_list"),
    path("divisions/", reference.DivisionList.as_view(), name="division_list"),
    path("categories/", reference.CategoryList.as_view(), name="category_list"),
    path("routing/", reference.RoutingDryRun.as_view(), name="routing"),
]
