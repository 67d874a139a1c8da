"""``planner serve``: the HTTP API on uvicorn (:mod:`planner.api`).

``planner serve [--host H] [--port P] [--workers N] [--catalogue DIR|URL] [--database URL]
[--open | --no-open] [--scheduler WHERE] [--root-path PATH] [--forwarded-allow-ips IPS]``

The flags are written into the environment the API reads (:mod:`planner.api.settings`), so
every worker process, and every replica started with the same settings, serves the same
catalogue from the same database. The catalogue and the database are opened once before
the workers start, so a catalogue with errors or an unreachable database is one located
line and exit code 1, not a worker's traceback. Behind a reverse proxy, ``--root-path``
names the prefix the proxy serves the API under and ``--forwarded-allow-ips`` the proxy's
address, whose ``X-Forwarded-For`` / ``X-Forwarded-Proto`` headers are then believed.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from typing import Any

from planner.cli._output import say

__all__ = ["cmd_serve", "register"]


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError("expected a port number from 0 to 65535")
    return value


def _workers(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of worker processes, got {text!r}") from None
    if not 1 <= value <= 64:
        raise argparse.ArgumentTypeError("expected 1 to 64 worker processes")
    return value


def register(subparsers: Any) -> None:
    """Add the ``serve`` sub-command."""
    p = subparsers.add_parser(
        "serve", help="serve the HTTP API (OpenAPI at /openapi.json, documentation at /docs)",
        description="Serve the planner as an HTTP API for portals, LMSs and registries. Settings not given as "
                    "flags come from the environment (PLANNER_CATALOGUE, PLANNER_DATABASE_URL, PLANNER_OIDC_ISSUER, "
                    "PLANNER_OIDC_AUDIENCE, PLANNER_API_OPEN, PLANNER_API_SCHEDULER, PLANNER_API_MAX_SECONDS).")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=_port, default=8000, help="port to listen on (default 8000)")
    p.add_argument("--workers", type=_workers, default=1, help="worker processes (default 1)")
    p.add_argument("--catalogue", "-c", metavar="DIR|URL",
                   help="catalogue folder or compiled catalogue URL (default $PLANNER_CATALOGUE, else the bundled one)")
    p.add_argument("--database", metavar="URL",
                   help="learner store and jobs database (default $PLANNER_DATABASE_URL, else the local file)")
    p.add_argument("--open", action=argparse.BooleanOptionalAction, default=None,
                   help="answer catalogue, route, verification and analysis requests without a token (learner data "
                        "always needs one); default: open without an issuer, closed with one")
    p.add_argument("--scheduler", metavar="WHERE", help="where analysis jobs run: auto, none, local or tcp://HOST:PORT")
    p.add_argument("--root-path", default="", metavar="PATH",
                   help="the path prefix a reverse proxy serves the API under, e.g. /planner")
    p.add_argument("--forwarded-allow-ips", metavar="IPS",
                   help="comma-separated addresses of proxies whose X-Forwarded-* headers are trusted "
                        "(default 127.0.0.1)")
    p.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    p.set_defaults(handler=cmd_serve)


def _environment(args: argparse.Namespace) -> dict[str, str]:
    """The variables the flags set (written into the environment only once they are known to work)."""
    changes = {name: value for value, name in ((args.catalogue, "PLANNER_CATALOGUE"),
                                               (args.database, "PLANNER_DATABASE_URL"),
                                               (args.scheduler, "PLANNER_API_SCHEDULER")) if value}
    if args.open is not None:
        changes["PLANNER_API_OPEN"] = "true" if args.open else "false"
    if getattr(args, "max_file_mb", None):
        changes["PLANNER_API_MAX_BODY_MB"] = str(args.max_file_mb)
    return changes


def cmd_serve(args: argparse.Namespace) -> int:
    """Run ``planner serve`` until it is stopped (Ctrl-C, SIGTERM)."""
    import uvicorn

    from planner.api.catalogue import CatalogueError, CatalogueService
    from planner.api.settings import Settings, SettingsError
    from planner.api.workers import reuse_port_supported, run_workers
    from planner.store.records import open_store

    changes = _environment(args)
    try:
        settings = Settings.from_env({**os.environ, **changes})
        service = CatalogueService(settings.catalogue)  # errors here are one located line, before any worker
        served, compiled = service.name, service.folder is None  # a store's URL with its password hidden
        service.close()
        open_store(settings.database_url).engine.dispose()
    except (SettingsError, CatalogueError) as exc:
        say(f"planner serve: {exc}", err=True)
        return 1
    os.environ.update(changes)  # uvicorn's worker processes build the application from the environment
    if args.workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # the workers count into one folder, so a scrape of any of them reports all
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="planner-metrics-")
    say(f"planner serve: {'compiled catalogue' if compiled else 'catalogue'} {served} on http://{args.host}:{args.port}"
        f"{args.root_path} ({args.workers} worker(s); sign-in {'on' if settings.sign_in else 'off'}, "
        f"{'open' if settings.open_catalogue else 'closed'} catalogue)", err=True)
    options = {"app": "planner.api.app:create_app", "factory": True, "host": args.host, "port": args.port,
               "root_path": args.root_path, "proxy_headers": True, "forwarded_allow_ips": args.forwarded_allow_ips,
               "log_level": args.log_level, "server_header": False}
    if args.workers > 1 and reuse_port_supported():
        try:
            run_workers(options, args.workers)  # each worker accepts its own connections
        except OSError as exc:  # the address is taken or cannot be bound
            say(f"planner serve: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", err=True)
            return 1
    else:
        uvicorn.run(**options, workers=args.workers)
    return 0
