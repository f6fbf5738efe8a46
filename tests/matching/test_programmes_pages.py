"""Programme pages and application efforts: forms, steps to the result, overdue efforts for leaders, and who may open
what (anonymous, other county, other unit, wrong role, an enterprise user)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from jingzhi.core.errors import InvalidTransition, NotFound, PermissionDenied
from jingzhi.matching.programmes.efforts import effort_open, effort_record
from jingzhi.matching.programmes.models import Effort, Programme, ProgrammeEvent
from jingzhi.org.models import Responsibility
from tests.matching.programme_fixtures import ZONE, make_prog

pytestmark = pytest.mark.django_db(transaction=True)
ZH = {"HTTP_ACCEPT_LANGUAGE": "zh-hans"}


def _effort(prog: Any, **kw: Any) -> Effort:
    city = prog.city
    e, _ = effort_open(actor=city.leader, programme=prog.programme, division=city.county_b, official=city.county_leader,
                       deadline=timezone.localdate() + timedelta(days=30), **kw)
    return e


def test_an_effort_is_tracked_to_the_result_with_its_events(city: Any, firms: Any) -> None:
    prog = make_prog(city)
    Responsibility.objects.create(official=city.county_leader, target_type="division", division=city.county_b)
    e = _effort(prog, idempotency_key="k1")
    assert _effort(prog, idempotency_key="k1").pk == e.pk  # a retried form opens nothing new
    with pytest.raises(InvalidTransition):
        _effort(prog)  # one open effort per programme and county
    with pytest.raises(InvalidTransition):
        effort_record(actor=city.county_leader, effort=e, stage="won")  # not before it was submitted
    with pytest.raises(NotFound):  # another county's government does not see it
        effort_record(actor=city.county_handler, effort=Effort.objects.get(pk=e.pk), stage="submitted")
    with pytest.raises(PermissionDenied):  # another unit sees it (city level) but does not answer for it
        effort_record(actor=city.handler, effort=Effort.objects.get(pk=e.pk), stage="submitted")
    effort_record(actor=city.county_leader, effort=e, stage="submitted", note="材料已报省厅")
    effort_record(actor=city.county_leader, effort=e, stage="reviewing")
    e = effort_record(actor=city.county_leader, effort=e, stage="won", amount="5000")
    assert e.stage == "won" and str(e.amount) == "5000.00" and e.closed_at is not None
    assert [ev.action for ev in ProgrammeEvent.objects.filter(effort=e)] == [
        "effort_opened", "stage:submitted", "stage:reviewing", "stage:won"]


def test_a_county_that_does_not_qualify_gets_no_effort(city: Any) -> None:
    prog = make_prog(city)
    from jingzhi.matching.programmes.services import figures_set

    figures_set(actor=city.env_handler, division=city.county_a, year=2025, values={"grain_output": "1", "mechanisation": "10"}, source="x")
    with pytest.raises(InvalidTransition):
        effort_open(actor=city.leader, programme=prog.programme, division=city.county_a, official=city.leader,
                    deadline=timezone.localdate() + timedelta(days=3))


def test_overdue_efforts_are_shown_to_leaders_and_supervisors(city: Any, client_for: Any) -> None:
    prog = make_prog(city)
    e = _effort(prog)
    Effort.objects.filter(pk=e.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    for user in (city.leader, city.supervisor, city.county_leader):
        text = client_for(user).get("/programmes/coverage/").content.decode()
        assert f'href="/programmes/efforts/{e.pk}/"' in text.split('id="coverage-overdue"')[1], user.username
        assert f"/programmes/efforts/{e.pk}/" in client_for(user).get("/programmes/efforts/").content.decode().split(
            'id="efforts-open"')[0]
    page = client_for(city.county_leader).get(f"/programmes/efforts/{e.pk}/").content.decode()
    assert 'id="effort-overdue"' in page


def test_the_office_makes_a_programme_in_a_form_a_retry_makes_none_and_a_bad_condition_is_named(city: Any, client_for: Any) -> None:
    make_prog(city)
    c = client_for(city.env_handler)
    data = {k: v for k, v in ZONE.items() if k != "conditions"} | {"token": "t1"}
    data |= {"cond-0-field": "grain_output", "cond-0-op": "gte", "cond-0-value": "很多",
             "cond-1-field": "turnover", "cond-1-op": "gte", "cond-1-value": "1"}
    r = c.post("/programmes/new/", data, **ZH)
    assert r.status_code == 200 and Programme.objects.count() == 1
    text = r.content.decode()
    assert "条件 1" in text and "条件 2" in text, text[:2000]
    data |= {"cond-0-value": "60", "cond-1-field": ""}
    first = c.post("/programmes/new/", data)
    again = c.post("/programmes/new/", data)
    assert first.status_code == 302 and again["Location"] == first["Location"] and Programme.objects.count() == 2
    new = Programme.objects.order_by("-pk").first()
    assert new.current.conditions == [{"field": "grain_output", "op": "gte", "value": "60"}]
    assert c.post(f"/programmes/{new.pk}/publish/").status_code == 302
    assert Programme.objects.get(pk=new.pk).status == "published"


def test_figures_form_refuses_an_impossible_share_and_saves_good_figures(city: Any, client_for: Any) -> None:
    make_prog(city)
    c = client_for(city.env_handler)
    url = f"/programmes/divisions/{city.county_a.pk}/figures/"
    r = c.post(url, {"year": "2025", "source": "公报", "forest_cover": "130", "grain_output": "52", "provincial_demo": "on"})
    assert r.status_code == 200 and "out of range" in r.content.decode()
    r = c.post(url, {"year": "2025", "source": "公报", "forest_cover": "52", "grain_output": "52", "primary_share": "30",
                     "mechanisation": "91", "provincial_demo": "on"})
    assert r.status_code == 302
    page = c.get(f"/programmes/divisions/{city.county_a.pk}/", **ZH).content.decode()
    assert "符合" in page and "国家农业现代化示范区" in page


def test_programme_page_says_who_qualifies_who_nearly_and_why(city: Any, client_for: Any) -> None:
    prog = make_prog(city)
    text = client_for(city.leader).get(f"/programmes/{prog.programme.pk}/", **ZH).content.decode()
    ky, xf = text.split('id="division-211282"')[1], text.split('id="division-211223"')[1]
    assert "符合" in ky.split("</summary>")[0] and "差一项符合" not in ky.split("</summary>")[0]
    assert "差一项符合" in xf.split("</summary>")[0] and "差 5" in xf.split("</summary>")[0]
    assert "2025年统计公报" in xf


# ------------------------------------------------------------------------------------------------ access matrix


def _pages(prog: Any, e: Effort) -> dict[str, str]:
    city, p = prog.city, prog.programme.pk
    return {"list": "/programmes/", "detail": f"/programmes/{p}/", "new": "/programmes/new/", "edit": f"/programmes/{p}/edit/",
            "ky": f"/programmes/divisions/{city.county_b.pk}/", "xf": f"/programmes/divisions/{city.county_a.pk}/",
            "ky_figures": f"/programmes/divisions/{city.county_b.pk}/figures/", "coverage": "/programmes/coverage/",
            "efforts": "/programmes/efforts/", "effort": f"/programmes/efforts/{e.pk}/",
            "apply_xf": f"/programmes/{p}/apply/{city.county_a.pk}/"}


def test_anonymous_is_sent_to_sign_in(city: Any) -> None:
    prog = make_prog(city)
    for url in _pages(prog, _effort(prog)).values():
        r = Client().get(url)
        assert r.status_code == 302 and ("login" in r["Location"] or "signin" in r["Location"]), url


def test_access_matrix(city: Any, firms: Any, client_for: Any) -> None:
    prog = make_prog(city)
    pages = _pages(prog, _effort(prog))
    expect = {
        # the programme office (市生态环境局 here): everything
        city.env_handler: {"list": 200, "detail": 200, "new": 200, "edit": 200, "ky": 200, "xf": 200, "ky_figures": 200,
                           "coverage": 200, "efforts": 200, "effort": 200, "apply_xf": 200},
        # another unit (a city department that is no programme office): reads all counties, keeps nothing
        city.handler: {"list": 200, "detail": 200, "new": 404, "edit": 404, "ky": 200, "ky_figures": 404, "effort": 200,
                       "apply_xf": 404},
        # another county (西丰县's government): its own county only
        city.county_handler: {"list": 200, "detail": 200, "ky": 404, "xf": 200, "ky_figures": 404, "effort": 404,
                              "apply_xf": 404},
        # 开原市's leader: its county and its effort; not 西丰县
        city.county_leader: {"ky": 200, "xf": 404, "effort": 200, "apply_xf": 404, "new": 403},
        # the city's leader opens applications for any county
        city.leader: {"xf": 200, "coverage": 200, "apply_xf": 200, "new": 403, "ky_figures": 403},
        # wrong role: the hotline operator reads, never edits
        city.operator: {"list": 200, "new": 403, "edit": 403, "ky_figures": 403, "apply_xf": 404},
        # an enterprise user sees none of it
        firms.leni_user: {"list": 403, "detail": 403, "ky": 403, "coverage": 403, "effort": 403},
    }
    for user, codes in expect.items():
        c = client_for(user)
        for page, code in codes.items():
            assert c.get(pages[page]).status_code == code, (user.username, page)


def test_other_county_and_wrong_role_cannot_write(city: Any, firms: Any, client_for: Any) -> None:
    prog = make_prog(city)
    e = _effort(prog)
    url = f"/programmes/efforts/{e.pk}/"
    assert client_for(city.county_handler).post(url, {"stage": "submitted"}).status_code == 404
    assert client_for(city.handler).post(url, {"stage": "submitted"}).status_code == 404  # sees it, may not record
    assert client_for(city.operator).post(f"/programmes/{prog.programme.pk}/withdraw/").status_code == 403
    assert client_for(city.handler).post(f"/programmes/{prog.programme.pk}/withdraw/").status_code == 302
    assert client_for(city.county_handler).post(
        f"/programmes/divisions/{city.county_b.pk}/figures/", {"year": "2025", "source": "x"}).status_code == 404
    assert Effort.objects.get(pk=e.pk).stage == "preparing"
    assert Programme.objects.get(pk=prog.programme.pk).status == "published"
    assert client_for(city.county_leader).post(url, {"stage": "submitted", "note": "已报"}).status_code == 302
    assert Effort.objects.get(pk=e.pk).stage == "submitted"


def test_figures_come_from_a_spreadsheet_whole_file_or_nothing(city: Any, client_for: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from jingzhi.matching.programmes.models import DivisionFigures, DivisionMatch

    prog = make_prog(city)
    c = client_for(city.env_handler)
    header = "区划代码,年度,数据来源,粮食产量(万吨),森林覆盖率(%),省级农业现代化示范区\n"
    bad = header + "211223,2025,2025年统计公报,52,52,是\n999999,2025,x,1,1,是\n211282,2025,公报,60,50,也许\n211282,2024,公报,60,140,否\n"
    r = c.post("/programmes/figures/import/", {"file": SimpleUploadedFile("f.csv", bad.encode(), "text/csv")}, **ZH)
    text = r.content.decode()
    assert r.status_code == 200 and "999999" in text and "也许" in text and "超出范围" in text, text.split("import-result")[-1]
    assert DivisionFigures.objects.get(division=city.county_a, year=2025).grain_output == 45  # nothing saved
    good = header + "211223,2025,2025年统计公报（修订）,52,52,是\n"
    r = c.post("/programmes/figures/import/", {"file": SimpleUploadedFile("f.csv", good.encode(), "text/csv")})
    assert r.status_code == 200 and 'id="import-result"' in r.content.decode()
    assert DivisionFigures.objects.get(division=city.county_a, year=2025).grain_output == 52
    assert DivisionMatch.objects.get(programme=prog.programme, division=city.county_a).outcome == "qualified"
    assert client_for(city.handler).get("/programmes/figures/import/").status_code == 404  # not a programme office
    assert client_for(city.operator).get("/programmes/figures/import/").status_code == 403


def test_the_admin_designates_and_removes_an_office_through_the_services(city: Any, client_for: Any) -> None:
    """The admin page writes through programme_office_set / _remove: audited, and the office's pages follow."""
    from jingzhi.core.models import AuditLog
    from jingzhi.matching.programmes.models import ProgrammeOffice

    admin = client_for(city.admin)
    r = admin.post("/admin/matching/programmeoffice/add/", {"unit": city.housing.pk, "note": "住建项目"})
    assert r.status_code == 302, r.content[:500]
    office = ProgrammeOffice.objects.get(unit=city.housing)
    assert AuditLog.objects.filter(action="programme_office.set", object_id=str(city.housing.pk)).count() == 1
    assert client_for(city.handler).get("/programmes/new/").status_code == 200  # 住建局's handler keeps programmes now
    r = admin.post(f"/admin/matching/programmeoffice/{office.pk}/delete/", {"post": "yes"})
    assert r.status_code == 302
    assert not ProgrammeOffice.objects.filter(unit=city.housing).exists()
    assert AuditLog.objects.filter(action="programme_office.remove", object_id=str(city.housing.pk)).count() == 1
    assert client_for(city.handler).get("/programmes/new/").status_code == 404  # as for any page it may not open
    # And not through the changelist's bulk delete around the service either.
    ProgrammeOffice.objects.create(unit=city.env)
    other = ProgrammeOffice.objects.get(unit=city.env)
    admin.post("/admin/matching/programmeoffice/", {"action": "delete_selected", "_selected_action": [other.pk],
                                                     "post": "yes"})
    assert not ProgrammeOffice.objects.filter(unit=city.env).exists()
    assert AuditLog.objects.filter(action="programme_office.remove", object_id=str(city.env.pk)).count() == 1
