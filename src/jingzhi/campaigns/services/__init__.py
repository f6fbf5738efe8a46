"""Every change to a campaign or key project goes through one of these functions."""

from jingzhi.campaigns.services.campaigns import (
    campaign_create,
    campaign_set_status,
    campaign_update,
    indicator_define,
    metric_define,
    milestone_add,
    milestone_complete,
)
from jingzhi.campaigns.services.obstacles import obstacle_raise
from jingzhi.campaigns.services.projects import project_investment_set, project_stage_set
from jingzhi.campaigns.services.reports import report_submit, week_of
from jingzhi.campaigns.services.subitems import sub_item_upsert, sub_items_import

__all__ = [
    "campaign_create",
    "campaign_set_status",
    "campaign_update",
    "indicator_define",
    "metric_define",
    "milestone_add",
    "milestone_complete",
    "obstacle_raise",
    "project_investment_set",
    "project_stage_set",
    "report_submit",
    "sub_item_upsert",
    "sub_items_import",
    "week_of",
]
