"""The public doors under attack (issue 10, findings #1 and #3): guessing, flooding, big uploads, spam.

Every test here fails on the code before issue 10: there was no limit, no lockout, no CAPTCHA, no check
character, no attachment cap and no review queue. The limits run on the shared cache, in turn the database
cache and a real Redis (tests/shared_cache.py).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from captcha.models import CaptchaStore
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jingzhi.cases import numbers
from jingzhi.cases.models import Case, Review, Status
from jingzhi.core.models import AuditLog
from tests.shared_cache import shared_cache  # noqa: F401
from tests.web.test_public import submission, token_of

pytestmark = pytest.mark.django_db
LOOKUP = "/public/lookup/"
SUBMIT = "/public/submit/"


def submitted_case(city: Any, client: Client | None = None, **overrides: Any) -> Any:
    client = client or Client()
    page = client.get(SUBMIT).content.decode()
    data = submission(city, token_of(page), **overrides)
    if "captcha_0" in page:
        key = re.search(r'name="captcha_0" value="([0-9a-f]+)"', page).group(1)  # type: ignore[union-attr]
        data.update({"captcha_0": key, "captcha_1": CaptchaStore.objects.get(hashkey=key).response})
    response = client.post(SUBMIT, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Case.objects.order_by("-pk").first()


def look_up(number: str, digits: str, ip: str = "192.0.2.10", **extra: Any) -> Any:
    return Client(REMOTE_ADDR=ip, **extra).post(LOOKUP, {"number": number, "phone_last4": digits})


# ---- numbers -------------------------------------------------------------------------------------------------------


def test_new_numbers_carry_a_random_part_and_a_check_character(city: Any) -> None:
    case = submitted_case(city)
    assert re.fullmatch(r"TL\d{8}-\d{6}-\d{3}[0-9X]", case.number)
    assert numbers.is_well_formed(case.number)
    # One wrong character anywhere in the digits is caught by the check character.
    body, check = case.number[:-1], case.number[-1]
    assert not numbers.is_well_formed(body + ("0" if check != "0" else "1"))
    assert numbers.is_well_formed("TL20221215-000123")  # numbers from before stay valid
    assert not numbers.is_well_formed("TL20221215-123") and not numbers.is_well_formed("20221215-000123-0000")


def test_a_wrong_check_character_is_refused_before_any_database_read(city: Any) -> None:
    case = submitted_case(city)
    wrong = case.number[:-1] + ("0" if case.number[-1] != "0" else "1")
    with CaptureQueriesContext(connection) as queries:
        response = look_up(wrong, case.requester_phone[-4:])
    assert "No request matches" in response.content.decode()
    assert not [q for q in queries.captured_queries if "cases_case" in q["sql"]]


def test_an_old_number_without_check_group_is_still_found(city: Any) -> None:
    case = submitted_case(city)
    Case.objects.filter(pk=case.pk).update(number="TL20221215-000123")
    html = look_up("tl20221215-000123", case.requester_phone[-4:]).content.decode()
    assert "No request matches" not in html and "TL20221215-000123" in html


# ---- lookup limits ----------------------------------------------------------------------------------------------------


def test_guessing_from_one_address_is_cut_off_after_ten_a_minute(city: Any, shared_cache: str) -> None:  # noqa: F811
    case = submitted_case(city)
    real = case.requester_phone[-4:]
    client = Client(REMOTE_ADDR="203.0.113.5")
    wrong = [f"{i:04d}" for i in range(10) if f"{i:04d}" != real][:4]
    codes = [client.post(LOOKUP, {"number": case.number, "phone_last4": digits}).status_code for digits in wrong]
    # Different, well-formed numbers that exist nowhere: the per-number lock does not come into it.
    for i in range(10):
        other = numbers.compose("TL", case.created_at.date(), 500 + i, rand=i)
        codes.append(client.post(LOOKUP, {"number": other, "phone_last4": real}).status_code)
    assert codes[:10] == [200] * 10 and codes[10:] == [429] * 4, codes
    refused = client.post(LOOKUP, {"number": case.number, "phone_last4": real})  # even the right answer
    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    assert "Too many attempts" in refused.content.decode() and case.title not in refused.content.decode()
    assert AuditLog.objects.filter(action="ratelimit.refused", object_id="public_lookup").count() == 1
    # Another address is not affected.
    assert "No request matches" not in look_up(case.number, real, ip="203.0.113.6").content.decode()


def test_a_number_is_locked_after_five_wrong_tries_from_anywhere(city: Any, shared_cache: str) -> None:  # noqa: F811
    case = submitted_case(city)
    real = case.requester_phone[-4:]
    wrong = [f"{i:04d}" for i in range(10) if f"{i:04d}" != real][:5]
    for n, digits in enumerate(wrong):  # five addresses, one try each: spreading the guesses does not help
        assert look_up(case.number, digits, ip=f"198.51.100.{n}").status_code == 200
    locked = look_up(case.number, real, ip="198.51.100.99")
    assert locked.status_code == 429 and int(locked["Retry-After"]) > 3500
    assert "locked" in locked.content.decode() and case.title not in locked.content.decode()
    assert AuditLog.objects.filter(action="ratelimit.locked", object_id="public_lookup_number",
                                   detail__ident=case.number).count() == 1
    # Other numbers are not locked.
    other = submitted_case(city, Client(REMOTE_ADDR="192.0.2.50"), title="另一件事", content="另一件事的描述。")
    assert "No request matches" not in look_up(other.number, other.requester_phone[-4:], ip="198.51.100.99").content.decode()


def test_the_refusal_page_speaks_chinese(city: Any) -> None:
    client = Client(REMOTE_ADDR="203.0.113.77", HTTP_ACCEPT_LANGUAGE="zh-hans")
    for _ in range(11):
        response = client.post(LOOKUP, {"number": "TL20221215-000123", "phone_last4": "0000"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 429
    html = response.content.decode()
    assert "尝试次数过多" in html and "请稍候" in html


# ---- submission limits --------------------------------------------------------------------------------------------------


def test_a_captcha_from_the_third_submission_and_five_an_hour(city: Any, shared_cache: str) -> None:  # noqa: F811
    client = Client(REMOTE_ADDR="203.0.113.20")
    pages = []
    for i in range(5):
        pages.append(client.get(SUBMIT).content.decode())
        submitted_case(city, client, title=f"第{i}件", content=f"第{i}件事的描述。")
    assert ["captcha_1" in p for p in pages] == [False, False, True, True, True]
    # The CAPTCHA image is drawn here, offline, by the package's own font.
    key = re.search(r'name="captcha_0" value="([0-9a-f]+)"', pages[2]).group(1)  # type: ignore[union-attr]
    image = client.get(f"/public/captcha/image/{key}/")
    assert image.status_code == 200 and image["Content-Type"] == "image/png" and image.content[:4] == b"\x89PNG"
    # Submissions past the CAPTCHA threshold wait for review.
    held = list(Case.objects.order_by("pk").values_list("review", flat=True))
    assert held == ["", "", Review.HELD, Review.HELD, Review.HELD]
    sixth = client.get(SUBMIT)
    assert sixth.status_code == 429 and "several requests" in sixth.content.decode()
    assert client.post(SUBMIT, {}).status_code == 429
    assert Case.objects.count() == 5
    assert AuditLog.objects.filter(action="ratelimit.refused", object_id="public_submit").count() == 1


def test_a_wrong_captcha_creates_nothing(city: Any) -> None:
    client = Client(REMOTE_ADDR="203.0.113.21")
    submitted_case(city, client, title="一", content="第一件事。")
    submitted_case(city, client, title="二", content="第二件事。")
    page = client.get(SUBMIT).content.decode()
    key = re.search(r'name="captcha_0" value="([0-9a-f]+)"', page).group(1)  # type: ignore[union-attr]
    response = client.post(SUBMIT, {**submission(city, token_of(page)), "captcha_0": key, "captcha_1": "zzzz"})
    assert response.status_code == 400 and "do not match the picture" in response.content.decode()
    assert Case.objects.count() == 2


def _png(name: str, size: int) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"\x89PNG" + b"0" * (size - 4), content_type="image/png")


def test_too_many_attachments_are_refused_before_anything_is_stored(city: Any, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    client = Client()
    token = token_of(client.get(SUBMIT).content.decode())
    files = [_png(f"p{i}.png", 1000) for i in range(6)]
    response = client.post(SUBMIT, {**submission(city, token), "attachments": files})
    assert response.status_code == 400 and "at most 5 files" in response.content.decode()
    assert Case.objects.count() == 0 and not (tmp_path / "media").exists()


def test_attachments_over_ten_megabytes_together_are_refused(city: Any, settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.JINGZHI_PUBLIC_UPLOAD_MAX_BYTES = 3 * 1024 * 1024  # the same rule, smaller numbers: a faster test
    client = Client()
    token = token_of(client.get(SUBMIT).content.decode())
    files = [_png(f"p{i}.png", 1024 * 1024) for i in range(4)]
    response = client.post(SUBMIT, {**submission(city, token), "attachments": files})
    assert response.status_code == 413 and "too large" in response.content.decode()
    files = [_png(f"p{i}.png", 1024 * 1024 - 1000) for i in range(4)]  # under the body limit, over the total
    settings.JINGZHI_PUBLIC_UPLOAD_MAX_BYTES = 3 * 1024 * 1024 + 100
    response = client.post(SUBMIT, {**submission(city, token), "attachments": files})
    assert response.status_code in (400, 413) and Case.objects.count() == 0 and not (tmp_path / "media").exists()


# ---- held for review ------------------------------------------------------------------------------------------------------


def test_links_and_repeated_text_hold_a_submission_out_of_the_queue(city: Any) -> None:
    spam = submitted_case(city, content="优惠贷款，详情见 http://spam.example/x")
    assert (spam.review, spam.review_reasons, spam.dispatch_due) == (Review.HELD, ["links"], None)
    first = submitted_case(city, Client(REMOTE_ADDR="192.0.2.30"), content="同样的文字。")
    again = submitted_case(city, Client(REMOTE_ADDR="192.0.2.31"), content="同样的文字。")
    assert first.review == "" and again.review_reasons == ["repeated_text"]
    dispatcher = Client()
    dispatcher.force_login(city.dispatcher)
    queue = dispatcher.get(reverse("web:dispatch_queue")).content.decode()
    assert first.number in queue and spam.number not in queue and again.number not in queue
    held = dispatcher.get(reverse("web:dispatch_queue") + "?tab=held").content.decode()
    assert spam.number in held and again.number in held and first.number not in held
    assert "contains web links" in held


def test_release_and_reject(city: Any) -> None:
    spam = submitted_case(city, content="加微信 www.example.cn 领红包")
    real = submitted_case(city, Client(REMOTE_ADDR="192.0.2.40"), content="小区门口有积水，参考 www.gov.cn 的通知。")
    dispatcher = Client()
    dispatcher.force_login(city.dispatcher)
    # A held case cannot be dispatched around the review.
    response = dispatcher.post(reverse("web:case_action", args=[real.number, "dispatch"]), {"unit": city.housing.code})
    assert Case.objects.get(pk=real.pk).status == Status.ACCEPTED
    dispatcher.post(reverse("web:held_decide", args=[real.number, "release"]))
    real.refresh_from_db()
    assert real.review == Review.RELEASED and real.dispatch_due is not None
    assert real.number in dispatcher.get(reverse("web:dispatch_queue")).content.decode()
    dispatcher.post(reverse("web:held_decide", args=[spam.number, "reject"]), {"reason": "广告"})
    spam.refresh_from_db()
    assert (spam.review, spam.status) == (Review.REJECTED, Status.CLOSED)
    assert AuditLog.objects.filter(action="case.review_reject", object_id=spam.number, actor=city.dispatcher).count() == 1
    assert AuditLog.objects.filter(action="case.review_release", object_id=real.number).count() == 1
    # Deciding twice is a clear message, not an error page.
    response = dispatcher.post(reverse("web:held_decide", args=[spam.number, "release"]), follow=True)
    assert response.status_code == 200 and "not held for review" in response.content.decode()


@pytest.mark.parametrize("who", ["anonymous", "operator", "handler", "supervisor", "leader"])
def test_only_dispatchers_review(city: Any, who: str) -> None:
    spam = submitted_case(city, content="见 http://spam.example")
    client = Client()
    if who != "anonymous":
        client.force_login(getattr(city, who))
    for decision in ("release", "reject"):
        response = client.post(reverse("web:held_decide", args=[spam.number, decision]))
        assert response.status_code == (302 if who == "anonymous" else 403)
    assert client.get(reverse("web:dispatch_queue") + "?tab=held").status_code == (302 if who == "anonymous" else 403)
    assert Case.objects.get(pk=spam.pk).review == Review.HELD


def test_the_submission_still_checks_csrf(city: Any) -> None:
    # The view is CSRF-exempt only so that the size check comes before the body is read; the form itself is not.
    client = Client(enforce_csrf_checks=True)
    token = token_of(client.get(SUBMIT).content.decode())
    assert client.post(SUBMIT, submission(city, token)).status_code == 403
    assert Case.objects.count() == 0
