"""Issue 10, finding #6: one password policy wherever a password is set, and initial passwords are changed at once."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from jingzhi.cli import DEMO_PASSWORD, main
from jingzhi.core.errors import ValidationFailed
from jingzhi.core.models import AuditLog
from jingzhi.org.imports import import_users
from jingzhi.org.models import User
from jingzhi.org.passwords import password_problems
from jingzhi.org.services import user_save
from tests.org.files import errors_by_row, xlsx

pytestmark = pytest.mark.django_db



@pytest.fixture
def admin_client(client: Client, city: Any) -> Client:
    client.force_login(city.admin)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


USER_HEADER = ["用户名", "姓名", "角色", "单位代码", "区划代码", "手机", "初始密码"]


@pytest.mark.parametrize("password", [
    "12345678",  # the assessor's: short and numeric
    "1234567890123",  # numeric only
    "password123",  # common, and only two kinds of character
    "jingzhi-demo",  # the old demo password: two kinds of character
    "Abc-12",  # short
    "Zhangsan-2027",  # like the user name
])
def test_weak_passwords_are_refused(password: str) -> None:
    assert password_problems(password, User(username="zhangsan", display_name="张三"))


@pytest.mark.parametrize("password", [DEMO_PASSWORD, "Tieling-2027", "test-pass-123", "Change-me-2027"])
def test_the_passwords_the_project_ships_pass(password: str) -> None:
    assert password_problems(password, User(username="zhangsan")) == ""


def test_createadmin_refuses_the_assessors_password(db: None, capsys: Any) -> None:
    assert main(["createadmin", "--username", "root", "--password", "12345678"]) == 2
    assert "password" in capsys.readouterr().err
    assert not User.objects.filter(username="root").exists()


def test_createadmin_sets_an_initial_password_that_must_be_changed(db: None) -> None:
    assert main(["createadmin", "--username", "root", "--password", "Strong-Admin-2027"]) == 0
    root = User.objects.get(username="root")
    assert root.check_password("Strong-Admin-2027") and root.must_change_password
    assert AuditLog.objects.filter(action="password_set", object_id=str(root.pk)).count() == 1
    assert "Strong-Admin-2027" not in str(list(AuditLog.objects.values_list("detail", flat=True)))


def test_the_admin_refuses_a_weak_password_and_flags_a_good_one(admin_client: Client, city: Any) -> None:
    form = {"username": "police1", "display_name": "刘警官", "role": "handler", "unit": city.housing.pk, "phone": "",
            "is_active": "on", "new_password": "abcdefgh"}
    response = admin_client.post(reverse("admin:org_user_add"), form)
    assert response.status_code == 200 and not User.objects.filter(username="police1").exists()
    assert "too short" in response.content.decode()
    response = admin_client.post(reverse("admin:org_user_add"), {**form, "new_password": "Tieling-2027"})
    assert response.status_code == 302
    assert User.objects.get(username="police1").must_change_password


def test_an_import_refuses_weak_passwords_and_flags_initial_ones(city: Any) -> None:
    result = import_users(rows_file=xlsx([USER_HEADER, ["zhaoliu", "赵六", "承办人", "ZJJ", "", "", "zhaoliu2027"]]),
                          actor=city.admin)
    assert not result.ok and 2 in errors_by_row(result)
    result = import_users(rows_file=xlsx([USER_HEADER, ["zhaoliu", "赵六", "承办人", "ZJJ", "", "", "Tieling-2027"]]),
                          actor=city.admin)
    assert result.ok, result.errors
    assert User.objects.get(username="zhaoliu").must_change_password


def test_a_user_with_an_initial_password_changes_it_before_anything_else(city: Any) -> None:
    user_save(username="zhaoliu", role="handler", unit=city.housing, password="Tieling-2027", actor=city.admin)
    client = Client()
    response = client.post(reverse("web:login"), {"username": "zhaoliu", "password": "Tieling-2027"})
    assert response.status_code == 302
    response = client.get(reverse("web:case_list"))
    change = reverse("web:password_change")
    assert response.status_code == 302 and response["Location"] == f"{change}?next=%2Fcases%2F"
    assert client.get(reverse("admin:index")).status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200 and "Choose your own password" in page.content.decode()
    weak = client.post(change, {"old_password": "Tieling-2027", "new_password1": "zhaoliu123", "new_password2": "zhaoliu123"})
    assert weak.status_code == 400
    same = client.post(change, {"old_password": "Tieling-2027", "new_password1": "Tieling-2027", "new_password2": "Tieling-2027"})
    assert same.status_code == 400
    done = client.post(change, {"old_password": "Tieling-2027", "new_password1": "Liaohe-River-88",
                                "new_password2": "Liaohe-River-88", "next": "/cases/"})
    assert done.status_code == 302 and done["Location"] == "/cases/"
    user = User.objects.get(username="zhaoliu")
    assert user.check_password("Liaohe-River-88") and not user.must_change_password
    assert client.get(reverse("web:case_list")).status_code == 200  # still signed in
    assert AuditLog.objects.filter(action="password_changed", actor=user).count() == 1


def test_changing_a_password_needs_the_current_one(city: Any) -> None:
    client = Client()
    client.force_login(city.handler)
    response = client.post(reverse("web:password_change"), {"old_password": "guess-guess-1", "new_password1": "Liaohe-River-88",
                                                            "new_password2": "Liaohe-River-88"})
    assert response.status_code == 400 and "not your current password" in response.content.decode()
    assert User.objects.get(pk=city.handler.pk).check_password("test-pass-123")


def test_the_demo_users_keep_the_demo_password(db: None) -> None:
    from jingzhi.demo.loader import load_demo

    with pytest.raises(ValueError, match="password policy"):
        load_demo(password="jingzhi-demo", cases=0)
    assert not User.objects.exists()


def test_user_save_names_the_password_field(city: Any) -> None:
    with pytest.raises(ValidationFailed) as e:
        user_save(actor=None, username="zhaoliu", role="handler", unit=city.housing, password="12345678")
    assert "password" in e.value.fields


@pytest.mark.parametrize("role", ["operator", "dispatcher", "handler", "unit_head", "supervisor", "leader", "admin"])
def test_every_role_may_open_its_own_password_page(city: Any, role: str) -> None:
    client = Client()
    client.force_login(getattr(city, role))
    assert client.get(reverse("web:password_change")).status_code == 200


def test_anonymous_is_sent_to_sign_in_from_the_account_pages(db: None) -> None:
    for name in ("web:password_change", "web:otp_verify"):
        response = Client().get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith(reverse("web:login"))


def test_the_admins_own_change_password_link_leads_to_the_one_page(admin_client: Client) -> None:
    response = admin_client.get("/admin/password_change/")
    assert response.status_code == 302 and response["Location"] == reverse("web:password_change")
