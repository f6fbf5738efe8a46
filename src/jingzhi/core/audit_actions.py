"""The audit log's action names and their labels (Chinese through the catalogue).

`AuditLog.action` is a plain string so that any module can add an event without a migration; this
table gives each known name its label for the admin page and the export. Add a line with a new action.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ACTION_LABELS: dict[str, Promise] = {
    # personal data
    "reveal": _("Personal data revealed"),
    # exports and downloads
    "export": _("Data exported"),
    "attachment_download": _("Attachment downloaded"),
    "warning_photo_download": _("On-site photo downloaded"),
    "audit_export": _("Audit log exported"),
    # imports
    "import": _("Data imported"),
    "calendar_import": _("Calendar imported"),
    # calendar
    "calendar_day_set": _("Calendar day set"),
    "calendar_day_clear": _("Calendar day cleared"),
    # keys, administrators, roles
    "apikey_create": _("API key created"),
    "apikey_revoke": _("API key revoked"),
    "admin_create": _("Administrator created or reset"),
    # the log itself, backups
    "audit_purge": _("Old audit rows purged"),
    "backup": _("Backup made"),
    "dispute_rekey": _("Dispute register re-keyed"),
    "restore": _("Backup restored"),
    # sign-in, sessions, second factor, rate limits (issue 10)
    "login": _("Signed in"),
    "login_failed": _("Sign-in failed"),
    "lockout": _("Sign-in locked"),
    "logout": _("Signed out"),
    "login_unlocked": _("Sign-in lock lifted"),
    "password_set": _("Initial password set"),
    "password_changed": _("Password changed"),
    "otp_enrolled": _("Second factor enrolled"),
    "otp_verified": _("Second factor verified"),
    "otp_failed": _("Second factor failed"),
    "otp_reset": _("Second factor reset"),
    "ratelimit.refused": _("Refused by a rate limit"),
    "ratelimit.locked": _("Locked by a rate limit"),
    "case.review_release": _("Held submission released"),
    "case.review_reject": _("Held submission rejected"),
    "apikey_rate": _("API key rate changed"),
    # changes made by administrators (issue 9): organisation, policy, responsibility
    "division_create": _("Division created"),
    "division_update": _("Division changed"),
    "division_tree_import": _("Division tree imported"),
    "unit_create": _("Unit created"),
    "unit_update": _("Unit changed"),
    "user_create": _("User created"),
    "user_update": _("User changed"),
    "enterprise_create": _("Enterprise created"),
    "enterprise_update": _("Enterprise changed"),
    "category_create": _("Category created"),
    "category_update": _("Category changed"),
    "sla_rule_create": _("Time-limit rule created"),
    "sla_rule_update": _("Time-limit rule changed"),
    "sla_rule_delete": _("Time-limit rule deleted"),
    "routing_rule_create": _("Routing rule created"),
    "routing_rule_update": _("Routing rule changed"),
    "routing_rule_delete": _("Routing rule deleted"),
    "sla_policy_update": _("Time-limit policy changed"),
    "metric_policy_update": _("Assessment weights changed"),
    "dispatch_settings_update": _("Dispatch settings changed"),
    "responsibility_assign": _("Responsibility (包保) assigned"),
    "responsibility_update": _("Responsibility (包保) changed"),
    "enterprise_user_invite": _("Enterprise user invited"),
    "task_force_save": _("Task force (专班) saved"),
    "need_time_limit_set": _("Enterprise need time limit changed"),

    "warning_import": _("Warning imported (CAP)"),
    "warning_create": _("Warning issued"),
    "warning_cancel": _("Warning cancelled"),
    "warning_rule_save": _("Warning rule saved"),
    "seasonal_rule_save": _("Seasonal expectation saved"),
    "preparation_done": _("Seasonal preparation marked done"),
}


# What an audit row is about (AuditLog.object_type).
OBJECT_LABELS: dict[str, Promise] = {
    "case": _("case"),
    "case_list": _("case list"),
    "attachment": _("attachment"),
    "user": _("user"),
    "unit": _("unit"),
    "division": _("division"),
    "category": _("category"),
    "category_tree": _("category tree"),
    "calendar_day": _("calendar day"),
    "sub_item": _("campaign sub-items"),
    "campaign_sub_items": _("campaign sub-items"),
    "metrics": _("metrics and reports"),
    "api_key": _("API key"),
    "audit_log": _("audit log"),
    "site": _("whole site (database and attachments)"),
    "enterprise": _("enterprise"),
    "responsibility": _("responsibility (包保)"),
    "sla_rule": _("time-limit rule"),
    "routing_rule": _("routing rule"),
    "sla_policy": _("time-limit policy"),
    "metric_policy": _("assessment weights"),
    "dispatch_settings": _("dispatch settings"),
    "door": _("public door"),
    "task_force": _("task force (专班)"),
    "need_time_limit": _("enterprise need time limit"),
    "warning": _("warning"),
    "warning_rule": _("warning rule"),
    "seasonal_rule": _("seasonal expectation"),
    "task_photo": _("on-site photo"),
    "danger_site": _("danger sites"),
    "preparation_task": _("seasonal preparation task"),
}


def object_label(object_type: str) -> str:
    label = OBJECT_LABELS.get(object_type)
    return str(label) if label is not None else object_type


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def action_choices() -> list[tuple[str, str]]:
    return sorted(((name, str(label)) for name, label in ACTION_LABELS.items()), key=lambda c: c[0])
