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
    "restore": _("Backup restored"),
    # The sign-in, rate-limit and admin-change events of issue 10 add their labels here as they land.
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
}


def object_label(object_type: str) -> str:
    label = OBJECT_LABELS.get(object_type)
    return str(label) if label is not None else object_type


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def action_choices() -> list[tuple[str, str]]:
    return sorted(((name, str(label)) for name, label in ACTION_LABELS.items()), key=lambda c: c[0])
