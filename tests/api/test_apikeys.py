"""API keys from the command line and the admin: printed once, stored as a hash, revoked at once."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from jingzhi.api.models import ApiKey
from jingzhi.cli import main
from jingzhi.core.models import AuditLog


def test_cli_creates_an_integration_key_prints_it_once_and_revokes_it(city: Any, capsys: Any) -> None:
    assert main(["apikey", "create", "--name", "provincial", "--role", "supervisor", "--division", "211282"]) == 0
    out = capsys.readouterr().out
    secret = out.strip().splitlines()[-1]
    assert secret.startswith("jz_")
    key = ApiKey.objects.get(name="provincial")
    assert key.kind == "integration" and key.user.role == "supervisor" and key.user.division.code == "211282"
    assert secret not in key.key_hash
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert client.get("/api/v1/cases/").status_code == 200
    assert main(["apikey", "list"]) == 0
    listed = capsys.readouterr().out
    assert "provincial" in listed and secret not in listed
    assert main(["apikey", "revoke", "provincial"]) == 0
    assert client.get("/api/v1/cases/").status_code == 401


def test_cli_refuses_bad_input_with_a_message(city: Any, capsys: Any) -> None:
    assert main(["apikey", "create", "--name", "x", "--role", "emperor"]) == 2
    assert main(["apikey", "create", "--name", "y", "--role", "leader", "--division", "000000"]) == 2
    assert main(["apikey", "revoke", "nobody"]) == 2
    err = capsys.readouterr().err
    assert "role" in err and "000000" in err and "nobody" in err
    assert not ApiKey.objects.exists()


def test_cli_gives_an_integration_key_its_own_rate_and_changes_it(city: Any, capsys: Any) -> None:
    """A call-centre integration gets its own budget from the command line; each change is audited."""
    assert main(["apikey", "create", "--name", "callcentre", "--role", "operator", "--rate", "2/min"]) == 0
    secret = capsys.readouterr().out.strip().splitlines()[-1]
    assert ApiKey.objects.get(name="callcentre").rate == "2/min"
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert [client.get("/api/v1/units/").status_code for _ in range(3)] == [200, 200, 429]
    assert main(["apikey", "rate", "callcentre", "6000/min"]) == 0
    assert "6000/min" in capsys.readouterr().out
    assert client.get("/api/v1/units/").status_code == 200
    assert main(["apikey", "list"]) == 0
    assert "6000/min" in capsys.readouterr().out
    assert AuditLog.objects.filter(action="apikey_rate", detail__name="callcentre", detail__to="6000/min").count() == 1
    # Bad rates are refused with the reason and change nothing.
    assert main(["apikey", "rate", "callcentre", "lots"]) == 2
    assert main(["apikey", "create", "--name", "other", "--role", "operator", "--rate", "5 a minute"]) == 2
    assert main(["apikey", "rate", "nobody", "10/min"]) == 2
    err = capsys.readouterr().err
    assert err.count("per second, minute, hour or day") == 2 and "nobody" in err
    assert ApiKey.objects.get(name="callcentre").rate == "6000/min"
    assert not ApiKey.objects.filter(name="other").exists()


def test_admin_creates_a_key_shows_the_secret_once_and_revokes(city: Any) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(city.admin)
    add = reverse("admin:api_apikey_add")
    assert client.get(add).status_code == 200
    r = client.post(add, {"name": "wechat", "role": "operator", "division": "", "unit": "", "for_user": ""}, follow=True)
    assert r.status_code == 200
    messages = [str(m) for m in r.context["messages"]]
    key = ApiKey.objects.get(name="wechat")
    secret = next(m for m in messages if "wechat" in m).split("：")[-1].split(": ")[-1].split(" ")[0]
    assert secret.startswith(f"jz_{key.prefix}_")
    assert Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get("/api/v1/units/").status_code == 200
    personal = client.post(add, {"name": "mine", "for_user": city.handler.pk, "role": ""}, follow=True)
    assert personal.status_code == 200 and ApiKey.objects.get(name="mine").user == city.handler
    duplicate = client.post(add, {"name": "wechat", "role": "operator"})
    assert duplicate.status_code == 200 and ApiKey.objects.filter(name="wechat").count() == 1  # form shown again
    changelist = reverse("admin:api_apikey_changelist")
    client.post(changelist, {"action": "revoke", "_selected_action": [key.pk]})
    key.refresh_from_db()
    assert key.revoked_at is not None and key.user.is_active is False


def _fields(obj: Any) -> dict[str, Any]:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def test_a_checked_key_comes_with_its_user_and_unit_as_the_orm_reads_them(city: Any) -> None:
    """apikey_check reads the key, its user and the user's unit with its own SQL (issue 12): the instances must be
    the ORM's, field for field (dates, booleans, JSON on either database), with or without a unit."""
    from jingzhi.api.services import apikey_check, apikey_create, apikey_revoke

    _key, with_unit = apikey_create(name="intake", actor=None, role="operator")
    _key, without_unit = apikey_create(name="watch", actor=None, role="supervisor", division_code="211282")
    for secret in (with_unit, without_unit):
        checked = apikey_check(secret)
        assert checked is not None
        read = ApiKey.objects.select_related("user__unit").get(pk=checked.pk)
        # last_used_at: the check stamps the key's first use after it read it (as before, the row, not the instance).
        assert {**_fields(checked), "last_used_at": None} == {**_fields(read), "last_used_at": None}
        assert _fields(checked.user) == _fields(read.user)
        assert (checked.user.unit is None) == (read.user.unit is None) == (secret == without_unit)
        if read.user.unit is not None:
            assert _fields(checked.user.unit) == _fields(read.user.unit)
    assert apikey_check(with_unit + "x") is None
    apikey_revoke(actor=None, name="watch")
    assert apikey_check(without_unit) is None
