"""Policy matching pages."""

from django.urls import path

from jingzhi.matching import views

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
    path("door/", views.door, name="door"),
    path("enterprises/<int:pk>/", views.enterprise_matches, name="enterprise"),
]
