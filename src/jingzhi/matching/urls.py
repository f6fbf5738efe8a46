"""Policy matching pages."""

from django.urls import path

from jingzhi.matching import views, views_benefits

app_name = "matching"
urlpatterns = [
    path("", views.policy_list, name="list"),
    path("new/", views.policy_edit, name="new"),
    path("<int:pk>/", views.policy_detail, name="detail"),
    path("<int:pk>/edit/", views.policy_edit, name="edit"),
    path("<int:pk>/publish/", views.policy_state, {"action": "publish"}, name="publish"),
    path("<int:pk>/withdraw/", views.policy_state, {"action": "withdraw"}, name="withdraw"),
    path("queue/", views.grant_queue, name="queue"),
    path("grants/<int:pk>/", views.grant_detail, name="grant"),
    path("grants/<int:pk>/decide/", views.grant_decide_view, name="decide"),
    path("grants/<int:pk>/object/", views.grant_object_view, name="object"),
    path("grants/<int:pk>/account/", views_benefits.grant_account, name="grant_account"),
    path("grants/<int:pk>/pay/", views_benefits.grant_pay_view, name="grant_pay"),
    path("grants/<int:pk>/reveal/", views_benefits.reveal, {"kind": "grant"}, name="grant_reveal"),
    path("<int:pk>/apply/", views_benefits.apply, name="apply"),
    path("applications/", views_benefits.application_queue, name="applications"),
    path("applications/<int:pk>/", views_benefits.application_detail, name="application"),
    path("applications/<int:pk>/decide/", views_benefits.application_decide_view, name="application_decide"),
    path("applications/<int:pk>/pay/", views_benefits.application_pay_view, name="application_pay"),
    path("applications/<int:pk>/reveal/", views_benefits.reveal, {"kind": "application"}, name="application_reveal"),
    path("door/", views.door, name="door"),
    path("door/account/", views_benefits.door_account, name="door_account"),
    path("enterprises/<int:pk>/", views.enterprise_matches, name="enterprise"),
]
