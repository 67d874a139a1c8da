"""Verification under attack and at size: how long each refusal and each genuine check takes.

Signs test credentials with a fixed key (contexts from the reference folder beside the
project, ``../shared/reference``, copied into a temporary cache), then times:

- a blank-node clique of n nodes, canonicalised without a budget (the n! growth) and
  verified with the product's budget (refused);
- 3,000 proofs on one credential (refused), and a set of 8 valid proofs (checked);
- a CLR of 10 and 100 signed badges (verified), and of 3,500 (refused);
- each signed document of the reference folder.

    python benchmarks/bench_verify.py
    python benchmarks/bench_verify.py --clique 7     # the unbounded clique run grows like n!

Wall-clock times depend on what else the machine runs; the CPU time is printed beside each.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from planner.verify import ContextLoader, verify_credential, verify_file  # noqa: E402
from planner.verify.canon import canonical_nquads  # noqa: E402
from planner.verify.contexts import copy_contexts  # noqa: E402
from tests.verify_signing import OTHER_KEY, badge, did_key, multikey, sign_proof, signed  # noqa: E402

REFERENCE = Path(os.environ.get("PLANNER_REFERENCE_DIR") or ROOT.parent / "shared" / "reference")
AT = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def timed(label: str, work: Callable[[], Any]) -> Any:
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    shown = getattr(result, "results", None) or [result]
    said = "; ".join(f"{getattr(r, 'status', '')} {str(getattr(r, 'reason', ''))[:50]}".strip() for r in shown)
    print(f"{label:<58} {time.perf_counter() - wall:8.2f} s wall {time.process_time() - cpu:8.2f} s CPU   {said}")
    return result


def clique(n: int) -> dict[str, Any]:
    doc = badge(did_key())
    doc["credentialSubject"]["source"] = [
        {"id": f"_:b{i}", "type": "Profile", "parentOrg": [{"id": f"_:b{j}"} for j in range(n) if j != i]}
        for i in range(n)]
    doc["proof"] = {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022", "created": "2025-01-01T00:00:00Z",
                    "verificationMethod": f"{did_key()}#{multikey()}", "proofPurpose": "assertionMethod",
                    "proofValue": "z" + "1" * 60}
    return doc


def clr(entries: list[dict[str, Any]]) -> dict[str, Any]:
    return {"@context": ["https://www.w3.org/ns/credentials/v2",
                         "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
                         "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
            "id": "urn:uuid:7a1c1d3e-0000-4000-8000-00000000c1a0", "type": ["VerifiableCredential", "ClrCredential"],
            "issuer": {"id": did_key(), "type": ["Profile"], "name": "Me"}, "validFrom": "2025-06-02T00:00:00Z",
            "name": "Transcript", "credentialSubject": {"id": "did:example:learner", "type": ["ClrSubject"],
                                                        "verifiableCredential": entries}}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clique", type=int, default=6, help="nodes of the unbounded clique run (default 6)")
    args = parser.parse_args()
    cache = Path(tempfile.mkdtemp(prefix="bench-verify-"))
    for source in ("1edtech-validator-contexts", "jsonld-contexts"):
        if not (REFERENCE / source).is_dir():
            sys.exit(f"reference contexts not found: {REFERENCE / source}")
        copy_contexts(REFERENCE / source, cache)
    print(f"python {sys.version.split()[0]}, load average {os.getloadavg()[0]:.2f}")

    def loader() -> ContextLoader:
        return ContextLoader(cache)

    unsigned = {k: v for k, v in clique(args.clique).items() if k != "proof"}
    timed(f"clique of {args.clique}, canonicalised without a budget",
          lambda: canonical_nquads(unsigned, loader(), budget=10**12))
    for n in (6, 9, 12):
        timed(f"clique of {n}, verified (budget refuses it)", lambda n=n: verify_credential(clique(n), loader=loader(),
                                                                                            at=AT))
    one = badge(did_key())
    many = {**one, "proof": [sign_proof(one, loader=loader())] * 3000}
    timed("3,000 proofs (refused)", lambda: verify_credential(many, loader=loader(), at=AT))
    keys = [None, OTHER_KEY] * 4
    proof_set = {**one, "proof": [sign_proof(one, *([k] if k else []), loader=loader(),
                                             id=f"urn:uuid:00000000-0000-4000-8000-{i:012d}")
                                  for i, k in enumerate(keys)]}
    timed("a set of 8 proofs (the limit)", lambda: verify_credential(proof_set, loader=loader(), at=AT))
    entries = []
    for i in range(100):
        entry = badge(did_key(), title=f"Badge {i}")
        entry["id"] = f"urn:uuid:7a1c1d3e-0000-4000-9000-{i:012d}"
        entries.append(signed(entry, loader=loader()))
    for n in (10, 100):
        document = signed(clr(entries[:n]), loader=loader())
        timed(f"a CLR of {n} signed badges", lambda d=document: verify_credential(d, loader=loader(), at=AT))
    huge = {**clr(entries * 35), "proof": sign_proof(one, loader=loader())}
    timed("a CLR of 3,500 badges (refused)", lambda: verify_credential(huge, loader=loader(), at=AT))
    for path in sorted(REFERENCE.rglob("*.json")):
        text = path.read_text(encoding="utf-8", errors="replace")
        if ('"proof"' in text and "contexts" not in path.parts and "schema" not in path.parts
                and "Config" not in path.name):
            checked = timed(str(path.relative_to(REFERENCE))[-58:],
                            lambda p=path: verify_file(p, loader=loader(), at=AT))
            del checked


if __name__ == "__main__":
    main()
