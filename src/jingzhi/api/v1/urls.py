from django.urls import path

from jingzhi.api.v1 import campaigns, cases, disputes, earlywarning, enterprises, reference, supplydemand
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
    path("campaigns/", campaigns.CampaignList.as_view(), name="campaign_list"),
    path("projects/", campaigns.ProjectList.as_view(), name="project_list"),
    path("campaigns/<int:pk>/", campaigns.CampaignDetail.as_view(), name="campaign_detail"),
    path("campaigns/<int:pk>/status/", campaigns.CampaignStatusView.as_view(), name="campaign_status"),
    path("campaigns/<int:pk>/metrics/", campaigns.MetricList.as_view(), name="campaign_metrics"),
    path("campaigns/<int:pk>/indicators/", campaigns.IndicatorList.as_view(), name="campaign_indicators"),
    path("campaigns/<int:pk>/indicators/<int:indicator_id>/", campaigns.IndicatorDetail.as_view(),
         name="campaign_indicator"),
    path("campaigns/<int:pk>/sub-items/", campaigns.SubItemList.as_view(), name="campaign_sub_items"),
    path("campaigns/<int:pk>/milestones/", campaigns.MilestoneList.as_view(), name="campaign_milestones"),
    path("campaigns/<int:pk>/milestones/<int:milestone_id>/complete/", campaigns.MilestoneComplete.as_view(),
         name="campaign_milestone_complete"),
    path("campaigns/<int:pk>/reports/", campaigns.ReportList.as_view(), name="campaign_reports"),
    path("campaigns/<int:pk>/cases/", campaigns.LinkedCaseList.as_view(), name="campaign_cases"),
    path("campaigns/<int:pk>/stages/", campaigns.StageView.as_view(), name="project_stages"),
    path("campaigns/<int:pk>/investments/", campaigns.InvestmentView.as_view(), name="project_investments"),
    path("enterprises/", enterprises.EnterpriseListCreate.as_view(), name="enterprise_list"),
    path("enterprises/<int:pk>/", enterprises.EnterpriseDetail.as_view(), name="enterprise_detail"),
    path("enterprises/<int:pk>/needs/", enterprises.NeedListCreate.as_view(), name="enterprise_needs"),
    path("enterprises/<int:pk>/visits/", enterprises.VisitListCreate.as_view(), name="enterprise_visits"),
    path("listings/", supplydemand.ListingListCreate.as_view(), name="listing_list"),
    path("listings/<int:pk>/suggestions/", supplydemand.ListingSuggestions.as_view(), name="listing_suggestions"),

    path("sites/", earlywarning.SiteList.as_view(), name="site_list"),
    path("sites/import/", earlywarning.SiteImport.as_view(), name="site_import"),
    path("warnings/", earlywarning.WarningList.as_view(), name="warning_list"),
    path("warnings/cap/", earlywarning.WarningCapUpload.as_view(), name="warning_cap"),
    path("warnings/<int:pk>/", earlywarning.WarningDetail.as_view(), name="warning_detail"),
    path("warning-tasks/", earlywarning.TaskList.as_view(), name="warning_task_list"),
    path("warning-tasks/<int:pk>/", earlywarning.TaskDetail.as_view(), name="warning_task_detail"),
    path("warning-tasks/<int:pk>/events/", earlywarning.TaskEvents.as_view(), name="warning_task_events"),
    path("warning-tasks/<int:pk>/acknowledge/", earlywarning.TaskAcknowledge.as_view(), name="warning_task_acknowledge"),
    path("warning-tasks/<int:pk>/progress/", earlywarning.TaskProgress.as_view(), name="warning_task_progress"),
    path("warning-tasks/<int:pk>/report/", earlywarning.TaskReport.as_view(), name="warning_task_report"),
    path("warning-tasks/<int:pk>/photos/<int:photo>/", earlywarning.TaskPhotoDownload.as_view(),
         name="warning_task_photo"),

    path("disputes/", disputes.DisputeListCreate.as_view(), name="dispute_list"),
    path("disputes/from-case/", disputes.DisputeFromCase.as_view(), name="dispute_from_case"),
    path("disputes/figures/", disputes.DisputeFigures.as_view(), name="dispute_figures"),
    path("disputes/<int:pk>/", disputes.DisputeDetail.as_view(), name="dispute_detail"),
    path("disputes/<int:pk>/steps/", disputes.DisputeSteps.as_view(), name="dispute_steps"),
    path("disputes/<int:pk>/risk/", disputes.DisputeRisk.as_view(), name="dispute_risk"),
    path("disputes/<int:pk>/end/", disputes.DisputeEnd.as_view(), name="dispute_end"),
    path("disputes/<int:pk>/visits/", disputes.DisputeVisits.as_view(), name="dispute_visits"),
    path("disputes/<int:pk>/visits/<int:visit_id>/", disputes.DisputeVisitRecord.as_view(), name="dispute_visit_record"),
    path("disputes/<int:pk>/cases/", disputes.DisputeCases.as_view(), name="dispute_cases"),
]
