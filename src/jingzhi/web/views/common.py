"""What the page modules share: role gates, turning service errors into form errors, safe redirects.

The helpers themselves live in core.http and org.http so that the pages of dispatch, metrics and
campaigns can use them without importing web (ADR 011); web's pages import them from here.
"""

from jingzhi.core.http import apply_error, safe_next
from jingzhi.org.http import role_required

__all__ = ["apply_error", "role_required", "safe_next"]
