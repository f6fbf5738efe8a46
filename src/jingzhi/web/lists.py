"""The case lists the workbench shows, in one registry, so that a page and its Excel export can never disagree.

A list is a selector (the queue) narrowed by the filters every list offers (selectors.CaseFilters),
in the queue's own order with the primary key as the tie-breaker, so pages and exports are stable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import InvalidPage, Page, Paginator
from django.db.models import F, Max, QuerySet
from django.http import Http404, HttpRequest
from django.utils.functional import Promise, cached_property
from django.utils.translation import gettext_lazy as _

from jingzhi.cases import selectors
from jingzhi.cases.models import Case, Kind, Status
from jingzhi.cases.requesters import may_search_requesters
from jingzhi.core.errors import ValidationFailed
from jingzhi.org.access import has_role
from jingzhi.org.models import Role, User
from jingzhi.org.selectors import division_choices

PAGE_SIZE = 50
# Case lists count their matches exactly up to this many ("1,000+ cases" beyond): an exact COUNT(*) of a broad
# filter over millions of cases costs more than the page itself (docs/performance.md).
COUNT_CAP = 1000
# Below this many rows in the whole table (read from the primary key's maximum, one index lookup) an exact count
# is cheap whatever the filter, so lists say "3,010 cases", not "1,000+ cases" (issue 11 #7).
EXACT_COUNT_UPTO = 200_000
# The deepest page a list serves (5 million cases at PAGE_SIZE); the export has every case whatever the count.
MAX_PAGE = 100_000

ANY_ROLE: frozenset[str] = frozenset()


@dataclass(frozen=True)
class CaseListSpec:
    """One list of the workbench: where its cases come from, who works in it, and its title."""

    key: str
    title: str | Promise
    source: Callable[[User], QuerySet[Case]]
    roles: frozenset[str] = ANY_ROLE  # empty: every signed-in user
    url_name: str = "web:case_list"
    help: str | Promise = ""

    def allows(self, user: Any) -> bool:
        return not self.roles or has_role(user, self.roles)


def _board(key: str) -> Callable[[User], QuerySet[Case]]:
    return lambda user: selectors.supervision_board(user=user)[key]


LISTS: dict[str, CaseListSpec] = {
    spec.key: spec
    for spec in (
        CaseListSpec("all", _("All cases"), lambda user: selectors.case_list(user=user)),
        CaseListSpec(
            "dispatch", _("Dispatch queue"), lambda user: selectors.dispatcher_queue(user=user),
            frozenset({Role.DISPATCHER}), "web:dispatch_queue", _("New and returned cases, the nearest dispatch deadline first."),
        ),
        CaseListSpec(
            "unit", _("Unit queue"), lambda user: selectors.unit_queue(user=user),
            frozenset({Role.HANDLER, Role.UNIT_HEAD}), "web:unit_queue", _("Your unit's open cases, the nearest deadline owed first (acknowledge, then reply)."),
        ),
        CaseListSpec(
            "follow_up", _("Follow-up queue"), lambda user: selectors.follow_up_queue(user=user),
            frozenset({Role.OPERATOR, Role.SUPERVISOR}), "web:follow_up_queue",
            _("Replied cases to call back, and followed-up cases to close or reopen."),
        ),
        CaseListSpec("overdue", _("Overdue"), _board("overdue"), frozenset({Role.SUPERVISOR}), "web:supervision"),
        CaseListSpec("at_risk", _("At risk"), _board("at_risk"), frozenset({Role.SUPERVISOR}), "web:supervision"),
        CaseListSpec("flagged", _("Flagged (挂牌督办)"), _board("flagged"), frozenset({Role.SUPERVISOR}), "web:supervision"),
    )
}

BOARD_TABS = ("overdue", "at_risk", "flagged")


def get_spec(key: str) -> CaseListSpec:
    spec = LISTS.get(key or "all")
    if spec is None:
        raise Http404
    return spec


# The columns a list can be sorted by (?sort=due, ?sort=-due for descending): the key → what is ordered.
# "due" is the deadline the case owes next (cases.querysets.next_due_expression), the one the list shows.
SORTS: dict[str, str] = {
    "number": "number",
    "due": "next_due",
    "title": "title",
    "kind": "kind",
    "status": "status",
    "division": "division__code",
    "unit": "lead_unit__code",
    "received": "created_at",
    "supervision": "supervision",
}


def parse_sort(raw: str | None) -> tuple[str, bool] | None:
    """(column key, descending) from ?sort=, or None for the list's own order (an unknown key included)."""
    raw = (raw or "").strip()
    key = raw.removeprefix("-")
    return (key, raw.startswith("-")) if key in SORTS else None


def filtered_cases(
    spec: CaseListSpec, *, user: User, filters: selectors.CaseFilters, sort: tuple[str, bool] | None = None
) -> QuerySet[Case]:
    """The list's cases narrowed by the filters, in the list's order or the chosen column's (ties broken by id)."""
    base = spec.source(user)
    if filters != selectors.CaseFilters():
        # AND-combining keeps the queue's joins and, since the filtered side has no ordering, the queue's order.
        base = base & selectors.case_list(user=user, filters=filters)
    base = base.with_next_due()  # type: ignore[attr-defined]
    if sort is not None:
        key, descending = sort
        expression = F(SORTS[key])
        # Empty values (no deadline, no unit) go last either way: they are what the reader looks for least.
        order = expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)
        return base.order_by(order, "-pk" if descending else "pk")
    ordering = list(base.query.order_by) or list(Case._meta.ordering or [])
    return base.order_by(*ordering, "pk")


@dataclass
class ListState:
    """What a list page needs to render its filter bar, rows, pager and export link."""

    spec: CaseListSpec
    filters: selectors.CaseFilters | None
    errors: dict[str, str] = field(default_factory=dict)
    message: str = ""
    queryset: QuerySet[Case] | None = None
    sort: tuple[str, bool] | None = None


def _page_error(raw: str | None) -> str:
    """A page number past MAX_PAGE is refused (an OFFSET the database cannot hold); words fall back to page 1."""
    raw = (raw or "").strip()
    if raw.isascii() and raw.isdigit() and int(raw) > MAX_PAGE:
        return _("There is no page %(page)s: at most %(max)s pages can be shown; narrow the filters.") % {
            "page": raw[:20], "max": f"{MAX_PAGE:,}"}
    return ""


def parse_filters(request: HttpRequest, spec: CaseListSpec, user: User) -> ListState:
    try:
        filters = selectors.CaseFilters.parse(request.GET)
    except ValidationFailed as e:
        return ListState(spec, None, errors=dict(e.fields), message=str(e.message))
    if filters.requester and not may_search_requesters(user):
        message = str(_("Your role may not search by a requester's phone, ID number or name."))
        return ListState(spec, None, errors={"requester": message}, message=message)
    page_error = _page_error(request.GET.get("page"))
    if page_error:
        return ListState(spec, None, errors={"page": page_error}, message=page_error)
    sort = parse_sort(request.GET.get("sort"))
    return ListState(spec, filters, queryset=filtered_cases(spec, user=user, filters=filters, sort=sort), sort=sort)


class CappedPaginator(Paginator):
    """A paginator that counts the matches only up to a bound: the cap, or the rows up to the requested page.

    Beyond the bound the count is `limit + 1` and `capped` is true: the page says "1,000+ cases", the pager
    offers the next page but no last one, and asking for a deeper page moves the bound with it, so every
    matching case can still be paged to (and the export, which reads the queryset itself, has them all).
    """

    def __init__(self, object_list: QuerySet[Any], per_page: int, *, page: object = None, cap: int | None = None) -> None:
        super().__init__(object_list, per_page)
        self.queryset = object_list
        cap = COUNT_CAP if cap is None else cap
        try:
            wanted = min(max(1, int(str(page))), MAX_PAGE)
        except ValueError:
            wanted = 1
        self.limit = max(cap, wanted * per_page)
        self.exact = False  # set when the count went past the limit and was then counted exactly

    @cached_property
    def count(self) -> int:
        # Ordering dropped: counting needs no sort, and LIMIT lets the database stop at limit + 1 matches.
        bounded = self.queryset.order_by()[: self.limit + 1].count()
        if bounded > self.limit and self._small_table():
            self.exact = True
            return self.queryset.order_by().count()
        return bounded

    def _small_table(self) -> bool:
        top = self.queryset.model._default_manager.order_by().aggregate(top=Max("pk"))["top"]
        return top is not None and int(top) <= EXACT_COUNT_UPTO

    @property
    def capped(self) -> bool:
        return self.count > self.limit and not self.exact

    @property
    def limit_display(self) -> str:
        return f"{self.limit:,}"

    def page(self, number: Any) -> Page:
        if not self.capped:
            return super().page(number)
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        # Not clipped at `count`, which is only a bound here: a full page, whatever lies beyond it.
        return Page(self.queryset[bottom:bottom + self.per_page], number, self)


def paginate(request: HttpRequest, queryset: QuerySet[Any]) -> Page:
    number = request.GET.get("page")
    if number and (not number.isascii() or not number.isdigit() or int(number) > MAX_PAGE):
        number = None  # nonsense or unreachable: the first page (lists refuse an unreachable one in parse_filters)
    paginator = CappedPaginator(queryset, PAGE_SIZE, page=number)
    try:
        return paginator.page(number or 1)
    except InvalidPage:
        return paginator.get_page(number)


def filter_choices() -> dict[str, Any]:
    """Choices for the filter bar. Two queries: units and divisions (down to townships)."""
    return {
        "status_choices": [("open", _("All open")), *Status.choices],
        "kind_choices": Kind.choices,
        "unit_choices": [(u.code, u.short_name or u.name) for u in selectors.units_for_choice()],
        "division_choices": division_choices(max_depth=2),
    }
