"""The knowledge base: articles with their versions, where they were used on cases, and the city's synonyms."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from jingzhi.org.models import User


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    REVIEW = "review", _("Awaiting review")
    PUBLISHED = "published", _("Published")
    ARCHIVED = "archived", _("Archived")


class ArticleQuerySet(models.QuerySet["Article"]):
    def visible_to(self, user: User | Any) -> ArticleQuerySet:
        """The one visibility rule (selectors.py explains it); anonymous visitors see published public articles."""
        from jingzhi.knowledge.selectors import article_scope

        return self.filter(article_scope(user))

    def published(self) -> ArticleQuerySet:
        return self.filter(status=Status.PUBLISHED)


class Article(models.Model):
    """One known answer (知识): the ways people ask, the answer, where and until when it holds, who answers for it."""

    title = models.CharField(_("title"), max_length=200)
    questions = models.TextField(_("question forms"), blank=True, help_text=_("One way people ask per line."))
    # Plain text with paragraphs; web addresses become links when shown (no HTML is stored, nothing to sanitise).
    answer = models.TextField(_("answer"))
    category = models.ForeignKey("taxonomy.Category", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                 verbose_name=_("category"))
    # No division: the article holds in the whole city.
    divisions = models.ManyToManyField("org.Division", blank=True, related_name="+", verbose_name=_("divisions"))
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("responsible unit"))
    sources = models.TextField(_("policy sources"), blank=True, help_text=_("One policy document or link per line."))
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    review_due = models.DateField(_("review by"), null=True, blank=True)
    is_public = models.BooleanField(_("public"), default=False, help_text=_("Shown on the public pages once published."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    source_case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                    verbose_name=_("drafted from case"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+",
                                   verbose_name=_("written by"))
    created_at = models.DateTimeField(_("created"))
    updated_at = models.DateTimeField(_("updated"))
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    # What the search reads: jieba words and character pairs, synonyms folded (search.py). Head: title and questions.
    search_head = models.TextField(default="", editable=False)
    search_body = models.TextField(default="", editable=False)
    # How many terms each holds: the length normalisation of the candidate stage, read without the texts (ADR 018).
    search_head_terms = models.PositiveIntegerField(default=0, editable=False)
    search_body_terms = models.PositiveIntegerField(default=0, editable=False)
    # The body's terms counted once at index time (search.body_counts), so that the rescoring does not split and
    # count the whole body for every question (ADR 018, 2026-12-08).
    search_body_counts = models.TextField(default="", editable=False)
    # The last flag sent to the unit ("expired:2026-12-01"), so the sweep tells a unit once per reason.
    flag_sent = models.CharField(max_length=40, blank=True, default="", editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        indexes = [models.Index(fields=["unit", "status"], name="knowledge_unit_status")]

    def __str__(self) -> str:
        return f"{self.ref} {self.title}"

    @property
    def ref(self) -> str:
        """The citation written into replies and notes: KB-000123."""
        return f"KB-{self.pk:06d}"

    def question_list(self) -> list[str]:
        return [q.strip() for q in self.questions.splitlines() if q.strip()]

    def source_list(self) -> list[str]:
        return [s.strip() for s in self.sources.splitlines() if s.strip()]


class ArticleVersion(models.Model):
    """The article as it was when a version was saved; append-only, so every answer given can be read again."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    questions = models.TextField(_("question forms"), blank=True)
    answer = models.TextField(_("answer"))
    sources = models.TextField(_("policy sources"), blank=True)
    saved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    saved_at = models.DateTimeField(_("saved"))
    event = models.CharField(_("event"), max_length=20)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["article", "saved_at", "pk"]
        verbose_name = _("article version")
        verbose_name_plural = _("article versions")

    def __str__(self) -> str:
        return f"KB-{self.article_id:06d} v{self.number} {self.event}"

    @property
    def event_label(self) -> str:
        return str(EVENT_LABELS.get(self.event, self.event))


EVENT_LABELS = {"created": _("Created"), "edited": _("Edited"), "submit": _("Submitted for review"),
                "publish": _("Published"), "return": _("Returned to draft"), "archive": _("Archived")}


class Use(models.TextChoices):
    ANSWERED = "answered", _("Answered directly at intake")
    NOTE = "note", _("Inserted as a note at intake")
    CITED = "cited", _("Cited in the reply")


class ArticleUse(models.Model):
    """An article used on a case; the link lives here so that cases knows nothing of the knowledge base."""

    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="uses")
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    use = models.CharField(_("use"), max_length=10, choices=Use.choices)
    version = models.PositiveIntegerField(_("version"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    at = models.DateTimeField(_("time"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["article", "case", "use"], name="knowledge_use_once")]
        verbose_name = _("article use")
        verbose_name_plural = _("article uses")

    def __str__(self) -> str:
        return f"KB-{self.article_id:06d} {self.use} on case {self.case_id}"


class Synonym(models.Model):
    """One group of words the city uses for the same thing (the first is the one searched); edited as data."""

    words = models.CharField(_("words"), max_length=300, unique=True,
                             help_text=_("Words separated by spaces or commas; the first one stands for all."))

    class Meta:
        ordering = ["words"]
        verbose_name = _("synonym group")
        verbose_name_plural = _("synonym groups")

    def __str__(self) -> str:
        return self.words

    def word_list(self) -> list[str]:
        import re

        return [w for w in re.split(r"[\s,，、]+", self.words) if w]


class SearchTerm(models.Model):
    """How many articles hold a search term (document frequency), kept by `search.index_articles` (ADR 018).

    The ranking weighs a term by how rare it is in this base, and picks the rarest terms of a question to find
    candidates; reading these counts is one indexed lookup. The row with the empty term counts the indexed articles.
    """

    term = models.CharField(max_length=64, unique=True)
    df = models.IntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.term} {self.df}"


# ----------------------------------------------------------------------------------- the reply check (ADR 025)


class ReplyRule(models.Model):
    """One rule of the reply check: the points a finding takes off 100, the rule's own threshold, and whether a
    finding sends the reply back (退回修改) whatever the score. Seeded from reply_defaults; edited in the admin."""

    code = models.CharField(_("rule"), max_length=30, unique=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    weight = models.PositiveSmallIntegerField(_("points off"), default=0)
    threshold = models.FloatField(_("threshold"), default=0)
    blocking = models.BooleanField(_("sends the reply back"), default=False)
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("reply check rule")
        verbose_name_plural = _("reply check rules")

    def __str__(self) -> str:
        return self.code


class PhraseKind(models.TextChoices):
    DONE = "done", _("What was found or done")
    PLAN = "plan", _("What will be done")
    REASON = "reason", _("Why (not): grounds and conditions")
    REFUSAL = "refusal", _("Refusal")
    POLICY = "policy", _("Policy citation")
    TRANSFER = "transfer", _("Received / forwarded formula")
    REFERRAL = "referral", _("Sending the requester elsewhere")
    FORBIDDEN = "forbidden", _("Forbidden or impolite")
    BOILERPLATE = "boilerplate", _("Greeting or thanks (carries nothing)")
    ASK_INFO = "ask_info", _("Asking for details instead of answering")


class ReplyPhrase(models.Model):
    """One phrase of a list the reply check reads (forbidden words, refusal words, policy markers …)."""

    kind = models.CharField(_("list"), max_length=12, choices=PhraseKind.choices)
    text = models.CharField(_("phrase"), max_length=60)

    class Meta:
        ordering = ["kind", "text"]
        constraints = [models.UniqueConstraint(fields=["kind", "text"], name="knowledge_reply_phrase_once")]
        verbose_name = _("reply check phrase")
        verbose_name_plural = _("reply check phrases")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.text}"


class UnitReplyPolicy(models.Model):
    """A unit's own setting: replies at 退回修改 are sent only by the unit head (the handler cannot send them)."""

    unit = models.OneToOneField("org.Unit", on_delete=models.CASCADE, related_name="+", verbose_name=_("unit"))
    review_returned = models.BooleanField(_("head reviews replies at 退回修改"), default=False)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    updated_at = models.DateTimeField(_("updated"))

    class Meta:
        verbose_name = _("unit reply policy")
        verbose_name_plural = _("unit reply policies")

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.review_returned}"


class ReplyLevel(models.TextChoices):
    SEND = "send", _("可发 Ready to send")
    REVISE = "revise", _("建议修改 Revision suggested")
    RETURN = "return", _("退回修改 Send back for rewriting")


class ReplyCheck(models.Model):
    """The check of a reply that was sent: what it found then (the board of sent replies reads these rows)."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey("org.Unit", on_delete=models.PROTECT, null=True, related_name="+")
    score = models.PositiveSmallIntegerField(_("score"))
    level = models.CharField(_("level"), max_length=8, choices=ReplyLevel.choices, db_index=True)
    findings = models.JSONField(_("findings"), default=dict)
    reply_digest = models.CharField(max_length=64)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    # The unit head sent a reply at 退回修改 that the unit's policy holds back from handlers.
    head_override = models.BooleanField(_("sent by the head despite 退回修改"), default=False)
    checked_at = models.DateTimeField(_("checked"))

    class Meta:
        ordering = ["-checked_at", "-pk"]
        indexes = [models.Index(fields=["unit", "level", "checked_at"], name="knowledge_replycheck_board")]
        verbose_name = _("reply check")
        verbose_name_plural = _("reply checks")

    def __str__(self) -> str:
        return f"case {self.case_id}: {self.level} {self.score}"
