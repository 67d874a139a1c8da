"""What the API serves and whom it trusts, read from the environment.

``planner serve`` writes its flags into these variables before uvicorn starts its workers,
so every worker process (and every replica started with the same environment) builds the
same application:

========================== ==========================================================================
``PLANNER_CATALOGUE``      the catalogue: a folder of YAML, or a compiled store's URL (as the CLI)
``PLANNER_DATABASE_URL``   the learner store (and the API's jobs): one database every replica shares
``PLANNER_OIDC_ISSUER``    the OpenID Connect issuer(s) whose tokens are accepted (comma-separated);
                           the same variable names the issuer whose verified e-mails may grant roles
``PLANNER_OIDC_AUDIENCE``  the audience (``aud``) a token must name: the API's client id
``PLANNER_API_OPEN``       ``true``: catalogue, route, reach, verification and analysis endpoints
                           answer without a token (learner data never does); default ``true``
                           without an issuer, ``false`` with one
``PLANNER_API_SCHEDULER``  where analysis jobs run: ``auto``, ``none``, ``local`` or a Dask address
``PLANNER_API_MAX_SECONDS`` the longest route search a request may ask for (``time_limit``)
``PLANNER_API_MAX_BODY_MB`` the largest request body (default: the input layer's file limit)
``PLANNER_API_ANSWERING``  route, reach and verification questions one worker process answers at
                           once (default 1); the others wait their turn, first come first served
``PLANNER_OIDC_LEEWAY``    seconds of clock difference allowed on ``exp``/``nbf``/``iat`` (default 30)
========================== ==========================================================================
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass

from planner.catalogue.inputs import MAX_FILE_BYTES

__all__ = ["Settings", "SettingsError"]

#: Longest route search one request may ask for, by default (seconds).
DEFAULT_MAX_SECONDS = 30.0
#: Questions one worker process answers at once, by default. The engine is CPU-bound Python
#: (under one interpreter lock), so two at once in one process only share its core and make
#: both answers late; more cores are used by more worker processes (``--workers``).
DEFAULT_ANSWERING = 1
#: Clock difference allowed between the identity provider and this server, by default (seconds).
DEFAULT_LEEWAY = 30


class SettingsError(ValueError):
    """A setting that cannot be used; the message names the variable."""


@dataclass(frozen=True)
class Settings:
    """The API's settings (see the module docstring for the variables)."""

    catalogue: str | None = None
    database_url: str | None = None
    issuers: tuple[str, ...] = ()
    audience: str | None = None
    open_catalogue: bool = True
    scheduler: str = "auto"
    max_seconds: float = DEFAULT_MAX_SECONDS
    max_body_bytes: int = MAX_FILE_BYTES
    leeway: int = DEFAULT_LEEWAY
    answering: int = DEFAULT_ANSWERING

    @property
    def sign_in(self) -> bool:
        """Whether bearer tokens can be checked (an issuer and an audience are configured)."""
        return bool(self.issuers and self.audience)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Read the settings from ``environ`` (default ``os.environ``).

        Raises
        ------
        SettingsError
            Naming the variable whose value cannot be used.
        """
        env = os.environ if environ is None else environ

        def text(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        issuers = tuple(x.strip().rstrip("/") for x in (text("PLANNER_OIDC_ISSUER") or "").split(",") if x.strip())
        audience = text("PLANNER_OIDC_AUDIENCE")
        if issuers and not audience:
            raise SettingsError("PLANNER_OIDC_AUDIENCE: required with PLANNER_OIDC_ISSUER (the audience tokens "
                                "must name, usually the API's client id)")
        open_text = (text("PLANNER_API_OPEN") or ("false" if issuers else "true")).lower()
        if open_text not in ("true", "false", "1", "0", "yes", "no"):
            raise SettingsError(f"PLANNER_API_OPEN: expected true or false, got {open_text[:40]!r}")
        return cls(
            catalogue=text("PLANNER_CATALOGUE"),
            database_url=text("PLANNER_DATABASE_URL"),
            issuers=issuers,
            audience=audience,
            open_catalogue=open_text in ("true", "1", "yes"),
            scheduler=text("PLANNER_API_SCHEDULER") or "auto",
            max_seconds=_number(text("PLANNER_API_MAX_SECONDS"), "PLANNER_API_MAX_SECONDS", DEFAULT_MAX_SECONDS,
                                low=0.1, high=3600),
            max_body_bytes=int(_number(text("PLANNER_API_MAX_BODY_MB"), "PLANNER_API_MAX_BODY_MB",
                                       MAX_FILE_BYTES / 2**20, low=0.001, high=1_000_000) * 2**20),
            leeway=int(_number(text("PLANNER_OIDC_LEEWAY"), "PLANNER_OIDC_LEEWAY", DEFAULT_LEEWAY, low=0,
                               high=600)),
            answering=_whole(text("PLANNER_API_ANSWERING"), "PLANNER_API_ANSWERING", DEFAULT_ANSWERING, high=256),
        )


def _whole(value: str | None, name: str, default: int, *, high: int) -> int:
    if value is None:
        return default
    if not value.isdigit() or not 1 <= int(value) <= high:
        raise SettingsError(f"{name}: expected a whole number from 1 to {high}, got {value[:40]}")
    return int(value)


def _number(value: str | None, name: str, default: float, *, low: float, high: float) -> float:
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        raise SettingsError(f"{name}: expected a number, got {value[:40]!r}") from None
    if not math.isfinite(number) or not low <= number <= high:
        raise SettingsError(f"{name}: expected a number from {low:g} to {high:g}, got {value[:40]}")
    return number
