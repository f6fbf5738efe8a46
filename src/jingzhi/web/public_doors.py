"""The public site's two doors, guarded: rate limits per address and per case number, the CAPTCHA rule.

Views parse and render; these functions decide, count and audit (core/ratelimit.py holds the counters).
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _

from jingzhi.cases import numbers
from jingzhi.cases.models import Case
from jingzhi.core import ratelimit
from jingzhi.core.errors import RateLimited
from jingzhi.web.selectors import public_case_lookup

LOOKUP = "public_lookup"
LOOKUP_NUMBER = "public_lookup_number"
SUBMIT = "public_submit"
SUBMIT_CAPTCHA = "public_submit_captcha"


def guarded_lookup(*, request: HttpRequest, number: str, phone_last4: str) -> Case | None:
    """The case for this number and these four digits, or None; raises RateLimited.

    Every try counts against the address. A malformed number or a wrong check character is refused here,
    before any database read. Failed tries count against the number too; past the limit the number is
    locked for everyone for an hour (audited), so spreading guesses over many addresses does not help.
    """
    ip = ratelimit.client_ip(request)
    ratelimit.enforce(LOOKUP, ip, request=request)
    number = numbers.normalize(number)
    if not numbers.is_well_formed(number):
        return None
    wait = ratelimit.locked(LOOKUP_NUMBER, number)
    if wait:
        raise RateLimited(
            _("This case number is locked for %(wait)s after too many wrong tries. If it is yours, call the hotline.")
            % {"wait": ratelimit.wait_text(wait)}, retry_after=wait)
    case = public_case_lookup(number=number, phone_last4=phone_last4)
    if case is None:
        ratelimit.hit(LOOKUP_NUMBER, number, request=request)
        if not ratelimit.peek(LOOKUP_NUMBER, number).allowed:
            ratelimit.lock(LOOKUP_NUMBER, number, ratelimit.policy("PUBLIC_LOOKUP_LOCK_SECONDS"), request=request)
    return case


def _captcha_rates() -> list[ratelimit.Rate]:
    return [ratelimit.Rate(max(1, ratelimit.policy("PUBLIC_SUBMIT_CAPTCHA_AFTER")), 3600)]


def captcha_required(request: HttpRequest) -> bool:
    """From the (N+1)-th submission of an address within the hour on (N = PUBLIC_SUBMIT_CAPTCHA_AFTER; 0: always)."""
    if ratelimit.policy("PUBLIC_SUBMIT_CAPTCHA_AFTER") <= 0:
        return True
    return not ratelimit.peek(SUBMIT_CAPTCHA, ratelimit.client_ip(request), rates=_captcha_rates()).allowed


def submission_allowed(request: HttpRequest) -> None:
    """Raise RateLimited when this address has used up its submissions (the refusal is counted and audited)."""
    ip = ratelimit.client_ip(request)
    if ratelimit.peek(SUBMIT, ip).allowed:
        return
    verdict = ratelimit.hit(SUBMIT, ip, request=request)  # counts the refusal; the first one of the window is audited
    raise RateLimited(
        _("You have sent several requests in a short time. Please try again in %(wait)s, or call the hotline.")
        % {"wait": ratelimit.wait_text(verdict.retry_after)}, retry_after=verdict.retry_after)


def submission_counted(request: HttpRequest) -> None:
    """A case was created from this address: count it for the limit and for the CAPTCHA rule."""
    ip = ratelimit.client_ip(request)
    ratelimit.hit(SUBMIT, ip, request=request)
    ratelimit.hit(SUBMIT_CAPTCHA, ip, rates=_captcha_rates(), audit=False)
