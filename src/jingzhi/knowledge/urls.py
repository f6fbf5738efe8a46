"""Knowledge base pages: the workbench's (signed in), the intake panel, and the public ones."""

from django.urls import path

from jingzhi.knowledge import reply_views, views

app_name = "knowledge"
urlpatterns = [
    path("knowledge/", views.article_list, name="list"),
    path("knowledge/new/", views.article_new, name="new"),
    path("knowledge/from-case/", views.draft_from_case, name="from_case"),
    path("knowledge/figures/", views.figures, name="figures"),
    path("knowledge/synonyms/", views.synonyms, name="synonyms"),
    path("knowledge/intake/suggest/", views.intake_suggest, name="intake_suggest"),
    path("knowledge/replies/", reply_views.reply_board, name="reply_board"),
    path("knowledge/replies/policy/", reply_views.reply_policy, name="reply_policy"),
    path("knowledge/replies/check/<str:number>/", reply_views.reply_check, name="reply_check"),
    path("knowledge/<int:pk>/", views.article_detail, name="detail"),
    path("knowledge/<int:pk>/edit/", views.article_edit, name="edit"),
    path("knowledge/<int:pk>/<str:action>/", views.article_act, name="act"),
    path("public/knowledge/", views.public_list, name="public_list"),
    path("public/knowledge/<int:pk>/", views.public_detail, name="public_detail"),
]
