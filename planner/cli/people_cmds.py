"""``planner users list|add|role`` and ``planner caseload list|assign|unassign``: who is who.

For institutions that script their set-up: register people before they first sign in,
give them roles, and put learners on advisors' caseloads. Every command acts as the local
user unless ``--as ISSUER|SUBJECT`` names a signed-in user, on the database of ``--database
URL``; the library's access rules decide (only administrators manage users and caseloads;
an advisor lists their own caseload). Text or ``--format json``.

Examples
--------
``planner users add 'https://id.example.org|kim' --name Kim --role advisor --as 'https://id.example.org|amy'``
``planner caseload assign --advisor 2 --user 5 --as 'https://id.example.org|amy'``
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from planner.cli._output import say, say_json
from planner.cli.plans_cmd import open_as, store_options
from planner.store.identity import Identity

__all__ = ["cmd_caseload_assign", "cmd_caseload_list", "cmd_caseload_unassign", "cmd_users_add", "cmd_users_list",
           "cmd_users_role", "register"]

ROLES = ("learner", "advisor", "admin")


def _id(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an id (a whole number), got {text!r}") from None
    if not 1 <= value <= 2**62:
        raise argparse.ArgumentTypeError(f"expected an id from 1, got {text!r}")
    return value


def _person(text: str) -> Identity:
    issuer, sep, subject = text.partition("|")
    if not sep or not issuer.strip() or not subject.strip() or len(text) > 600:
        raise argparse.ArgumentTypeError(f"expected ISSUER|SUBJECT (the provider's iss and sub), got {text!r}")
    return Identity(issuer=issuer.strip(), subject=subject.strip())


def _text(limit: int):  # type: ignore[no-untyped-def]
    def parse(text: str) -> str:
        if not text.strip() or len(text) > limit:
            raise argparse.ArgumentTypeError(f"expected 1 to {limit} characters")
        return text.strip()
    return parse


def register(subparsers: Any) -> None:
    """Add the ``users`` and ``caseload`` sub-commands.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        The object returned by ``ArgumentParser.add_subparsers``.
    """
    users = subparsers.add_parser("users", help="users and their roles (administrators)",
                                  description="List users, register them before they sign in, change roles.")
    usub = users.add_subparsers(dest="users_command", metavar="ACTION", required=True)
    listing = usub.add_parser("list", help="every user with their role, record and caseload")
    listing.add_argument("--format", choices=("text", "json"), default="text")
    store_options(listing)
    listing.set_defaults(handler=cmd_users_list, command_name="users list")
    add = usub.add_parser("add", help="register a person before they first sign in")
    add.add_argument("person", type=_person, metavar="ISSUER|SUBJECT",
                     help="the identity provider's issuer URL and the person's subject (sub claim)")
    add.add_argument("--name", type=_text(300), help="display name")
    add.add_argument("--email", type=_text(300), help="e-mail address")
    add.add_argument("--role", choices=ROLES, default="learner")
    add.add_argument("--format", choices=("text", "json"), default="text")
    store_options(add)
    add.set_defaults(handler=cmd_users_add, command_name="users add")
    role = usub.add_parser("role", help="change a user's role")
    role.add_argument("user_id", type=_id, metavar="USER")
    role.add_argument("role", choices=ROLES)
    role.add_argument("--format", choices=("text", "json"), default="text")
    store_options(role)
    role.set_defaults(handler=cmd_users_role, command_name="users role")

    caseload = subparsers.add_parser("caseload", help="which advisor has which learner",
                                     description="List, assign and unassign learners on advisors' caseloads.")
    csub = caseload.add_subparsers(dest="caseload_command", metavar="ACTION", required=True)
    clist = csub.add_parser("list", help="an administrator: every assignment; an advisor: their learners")
    clist.add_argument("--advisor", type=_id, metavar="USER", help="only this advisor's learners (administrators)")
    clist.add_argument("--format", choices=("text", "json"), default="text")
    store_options(clist)
    clist.set_defaults(handler=cmd_caseload_list, command_name="caseload list")
    for name, handler, what in (("assign", cmd_caseload_assign, "put a learner on an advisor's caseload"),
                                ("unassign", cmd_caseload_unassign, "take a learner off an advisor's caseload")):
        p = csub.add_parser(name, help=what)
        p.add_argument("--advisor", type=_id, metavar="USER", required=True, help="the advisor's user id")
        who = p.add_mutually_exclusive_group(required=True)
        who.add_argument("--learner", type=_id, metavar="ID", help="a learner record")
        if name == "assign":
            who.add_argument("--user", type=_id, metavar="USER",
                             help="a learner's user id (their record is created if they have none yet)")
        p.add_argument("--format", choices=("text", "json"), default="text")
        store_options(p)
        p.set_defaults(handler=handler, command_name=f"caseload {name}")


def _json(data: Any) -> None:
    say_json(json.dumps(data, indent=2, ensure_ascii=False))


def cmd_users_list(args: argparse.Namespace) -> int:
    """Run ``planner users list``."""
    from planner.store.admin import list_users

    store, actor = open_as(args)
    users = list_users(store, actor)
    if args.format == "json":
        _json([{"id": u.id, "name": u.name, "email": u.email, "role": u.role.value, "identity": u.key,
                "learner": u.learner_id, "advisors": list(u.advisors), "caseload": u.caseload} for u in users])
        return 0
    for u in users:
        extra = [f"caseload {u.caseload}"] if u.role.value == "advisor" else []
        if u.learner_id is not None:
            extra.append(f"learner record {u.learner_id}"
                         + (f", advisors {', '.join(map(str, u.advisors))}" if u.advisors else ", no advisor"))
        say(f"{u.id:>5}  {u.role.value:<8} {u.name}" + (f" <{u.email}>" if u.email else "") + f"  {u.key}"
            + (f"  ({'; '.join(extra)})" if extra else ""))
    say(f"{len(users)} user(s)")
    return 0


def cmd_users_add(args: argparse.Namespace) -> int:
    """Run ``planner users add``."""
    from planner.store.admin import add_user

    store, actor = open_as(args)
    person = Identity(args.person.issuer, args.person.subject, args.email, args.name)
    user = add_user(store, actor, person, args.role)
    if args.format == "json":
        _json({"id": user.id, "name": user.name, "role": user.role.value, "identity": person.key})
    else:
        say(f"added user {user.id}: {user.name} as {user.role.value} ({person.key})")
    return 0


def cmd_users_role(args: argparse.Namespace) -> int:
    """Run ``planner users role``."""
    from planner.store.admin import set_role

    store, actor = open_as(args)
    user = set_role(store, actor, args.user_id, args.role)
    if args.format == "json":
        _json({"id": user.id, "name": user.name, "role": user.role.value})
    else:
        say(f"user {user.id} ({user.name}) is now {user.role.value}")
    return 0


def cmd_caseload_list(args: argparse.Namespace) -> int:
    """Run ``planner caseload list``: every assignment (administrators) or one's own learners (advisors)."""
    from planner.store.access import Capability, Role, require_capability
    from planner.store.admin import assignments

    store, actor = open_as(args)
    if actor.role != Role.ADMIN:
        require_capability(actor, Capability.CASELOAD)  # a learner has a record, not a caseload
    if actor.role == Role.ADMIN:
        rows = assignments(store, actor, args.advisor)
        if args.format == "json":
            _json([{"advisor": a.advisor_id, "advisor_name": a.advisor, "learner": a.learner_id,
                    "learner_name": a.learner, "learner_user": a.learner_user_id} for a in rows])
            return 0
        for a in rows:
            say(f"advisor {a.advisor_id} ({a.advisor}) → learner {a.learner_id} ({a.learner})")
        say(f"{len(rows)} assignment(s)")
        return 0
    if args.advisor is not None and args.advisor != actor.id:
        from planner.store.errors import AccessDenied

        raise AccessDenied(f"{actor} may not list another advisor's caseload: only admins may")
    learners = store.caseload(actor)
    if args.format == "json":
        _json([{"learner": r.learner_id, "name": r.name, "plan": r.plan_id, "version": r.version, "target": r.target,
                "status": r.status, "steps": r.steps, "completed": r.completed} for r in learners])
        return 0
    for r in learners:
        plan = (f"plan {r.plan_id} v{r.version} → {r.target}, {r.completed}/{r.steps} steps completed"
                if r.plan_id else "no plan yet")
        say(f"learner {r.learner_id:>5}  {r.name}: {plan}")
    say(f"{len(learners)} learner(s)")
    return 0


def cmd_caseload_assign(args: argparse.Namespace) -> int:
    """Run ``planner caseload assign``."""
    from planner.store.admin import assign

    store, actor = open_as(args)
    done = assign(store, actor, args.advisor, learner_id=args.learner, user_id=args.user)
    if args.format == "json":
        _json({"advisor": done.advisor_id, "learner": done.learner_id, "learner_user": done.learner_user_id})
    else:
        say(f"learner {done.learner_id} ({done.learner}) is on the caseload of {done.advisor} (user {done.advisor_id})")
    return 0


def cmd_caseload_unassign(args: argparse.Namespace) -> int:
    """Run ``planner caseload unassign``."""
    from planner.store.admin import unassign

    store, actor = open_as(args)
    unassign(store, actor, args.advisor, args.learner)
    if args.format == "json":
        _json({"advisor": args.advisor, "learner": args.learner, "assigned": False})
    else:
        say(f"learner {args.learner} is off the caseload of user {args.advisor}")
    return 0
