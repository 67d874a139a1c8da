"""Seeded synthetic catalogues with a realistic shape, for benchmarks and tests.

The shape follows what real micro-credential ecosystems look like:

* **Sectors** (data, health, energy …) hold **clusters** of related competencies
  (a few hundred competencies per sector), with a ``broader`` hierarchy
  sector area → cluster area → skills (some skills under another skill).
* **Providers** of every kind in several countries, pricing in their own currency;
  ``meta.exchange_rates`` covers every currency used.
* **Micro-credentials and courses** (most of the catalogue) teach 1–4 competencies of one
  cluster at levels 1–4. Each competency has a *ladder* of courses: a level-L course
  requires a specific lower course of the same competency (sometimes any of two), and
  sometimes a foundation competency of the cluster at a level (some groups are ``any_of``
  two foundations).
* **Industry certifications** teach 2–4 competencies at levels 3–4, need a foundation
  competency, cost more, and their credit expires after 2–3 years.
* **Certificates** are earned by stacking micro-credentials of their cluster
  (``n_of`` modules, ``credits`` from a list, or a core module plus credits).
* **Degrees** (one per sector) accept the sector's certificates and micro-credentials, with
  an RPL cap and a credit validity window.
* **Recognition agreements** let a provider count another provider's micro-credential
  towards its award (in its credit pool, or as the equivalent of a core module).
* **Roles** need 5–12 competencies of a cluster (sometimes two clusters of a sector),
  essential and optional, at levels the catalogue teaches, except a few roles with a gap
  (a level nobody teaches, or a competency nobody teaches).

Prerequisites never form cycles, even in the strict sense where a competency requirement
links a credential to *every* credential teaching that competency at the level or above:
a credential's primary competency is the lowest-indexed one it teaches, a competency
requirement always names a lower-indexed competency of the cluster, and a credential
requirement always names a course of the same competency at a lower level. So every
prerequisite edge strictly decreases (primary index, level).

Run ``python benchmarks/synthetic.py --credentials 10000 --seed 1 --out DIR`` to write the
catalogue as several YAML files that :func:`planner.catalogue.loader.load` reads.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import math
import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from planner.catalogue.models import Catalogue

__all__ = ["generate", "generate_data", "national_field", "stream_national", "write_national", "write_yaml"]

#: Average number of credentials per competency cluster (sets how many clusters there are).
CREDENTIALS_PER_CLUSTER = 40
#: Clusters per sector: about 20 clusters of 8–14 competencies, a few hundred per sector.
CLUSTERS_PER_SECTOR = 20

_SECTOR_NAMES = [
    "data", "health", "energy", "logistics", "construction", "finance", "tourism", "agrifood",
    "manufacturing", "education", "media", "security", "retail", "mobility", "public",
]
_TOPICS = [
    "analysis", "modelling", "design", "operations", "quality", "safety", "planning", "automation",
    "maintenance", "compliance", "reporting", "integration", "testing", "procurement", "service",
    "sustainability", "governance", "optimisation", "communication", "supervision", "diagnostics",
    "documentation", "inspection", "forecasting", "visualisation", "scheduling", "auditing",
]
_QUALIFIERS = [
    "applied", "advanced", "digital", "strategic", "technical", "practical", "clinical", "field",
    "systems", "risk", "process", "client", "project", "data-driven", "green", "lean",
]
_LEVEL_NAMES = {1: "foundations", 2: "intermediate", 3: "advanced", 4: "expert"}

# country, currency, main language
_COUNTRIES = [
    ("DE", "EUR", "de"), ("FR", "EUR", "fr"), ("NL", "EUR", "nl"), ("ES", "EUR", "es"),
    ("IE", "EUR", "en"), ("GB", "GBP", "en"), ("US", "USD", "en"), ("CH", "CHF", "de"),
    ("SE", "SEK", "sv"), ("PL", "PLN", "pl"),
]
#: Value of one unit in EUR (the base currency).
_RATES = {"EUR": 1.0, "GBP": 1.17, "USD": 0.92, "CHF": 1.05, "SEK": 0.088, "PLN": 0.23,
          "DKK": 0.134, "CZK": 0.040, "RON": 0.20, "BGN": 0.51}
_INTAKES = [["09-15"], ["01-15", "09-15"], ["02-01", "10-01"], ["03-01", "06-01", "09-01", "11-15"]]
_ASSESSMENTS = ["exam", "project", "portfolio", "practical", "quiz", "oral"]
_MODES = ["online", "onsite", "blended"]


def _money(rng: random.Random, eur: float, currency: str) -> dict[str, Any]:
    """A price of about ``eur`` euros, expressed (rounded) in the provider's currency."""
    amount = eur / _RATES[currency]
    step = 50 if currency in ("SEK", "PLN") else 5
    return {"amount": float(max(0, round(amount / step) * step)), "currency": currency}


class _Builder:
    """Builds the catalogue dictionaries; one instance per :func:`generate_data` call."""

    #: (country, currency, language) providers are drawn from.
    countries: list[tuple[str, str, str]] = _COUNTRIES
    #: Sector names, by sector index (wrapping around with a numeric suffix).
    sector_names: list[str] = _SECTOR_NAMES

    def __init__(self, n: int, seed: int, n_roles: int | None) -> None:
        self.n = n
        self.rng = random.Random(seed)
        self.n_roles = n_roles
        self.seed = seed
        self.providers: list[dict[str, Any]] = []
        self.provider_info: dict[str, tuple[str, str, str]] = {}  # id -> (kind, currency, language)
        self.provider_qa: set[str] = set()
        self.competencies: list[dict[str, Any]] = []
        self.credentials: list[dict[str, Any]] = []
        self.roles: list[dict[str, Any]] = []
        self.recognitions: list[dict[str, Any]] = []
        # per cluster: (sector index, competency ids, micro ids, max level taught per competency)
        self.clusters: list[dict[str, Any]] = []
        self.sector_certs: dict[int, list[str]] = {}
        self.sector_providers: dict[int, dict[str, list[str]]] = {}
        self.global_online: list[str] = []
        self.cred_by_id: dict[str, dict[str, Any]] = {}

    # ------------------------------------------------------------------ providers

    def _provider(self, pid: str, name: str, kind: str) -> str:
        country, currency, language = self.rng.choice(self.countries)
        item: dict[str, Any] = {"id": pid, "name": name, "country": country, "kind": kind}
        if kind in ("university", "vet_college"):
            item["quality_assurance"] = {"type": "external", "body": f"{country} accreditation agency"}
        elif self.rng.random() < 0.5:
            item["quality_assurance"] = {"type": "internal"}
        if "quality_assurance" in item:
            self.provider_qa.add(pid)
        self.providers.append(item)
        self.provider_info[pid] = (kind, currency, language)
        return pid

    def _sector_providers(self, si: int, sector: str) -> None:
        rng = self.rng
        kinds = {
            "university": 2,
            "vet_college": rng.randint(1, 2),
            "industry": 2,
            "online_platform": 1,
            "other": 1,
        }
        pools: dict[str, list[str]] = {}
        for kind, count in kinds.items():
            pools[kind] = [
                self._provider(f"p{si:03d}-{kind[:3]}{k}",
                               f"{sector.title()} {kind.replace('_', ' ')} {k + 1}", kind)
                for k in range(count)
            ]
        pools["online_platform"] += self.global_online
        self.sector_providers[si] = pools

    # ------------------------------------------------------------------ competencies

    def _label(self) -> str:
        rng = self.rng
        return f"{rng.choice(_QUALIFIERS).capitalize()} {rng.choice(_TOPICS)}"

    def _cluster_competencies(self, si: int, ci: int, sector_root: str) -> list[str]:
        rng = self.rng
        area = f"s{si:03d}.c{ci:04d}"
        topic = rng.choice(_TOPICS)
        self.competencies.append({
            "id": area, "label": f"{sector_root.split('.')[0]} {topic} (area {ci})",
            "type": "knowledge", "broader": sector_root,
        })
        ids: list[str] = []
        for j in range(rng.randint(8, 14)):
            cid = f"{area}.k{j:02d}"
            # a deeper hierarchy for some skills; broader always points to a lower index
            broader = ids[rng.randrange(min(j, 3))] if j >= 3 and rng.random() < 0.4 else area
            item: dict[str, Any] = {"id": cid, "label": f"{self._label()} {ci}.{j}", "broader": broader}
            if rng.random() < 0.2:
                item["type"] = "knowledge"
            self.competencies.append(item)
            ids.append(cid)
        return ids

    # ------------------------------------------------------------------ credentials

    def _add(self, item: dict[str, Any]) -> None:
        self.credentials.append(item)
        self.cred_by_id[item["id"]] = item

    def _common(self, cid: str, title: str, pid: str, ctype: str, sector: str,
                ects: float | None, eur: float, level: int) -> dict[str, Any]:
        rng = self.rng
        kind, currency, language = self.provider_info[pid]
        hours = (ects * 25.0) if ects else float(rng.choice([20, 40, 60, 80]))
        weeks = max(1, min(52, round(hours / rng.choice([5.0, 6.0, 8.0, 10.0]))))
        item: dict[str, Any] = {
            "id": cid, "title": title, "provider": pid, "type": ctype, "sector": sector,
            "learning_outcomes": [f"Apply {title.lower()} in practice"],
            "hours": hours,
            "eqf_level": min(8, 3 + level),
            "assessment": [rng.choice(_ASSESSMENTS)],
            "participation": rng.choice(_MODES),
            "languages": [language] if language == "en" or rng.random() < 0.6 else [language, "en"],
            "cost": _money(rng, eur, currency),
            "duration_weeks": weeks,
            "hours_per_week": round(hours / weeks, 1),
            "runs": {"rolling": True} if rng.random() < 0.5 else {"intakes": rng.choice(_INTAKES)},
        }
        if ects is not None:
            item["ects"] = ects
        if kind in ("university", "vet_college") or rng.random() < 0.3:
            item["quality_assurance"] = {"type": "external" if kind != "other" else "internal"}
        elif pid not in self.provider_qa and rng.random() < 0.9:
            # most providers without a QA statement still document internal QA per offering;
            # the rest are left as the realistic gap the quality analyses should find
            item["quality_assurance"] = {"type": "internal"}
        return item

    def _teaching_provider(self, si: int) -> str:
        pools = self.sector_providers[si]
        kind = self.rng.choices(
            ["university", "vet_college", "online_platform", "other", "industry"], [4, 3, 3, 1, 1]
        )[0]
        return self.rng.choice(pools[kind])

    def _micros(self, si: int, ci: int, sector: str, comps: list[str], count: int) -> list[str]:
        """Micro-credentials and courses of one cluster, in level ladders per competency."""
        rng = self.rng
        m = len(comps)
        by_primary: dict[int, list[tuple[int, str]]] = {}  # primary index -> [(level, id)]
        ids: list[str] = []
        for k in range(count):
            # every competency gets a level-1 course first, then ladders grow upwards
            j = k if k < m else rng.randrange(m)
            ladder = by_primary.setdefault(j, [])
            level = min(4, len(ladder) + 1) if len(ladder) < 4 else rng.randint(1, 4)
            cid = f"s{si:03d}-c{ci:04d}-m{k:03d}"
            ctype = rng.choices(["micro_credential", "course", "badge"], [70, 25, 5])[0]
            ects = float(rng.choices([1, 2, 3, 4, 5, 6], [1, 3, 4, 3, 3, 2])[0])
            eur = ects * rng.uniform(40, 140) * (0.8 + 0.15 * level)
            pid = self._teaching_provider(si)
            if self.provider_info[pid][0] == "online_platform":
                eur *= 0.6  # online platforms undercut colleges
            label = self.competencies_by_id[comps[j]]["label"]
            item = self._common(cid, f"{label}: {_LEVEL_NAMES[level]}", pid, ctype, sector, ects, eur, level)
            teaches = [{"competency": comps[j], "level": level}]
            higher = list(range(j + 1, m))
            for extra in rng.sample(higher, min(len(higher), rng.choice([0, 0, 1, 1, 2, 3]))):
                teaches.append({"competency": comps[extra], "level": rng.randint(1, level)})
            item["teaches"] = teaches
            requires: list[dict[str, Any]] = []
            lower = [c for lv, c in ladder if lv == level - 1] or [c for lv, c in ladder if lv < level]
            if level > 1 and lower:
                chosen = rng.sample(lower, min(len(lower), rng.choice([1, 1, 2])))
                requires.append({"any_of": [{"credential": c} for c in sorted(chosen)]})
            if j > 0 and rng.random() < 0.3:
                # a foundation competency, at a level something already generated teaches
                found = [f for f in rng.sample(range(j), min(j, rng.choice([1, 1, 2])))
                         if comps[f] in self.max_taught]
                need = max(1, min(2, level - 1))
                alts = [{"competency": comps[f], "level": min(need, self.max_taught[comps[f]])}
                        for f in sorted(found)]
                if alts:
                    requires.append({"any_of": alts})
            if requires:
                item["requires"] = requires
            if ctype == "badge":
                item["credit_validity_years"] = 5.0
            self._add(item)
            ladder.append((level, cid))
            ids.append(cid)
            for t in teaches:
                top = self.max_taught.get(t["competency"], 0)
                self.max_taught[t["competency"]] = max(top, t["level"])
        return ids

    def _industry(self, si: int, ci: int, sector: str, comps: list[str], count: int) -> None:
        rng = self.rng
        m = len(comps)
        for k in range(count):
            cid = f"s{si:03d}-c{ci:04d}-i{k}"
            pid = rng.choice(self.sector_providers[si]["industry"])
            taught = sorted(rng.sample(range(1, m), min(m - 1, rng.randint(2, 4)))) if m >= 2 else [0]
            level = rng.choice([3, 3, 4])
            item = self._common(cid, f"Certified {self.competencies_by_id[comps[taught[0]]]['label']} "
                                f"professional {k + 1}", pid, "industry_certification", sector, None,
                                rng.uniform(300, 1800), level)
            item["teaches"] = [
                {"competency": comps[t], "level": level if t == taught[0] else rng.randint(2, level)}
                for t in taught
            ]
            if taught[0] > 0:
                found = sorted(rng.sample(range(taught[0]), min(taught[0], rng.choice([1, 2]))))
                alts = [{"competency": comps[f], "level": min(2, self.max_taught[comps[f]])}
                        for f in found if comps[f] in self.max_taught]
                if alts:
                    item["requires"] = [{"any_of": alts}]
            item["credit_validity_years"] = float(rng.choice([2, 3]))
            item["assessment"] = ["exam"]
            self._add(item)
            for t in item["teaches"]:
                top = self.max_taught.get(t["competency"], 0)
                self.max_taught[t["competency"]] = max(top, t["level"])

    def _certificates(self, si: int, ci: int, sector: str, micros: list[str], count: int) -> None:
        rng = self.rng
        for k in range(count):
            if len(micros) < 3:
                return
            cid = f"s{si:03d}-c{ci:04d}-cert{k}"
            pool = sorted(rng.sample(micros, min(len(micros), rng.randint(6, 10))))
            total = sum(self.cred_by_id[c].get("ects", 0.0) for c in pool)
            shape = rng.choice(["n_of", "credits", "core"])
            rule: dict[str, Any]
            if shape == "n_of":
                n_of = min(len(pool), rng.randint(3, 4))
                rule = {"n_of": n_of, "of": [{"credential": c} for c in pool],
                        "label": f"{n_of} modules"}
                credits = sum(sorted(self.cred_by_id[c]["ects"] for c in pool)[:n_of])
            elif shape == "credits":
                credits = float(max(1, min(15, math.floor(total * 0.6))))
                rule = {"credits": credits, "from": pool, "id": f"{cid}.pool", "label": f"{credits:g} ECTS"}
            else:
                core, rest = pool[0], pool[1:]
                rest_total = sum(self.cred_by_id[c]["ects"] for c in rest)
                pool_credits = float(max(1, min(12, math.floor(rest_total * 0.6))))
                rule = {"all_of": [
                    {"credential": core},
                    {"credits": pool_credits, "from": rest, "id": f"{cid}.pool", "label": "electives"},
                ], "label": "core module and electives"}
                credits = self.cred_by_id[core]["ects"] + pool_credits
            pools = self.sector_providers[si]
            pid = rng.choice(pools["university"] + pools["vet_college"])
            title = f"Certificate in {self.competencies_by_id[f's{si:03d}.c{ci:04d}']['label']} {k + 1}"
            item = self._common(cid, title, pid, "certificate", sector, float(credits),
                                rng.uniform(0, 150), 2)
            item["award"] = {"rule": rule}
            if rng.random() < 0.4:
                item["award"]["rpl_cap"] = float(max(1, round(credits / 3)))
            if rng.random() < 0.3:
                item["award"]["credit_validity_years"] = 5.0
            item["hours"] = 0.0  # the work is in the components
            item["hours_per_week"] = 0.0
            item["duration_weeks"] = 0
            item["runs"] = {"rolling": True}
            self._add(item)
            self.sector_certs.setdefault(si, []).append(cid)

    def _degree(self, si: int, sector: str, sector_micros: list[str]) -> None:
        rng = self.rng
        certs = self.sector_certs.get(si, [])
        if not certs:
            return
        cid = f"s{si:03d}-degree"
        pid = rng.choice(self.sector_providers[si]["university"])
        cert_sample = sorted(rng.sample(certs, min(len(certs), 12)))
        pool = sorted(set(rng.sample(certs, min(len(certs), 20)))
                      | set(rng.sample(sector_micros, min(len(sector_micros), 40))))
        available = sum(self.cred_by_id[c].get("ects", 0.0) for c in pool)
        credits = float(max(1, min(60, math.floor(available * 0.5))))
        rule = {"all_of": [
            {"n_of": min(2, len(cert_sample)), "of": [{"credential": c} for c in cert_sample],
             "label": "two certificates"},
            {"credits": credits, "from": pool, "id": f"{cid}.pool", "label": f"{credits:g} ECTS"},
        ]}
        ctype = rng.choice(["master", "bachelor"])
        item = self._common(cid, f"{ctype.title()} in {sector.title()} ({si})", pid, ctype, sector,
                            90.0, rng.uniform(500, 3000), 4)
        item["award"] = {"rule": rule, "rpl_cap": 30.0, "credit_validity_years": 10.0}
        item["hours"] = 0.0
        item["hours_per_week"] = 0.0
        item["duration_weeks"] = 0
        item["runs"] = {"intakes": ["09-15"]}
        self._add(item)

    def _recognitions(self, all_micros: list[tuple[int, str]]) -> None:
        rng = self.rng
        awards = [c for c in self.credentials if "award" in c]
        if not awards or not all_micros:
            return
        by_sector: dict[int, list[str]] = {}
        for si, mid in all_micros:
            by_sector.setdefault(si, []).append(mid)
        for k in range(max(1, self.n // 50)):
            award = rng.choice(awards)
            si = int(award["id"][1:4])
            rule = award["award"]["rule"]
            candidates = by_sector.get(si, [])
            if not candidates:
                continue
            cred = rng.choice(candidates)
            if cred == award["id"] or self.cred_by_id[cred]["provider"] == award["provider"]:
                continue  # recognition crosses provider boundaries
            pool_id, leaves = _pool_and_leaves(rule)
            item: dict[str, Any] = {
                "id": f"rec{k:05d}", "provider": award["provider"], "credential": cred, "award": award["id"],
                "credits": float(self.cred_by_id[cred].get("ects") or 2.0),
                "valid_from": "2024-01-01",
                "valid_until": rng.choice(["2030-12-31", "2030-12-31", "2025-06-30"]),  # some lapse
            }
            if leaves and (pool_id is None or rng.random() < 0.3):
                item["equivalent_to"] = rng.choice(leaves)
            elif pool_id is not None:
                item["pool"] = pool_id
            else:
                continue
            self.recognitions.append(item)

    # ------------------------------------------------------------------ roles

    def _roles(self) -> None:
        rng = self.rng
        n_roles = self.n_roles if self.n_roles is not None else max(2, len(self.clusters))
        by_sector: dict[int, list[int]] = {}
        for idx, cl in enumerate(self.clusters):
            by_sector.setdefault(cl["sector"], []).append(idx)
        for r in range(n_roles):
            idx = rng.randrange(len(self.clusters))
            cl = self.clusters[idx]
            pool = [c for c in cl["comps"] if c in self.max_taught]
            siblings = by_sector[cl["sector"]]
            if (len(pool) < 5 or rng.random() < 0.3) and len(siblings) > 1:
                other = self.clusters[rng.choice([s for s in siblings if s != idx])]
                pool += [c for c in other["comps"] if c in self.max_taught]
            if not pool:
                pool = sorted(self.max_taught)
            size = min(len(pool), rng.randint(5, 12))
            chosen = rng.sample(pool, size)
            n_essential = max(1, min(size, round(size * rng.uniform(0.5, 0.8))))
            needs = []
            for pos, comp in enumerate(chosen):
                top = self.max_taught[comp]
                level = min(top, rng.choice([1, 2, 2, 3, 3, 4]))
                needs.append({"competency": comp, "level": level, "essential": pos < n_essential})
            if rng.random() < 0.05:
                # a gap: a level nobody teaches, or a cluster area nobody teaches at all
                top = self.max_taught[needs[0]["competency"]]
                if top < 4:
                    needs[0]["level"] = top + 1
                else:
                    needs[0] = {"competency": cl["area"], "level": 2, "essential": True}
            sector = self.sector_names[cl["sector"] % len(self.sector_names)]
            self.roles.append({
                "id": f"role{r:05d}", "title": f"{sector.title()} {rng.choice(_TOPICS)} specialist {r}",
                "sector": sector, "needs": needs,
            })

    # ------------------------------------------------------------------ main

    def build(self) -> dict[str, Any]:
        rng = self.rng
        n = self.n
        self.max_taught: dict[str, int] = {}
        self.competencies_by_id: dict[str, dict[str, Any]] = {}
        n_clusters = max(1, math.ceil(n / CREDENTIALS_PER_CLUSTER))
        n_sectors = max(1, math.ceil(n_clusters / CLUSTERS_PER_SECTOR))
        n_degrees = n_sectors if n >= 200 else 0
        remaining = n - n_degrees

        self.global_online = [
            self._provider(f"pglobal{k}", f"Global learning platform {k + 1}", "online_platform")
            for k in range(3)
        ]
        sector_roots = []
        for si in range(n_sectors):
            name = self.sector_names[si % len(self.sector_names)]
            sector = name if si < len(self.sector_names) else f"{name}-{si}"
            root = f"s{si:03d}"
            self.competencies.append({"id": root, "label": f"{sector.title()} sector", "type": "knowledge"})
            sector_roots.append((sector, root))
            self._sector_providers(si, sector)

        all_micros: list[tuple[int, str]] = []
        sector_micros: dict[int, list[str]] = {}
        for ci in range(n_clusters):
            si = ci * n_sectors // n_clusters
            sector, root = sector_roots[si]
            start = len(self.competencies)
            comps = self._cluster_competencies(si, ci, root)
            for item in self.competencies[start:]:
                self.competencies_by_id[item["id"]] = item
            share = remaining // n_clusters + (1 if ci < remaining % n_clusters else 0)
            n_cert = min(3, share // 12)
            n_ind = min(2, share // 16)
            micros = self._micros(si, ci, sector, comps, share - n_cert - n_ind)
            self._industry(si, ci, sector, comps, n_ind)
            self._certificates(si, ci, sector, micros, n_cert)
            self.clusters.append({"sector": si, "comps": comps, "area": f"s{si:03d}.c{ci:04d}"})
            all_micros += [(si, m) for m in micros]
            sector_micros.setdefault(si, []).extend(micros)
        for si in range(n_sectors if n_degrees else 0):
            self._degree(si, sector_roots[si][0], sector_micros.get(si, []))
        # top up with micro-credentials if a guard above skipped something, so the size is exact
        extra = 0
        while len(self.credentials) < n:
            ci = rng.randrange(n_clusters)
            cl = self.clusters[ci]
            si = cl["sector"]
            cid = f"s{si:03d}-c{ci:04d}-x{extra:03d}"
            extra += 1
            item = self._common(cid, f"Short course {extra}", self._teaching_provider(si), "course",
                                sector_roots[si][0], 1.0, rng.uniform(30, 120), 1)
            item["teaches"] = [{"competency": cl["comps"][0], "level": 1}]
            self._add(item)
            self.max_taught.setdefault(cl["comps"][0], 1)
        self._recognitions(all_micros)
        self._roles()
        used = {self.provider_info[p["id"]][1] for p in self.providers}
        return {
            "meta": {
                "name": f"Synthetic catalogue ({n} credentials, seed {self.seed})",
                "base_currency": "EUR",
                "exchange_rates": {c: _RATES[c] for c in sorted(used | {"EUR"})},
                "rates_as_of": "2026-01-01",
            },
            "providers": self.providers,
            "competencies": self.competencies,
            "credentials": self.credentials,
            "roles": self.roles,
            "recognitions": self.recognitions,
        }


def _pool_and_leaves(rule: dict[str, Any]) -> tuple[str | None, list[str]]:
    """The first credit pool id and the credential leaves of a rule dictionary."""
    pool: str | None = None
    leaves: list[str] = []
    stack = [rule]
    while stack:
        node = stack.pop(0)
        if "credential" in node:
            leaves.append(node["credential"])
        elif "credits" in node:
            pool = pool or node.get("id")
        else:
            stack.extend(node.get("all_of", node.get("of", [])))
    return pool, leaves


@contextlib.contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many small objects.

    Building 100k credentials allocates millions of containers; the collector's repeated
    full passes over them made generation and validation 3-4x slower (15 s instead of 4 s).
    Nothing built here forms reference cycles, so pausing it loses nothing.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def generate_data(n_credentials: int, *, seed: int = 0, n_roles: int | None = None) -> dict[str, Any]:
    """Build a synthetic catalogue as plain dictionaries (the YAML shape).

    Parameters
    ----------
    n_credentials : int
        Exact number of credentials (micro-credentials, courses, certifications,
        certificates and degrees together). Must be at least 1.
    seed : int, optional
        Random seed; the same seed and size always give the same catalogue.
    n_roles : int or None, optional
        Number of roles; by default one per competency cluster (at least 2).

    Returns
    -------
    dict
        Mapping with the keys ``meta``, ``providers``, ``competencies``, ``credentials``,
        ``roles`` and ``recognitions``.
    """
    if n_credentials < 1:
        raise ValueError(f"n_credentials must be at least 1, got {n_credentials}")
    if n_roles is not None and n_roles < 0:
        raise ValueError(f"n_roles must not be negative, got {n_roles}")
    with _gc_paused():
        return _Builder(n_credentials, seed, n_roles).build()


def generate(n_credentials: int, *, seed: int = 0, n_roles: int | None = None) -> Catalogue:
    """Generate a validated synthetic catalogue.

    Parameters
    ----------
    n_credentials : int
        Exact number of credentials.
    seed : int, optional
        Random seed; the same seed and size always give the same catalogue.
    n_roles : int or None, optional
        Number of roles; by default one per competency cluster (at least 2).

    Returns
    -------
    Catalogue
        Validated once with ``Catalogue.model_validate`` (no ``model_construct`` shortcut).
    """
    data = generate_data(n_credentials, seed=seed, n_roles=n_roles)
    with _gc_paused():
        return Catalogue.model_validate(data)


def write_yaml(data: dict[str, Any], out: Path, *, chunk: int = 5000) -> list[Path]:
    """Write catalogue dictionaries as a catalogue directory of several YAML files.

    Parameters
    ----------
    data : dict
        As returned by :func:`generate_data`.
    out : Path
        Directory to write into (created when missing).
    chunk : int, optional
        Credentials per ``credentials-NNN.yaml`` file.

    Returns
    -------
    list of Path
        The files written, in order.
    """
    import yaml

    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    out.mkdir(parents=True, exist_ok=True)
    files: list[tuple[str, dict[str, Any]]] = [
        ("00-meta.yaml", {"meta": data["meta"], "providers": data["providers"]}),
        ("01-competencies.yaml", {"competencies": data["competencies"]}),
    ]
    creds = data["credentials"]
    for k in range(0, len(creds), chunk):
        files.append((f"02-credentials-{k // chunk:03d}.yaml", {"credentials": creds[k:k + chunk]}))
    files.append(("03-roles.yaml", {"roles": data["roles"]}))
    if data["recognitions"]:
        files.append(("04-recognitions.yaml", {"recognitions": data["recognitions"]}))
    written = []
    with _gc_paused():  # the dumper's many short-lived objects trigger costly collections
        for name, content in files:
            path = out / name
            with path.open("w", encoding="utf-8") as handle:
                yaml.dump(content, handle, Dumper=dumper, sort_keys=False, allow_unicode=True, width=120)
            written.append(path)
    return written


# --------------------------------------------------------------------------- national scale

#: The EU's 27 member states: (country, currency, main language). Hungarian providers price in
#: EUR here: forint prices of degrees would exceed the models' plausibility bound on a cost.
NATIONAL_COUNTRIES = [
    ("AT", "EUR", "de"), ("BE", "EUR", "nl"), ("BG", "BGN", "bg"), ("HR", "EUR", "hr"), ("CY", "EUR", "el"),
    ("CZ", "CZK", "cs"), ("DK", "DKK", "da"), ("EE", "EUR", "et"), ("FI", "EUR", "fi"), ("FR", "EUR", "fr"),
    ("DE", "EUR", "de"), ("GR", "EUR", "el"), ("HU", "EUR", "hu"), ("IE", "EUR", "en"), ("IT", "EUR", "it"),
    ("LV", "EUR", "lv"), ("LT", "EUR", "lt"), ("LU", "EUR", "fr"), ("MT", "EUR", "mt"), ("NL", "EUR", "nl"),
    ("PL", "PLN", "pl"), ("PT", "EUR", "pt"), ("RO", "RON", "ro"), ("SK", "EUR", "sk"), ("SI", "EUR", "sl"),
    ("ES", "EUR", "es"), ("SE", "SEK", "sv"),
]
#: Twenty sectors of a national catalogue.
NATIONAL_SECTORS = [*_SECTOR_NAMES, "culture", "law", "chemistry", "aviation", "maritime"]
#: Credentials per field of study: 20 competency clusters and one degree.
FIELD_CREDENTIALS = CLUSTERS_PER_SECTOR * CREDENTIALS_PER_CLUSTER
#: Providers per field by kind (+ 3 online platforms): 37 per field, ~50k for 1.08M credentials.
_FIELD_PROVIDERS = {"university": 6, "vet_college": 6, "industry": 8, "online_platform": 4, "other": 10}
_ID_KEYS = ("id", "provider", "competency", "credential", "broader", "award", "equivalent_to", "pool")


class _FieldBuilder(_Builder):
    """One field of study of a national catalogue: a self-contained slice (its own providers)."""

    countries = NATIONAL_COUNTRIES

    def __init__(self, n: int, seed: int, sector: str) -> None:
        super().__init__(n, seed, None)
        self.sector_names = [sector]

    def _sector_providers(self, si: int, sector: str) -> None:
        pools: dict[str, list[str]] = {}
        for kind, count in _FIELD_PROVIDERS.items():
            pools[kind] = [
                self._provider(f"p{si:03d}-{kind[:3]}{k}",
                               f"{sector.title()} {kind.replace('_', ' ')} {k + 1}", kind)
                for k in range(count)
            ]
        pools["online_platform"] += self.global_online
        self.sector_providers[si] = pools


def _prefixed(value: Any, prefix: str) -> Any:
    """A copy of a catalogue item with every id (and reference to one) prefixed."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key in _ID_KEYS and isinstance(item, str):
                out[key] = prefix + item
            elif key == "from" and isinstance(item, list):
                out[key] = [prefix + x for x in item]
            else:
                out[key] = _prefixed(item, prefix)
        return out
    if isinstance(value, list):
        return [_prefixed(x, prefix) for x in value]
    return value


def national_fields(n_credentials: int) -> list[int]:
    """Credentials in each field of a national catalogue of ``n_credentials`` (as even as possible)."""
    count = max(1, round(n_credentials / FIELD_CREDENTIALS))
    return [n_credentials // count + (1 if f < n_credentials % count else 0) for f in range(count)]


def national_meta(n_credentials: int, seed: int) -> dict[str, Any]:
    """The ``meta`` of a national catalogue (rates for every currency of the 27 countries)."""
    used = sorted({c for _, c, _ in NATIONAL_COUNTRIES} | {"EUR"})
    return {"name": f"Synthetic national catalogue ({n_credentials} credentials, seed {seed})",
            "base_currency": "EUR", "exchange_rates": {c: _RATES[c] for c in used}, "rates_as_of": "2026-01-01"}


def national_field(n_credentials: int, field: int, *, seed: int = 0) -> dict[str, Any]:
    """One field of a national catalogue as catalogue dictionaries (ids prefixed ``fNNNN-``).

    Fields never reference each other, so one field with the meta is itself a complete,
    valid catalogue: the benchmark compares a store's routes with it.
    """
    sizes = national_fields(n_credentials)
    if not 0 <= field < len(sizes):
        raise ValueError(f"field must be 0–{len(sizes) - 1}, got {field}")
    with _gc_paused():
        data = _FieldBuilder(sizes[field], seed * 1_000_003 + field,
                             NATIONAL_SECTORS[field % len(NATIONAL_SECTORS)]).build()
        prefix = f"f{field:04d}-"
        out = {key: _prefixed(data[key], prefix)
               for key in ("providers", "competencies", "credentials", "roles", "recognitions")}
    out["meta"] = national_meta(n_credentials, seed)
    return out


def stream_national(n_credentials: int = 1_080_000, *, seed: int = 0) -> Iterator[tuple[str, dict[str, Any]]]:
    """Yield a national catalogue item by item: ``("meta", …)`` first, then each field's items.

    About 50k providers (37 per field of 800 credentials) in the 27 EU countries, 20
    sectors, the shape of :func:`generate_data` within each field. Only one field is in
    memory at a time, so 1.08M credentials stream in a few hundred MB.

    Parameters
    ----------
    n_credentials : int
        Exact number of credentials (at least 1).
    seed : int
        Random seed; the same seed and size always give the same catalogue.

    Yields
    ------
    tuple of (str, dict)
        Section name (``meta``, ``providers``, ``competencies``, ``credentials``, ``roles``,
        ``recognitions``) and one item in the YAML shape.
    """
    if n_credentials < 1:
        raise ValueError(f"n_credentials must be at least 1, got {n_credentials}")
    yield "meta", national_meta(n_credentials, seed)
    for field in range(len(national_fields(n_credentials))):
        data = national_field(n_credentials, field, seed=seed)
        for section in ("providers", "competencies", "credentials", "roles", "recognitions"):
            for item in data[section]:
                yield section, item


def write_national(into: str, n_credentials: int = 1_080_000, *, seed: int = 0,
                   progress: Any = None) -> dict[str, int]:
    """Stream a national catalogue into a compiled catalogue store (each item validated).

    Parameters
    ----------
    into : str
        Store URL or SQLite file path; the store must be new or hold no items of this source.
    n_credentials, seed : int
        As for :func:`stream_national`.
    progress : callable, optional
        Called with the number of credentials written so far, every 50k.

    Returns
    -------
    dict of str to int
        Items written by kind.
    """
    from planner.catalogue.models import CatalogueMeta, Competency, Credential, Provider, RecognitionAgreement, Role
    from planner.store.catalogue.engine import create_store, open_engine
    from planner.store.catalogue.writer import StoreWriter

    models = {"providers": Provider, "competencies": Competency, "credentials": Credential, "roles": Role,
              "recognitions": RecognitionAgreement}
    source = f"synthetic:national:{n_credentials}:{seed}"
    engine = open_engine(into)
    create_store(engine)
    counts: dict[str, int] = {}
    try:
        with engine.begin() as conn, _gc_paused():
            writer = StoreWriter(conn, batch=20_000)
            writer.delete_source(source)
            for section, item in stream_national(n_credentials, seed=seed):
                if section == "meta":
                    writer.set_meta(CatalogueMeta.model_validate(item), source)
                    continue
                writer.add(models[section].model_validate(item), source)
                counts[section] = counts.get(section, 0) + 1
                if progress is not None and section == "credentials" and counts[section] % 50_000 == 0:
                    progress(counts[section])
            writer.flush()
            writer.record_source(source, f"{n_credentials}:{seed}", sum(counts.values()))
    finally:
        engine.dispose()
    return counts


def main(argv: list[str] | None = None) -> int:
    """Command line: write a synthetic catalogue directory."""
    parser = argparse.ArgumentParser(description="Write a seeded synthetic catalogue as YAML files.")
    parser.add_argument("--credentials", type=int, default=1000, help="number of credentials (default 1000)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--roles", type=int, default=None, help="number of roles (default: one per cluster)")
    parser.add_argument("--out", type=Path, help="directory to write the YAML files into")
    parser.add_argument("--into", metavar="URL",
                        help="stream a national catalogue (27 countries, 20 sectors) into this store instead")
    args = parser.parse_args(argv)
    if args.credentials < 1:
        parser.error("--credentials must be at least 1")
    if args.into:
        t0 = time.perf_counter()
        counts = write_national(args.into, args.credentials, seed=args.seed,
                                progress=lambda n: print(f"  {n:,} credentials ({time.perf_counter() - t0:.0f} s)",
                                                         flush=True))
        print(f"streamed {counts} into {args.into} in {time.perf_counter() - t0:.1f} s")
        return 0
    if args.out is None:
        parser.error("give --out DIR (YAML) or --into URL (store)")
    t0 = time.perf_counter()
    data = generate_data(args.credentials, seed=args.seed, n_roles=args.roles)
    with _gc_paused():
        Catalogue.model_validate(data)  # fail here, not in the loader, if the generator is wrong
    t1 = time.perf_counter()
    files = write_yaml(data, args.out)
    t2 = time.perf_counter()
    print(f"generated {len(data['credentials'])} credentials, {len(data['competencies'])} competencies, "
          f"{len(data['roles'])} roles, {len(data['recognitions'])} recognitions in {t1 - t0:.1f} s; "
          f"wrote {len(files)} files to {args.out} in {t2 - t1:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
