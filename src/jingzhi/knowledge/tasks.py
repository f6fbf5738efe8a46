"""Background tasks of the knowledge base."""

from __future__ import annotations

from django_tasks import task

from jingzhi.knowledge.services import article_flag_sweep


@task()
def run_flag_sweep() -> dict[str, int]:
    """Tell units about their expired and past-review articles (registered in the app's AppConfig.ready())."""
    return {"flagged": article_flag_sweep()}


@task()
def run_reply_sweep() -> dict[str, int]:
    """Check the replies sent without the case page, for the board of sent replies."""
    from jingzhi.knowledge.reply_services import sweep_sent_replies

    return {"checked": sweep_sent_replies()}
