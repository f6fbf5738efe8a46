"""`jingzhi apikey create|rate|revoke|list`: integration keys from the command line (the secret is printed once)."""

from __future__ import annotations

import argparse
import sys


def cmd_apikey(args: argparse.Namespace) -> int:
    from jingzhi.bootstrap import setup_django as _setup

    _setup(args.data_dir)
    from jingzhi.api.models import ApiKey
    from jingzhi.api.services import apikey_create, apikey_revoke, apikey_set_rate
    from jingzhi.core.errors import ApplicationError
    from jingzhi.org.models import User

    try:
        if args.apikey_command == "create":
            user = None
            if args.user:
                user = User.objects.filter(username=args.user).first()
                if user is None:
                    print(f"no such user: {args.user}", file=sys.stderr)
                    return 2
            key, secret = apikey_create(
                name=args.name, actor=None, user=user, role=args.role or "", division_code=args.division or "",
                unit_code=args.unit or "", rate=args.rate or "",
            )
            print(f"API key “{key.name}” ({key.get_kind_display()}, acts as {key.user.username}, role {key.user.role}, "
                  f"rate {key.rate or 'default'})")
            print("Store it now; it is not shown again:", file=sys.stderr, flush=True)
            print(secret)
        elif args.apikey_command == "rate":
            key = apikey_set_rate(actor=None, name=args.name, rate=args.rate)
            print(f"rate of {key.name}: {key.rate or 'default'}")
        elif args.apikey_command == "revoke":
            key = apikey_revoke(actor=None, name=args.name)
            print(f"revoked: {key.name}")
        else:
            for key in ApiKey.objects.select_related("user").order_by("name"):
                state = "revoked" if key.revoked_at else "active"
                print(f"{key.name:<30} {key.kind:<12} {key.user.role:<11} jz_{key.prefix}_…  {key.rate or 'default':<10} "
                      f"{state}")
    except ApplicationError as e:
        details = "; ".join(f"{k}: {v}" for k, v in e.fields.items() if str(v) != str(e.message))
        print(f"{e.message}{' ' + details if details else ''}", file=sys.stderr)
        return 2
    return 0


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add `apikey` to the `jingzhi` command."""
    p = sub.add_parser("apikey", help="create, revoke or list API keys for integrations")
    p.add_argument("--data-dir", default=None, help="directory of the embedded SQLite database")
    actions = p.add_subparsers(dest="apikey_command", required=True)
    c = actions.add_parser("create", help="create a key and print it once")
    c.add_argument("--data-dir", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    c.add_argument("--name", required=True)
    c.add_argument("--role", help="role of the integration's service user (operator, dispatcher, supervisor, …)")
    c.add_argument("--division", help="division code: the key sees that subtree (for supervisor and leader roles)")
    c.add_argument("--unit", help="unit code of the service user (default for operator/dispatcher: the hotline centre)")
    c.add_argument("--user", help="a personal token for this existing user instead of an integration key")
    # A call-centre system pushes thousands of cases a minute; the default (JINGZHI_API_RATE_KEY) suits a person.
    c.add_argument("--rate", help="the key's own rate limit, e.g. 6000/min (default: JINGZHI_API_RATE_KEY)")
    t = actions.add_parser("rate", help="set a key's own rate limit (an empty RATE returns it to the default)")
    t.add_argument("name")
    t.add_argument("rate", help="e.g. 6000/min, 100/s; \"\" for the default")
    t.add_argument("--data-dir", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    r = actions.add_parser("revoke", help="revoke a key at once")
    r.add_argument("name")
    r.add_argument("--data-dir", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    lst = actions.add_parser("list", help="list keys (never the secrets)")
    lst.add_argument("--data-dir", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    p.set_defaults(func=cmd_apikey)
