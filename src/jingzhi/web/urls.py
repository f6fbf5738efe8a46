"""The web pages: the workbench (signed in) and the public site."""

from django.urls import path

from jingzhi.web.hotspot_campaign import hotspot_campaign
from jingzhi.web.views import (
    account,
    auth,
    bulk,
    cases,
    exports,
    intake,
    intake_knowledge,
    notifications,
    public,
    unit_review,
    workbench,
)
from jingzhi.web.views.area_map import area_map_boundaries, area_map_data
from jingzhi.web.views.common import favicon
from jingzhi.web.views.intake_panels import intake_duplicates, intake_history

app_name = "web"
urlpatterns = [
    path("", auth.home, name="home"),
    path("favicon.ico", favicon, name="favicon"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("account/password/", account.password_change, name="password_change"),
    path("account/second-factor/", account.otp_verify, name="otp_verify"),
    # workbench
    path("intake/", intake.intake, name="intake"),
    path("intake/preview/", intake.intake_preview, name="intake_preview"),
    path("intake/history/", intake_history, name="intake_history"),
    path("intake/duplicates/", intake_duplicates, name="intake_duplicates"),

    path("intake/answer/", intake_knowledge.intake_answer, name="intake_answer"),
    path("queue/dispatch/", workbench.dispatch_queue, name="dispatch_queue"),
    path("queue/dispatch/held/<str:number>/<str:decision>/", workbench.held_decide, name="held_decide"),
    path("queue/unit/", workbench.unit_queue, name="unit_queue"),
    path("queue/unit/reviews/", unit_review.review_queue, name="review_queue"),
    path("queue/unit/settings/", unit_review.review_policy, name="review_policy"),
    path("queue/bulk/<str:action>/", bulk.bulk_action, name="bulk_action"),
    path("queue/follow-up/", workbench.follow_up_queue, name="follow_up_queue"),
    path("supervision/", workbench.supervision, name="supervision"),
    path("cases/", workbench.case_list, name="case_list"),
    path("cases/export.xlsx", exports.export_xlsx, name="case_export"),
    path("cases/<str:number>/", cases.case_detail, name="case_detail"),
    path("cases/<str:number>/reveal/<str:field>/", cases.case_reveal, name="case_reveal"),
    path("cases/<str:number>/attachments/<int:pk>/", cases.attachment_download, name="attachment"),
    path("cases/<str:number>/print/", cases.case_print, name="case_print"),
    path("cases/<str:number>/<str:action>/", cases.case_action, name="case_action"),
    path("hotspots/<int:pk>/campaign/", hotspot_campaign, name="hotspot_campaign"),
    path("notifications/", notifications.notification_page, name="notifications"),
    path("map/areas.json", area_map_data, name="area_map"),
    path("map/<str:code>.geojson", area_map_boundaries, name="area_map_boundaries"),
    path("notifications/read/", notifications.notification_read, name="notifications_read"),
    path("notifications/count/", notifications.notification_count, name="notifications_count"),
    path("notifications/preference/", notifications.notification_preference, name="notifications_preference"),
    # public site
    path("public/submit/", public.submit, name="public_submit"),
    path("public/submit/done/", public.submitted, name="public_submitted"),
    path("public/lookup/", public.lookup, name="public_lookup"),
    path("public/divisions.json", public.divisions, name="public_divisions"),
]
