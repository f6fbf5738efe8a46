from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "jingzhi.knowledge"
    label = "knowledge"
    verbose_name = _("Knowledge base")

    def ready(self) -> None:
        # A case whose description cites an article (inserted from the intake panel) records the link; cases
        # never imports knowledge (ADR 011). Past-review and expired articles are flagged to their unit daily.
        from jingzhi.cases import hooks
        from jingzhi.core.scheduler import PeriodicJob, register_periodic
        from jingzhi.knowledge.services import case_cited_articles

        hooks.on_case_created(case_cited_articles)
        register_periodic(PeriodicJob("knowledge_flags", "jingzhi.knowledge.tasks.run_flag_sweep", 6 * 3600))
        # Replies sent without the case page (the API) are checked for the board of sent replies (ADR 025).
        register_periodic(PeriodicJob("reply_check_sweep", "jingzhi.knowledge.tasks.run_reply_sweep", 3600))
