"""Credentials in every form: baked PNG / SVG badges, VC-JWT (EdDSA), and the formats said by name.

The badges are baked here as the Open Badges 3.0 specification describes (PNG ``iTXt``
keyword ``openbadgecredential``; SVG ``<openbadges:credential>`` in the namespace
``https://purl.imsglobal.org/ob/v3p0``, the JSON in CDATA or a JWS in ``verify``); the
W3C's eddsa-jcs-2022 vector stands for a suite the planner does not verify.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from planner.catalogue.inputs import NamedBytes
from planner.catalogue.models import Provider
from planner.cli import main
from planner.verify import ContextLoader, Status
from planner.verify.files import verify_file
from planner.verify.formats import read_credential_file
from planner.verify.holdings import holdings_from_files
from planner.verify.trust import TrustList
from tests.conftest import REFERENCE_DIR
from tests.verify_signing import (
    OTHER_KEY,
    all_contexts,
    badge,
    bake_png,
    bake_svg,
    did_key,
    multikey,
    sign_jwt,
    signed,
)

AT = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
ISSUER = "https://badges.example/issuer"


@pytest.fixture(scope="module")
def loader(tmp_path_factory: pytest.TempPathFactory) -> ContextLoader:
    return ContextLoader(all_contexts(tmp_path_factory.mktemp("contexts")))


def _one(data: bytes, name: str, loader: ContextLoader, trust: TrustList | None = None):
    checked = verify_file(NamedBytes(name, data), loader=loader, at=AT, trust=trust)
    assert checked.problems == (), [str(p) for p in checked.problems]
    [result] = checked.results
    return checked, result


@pytest.mark.parametrize("bake", ["png", "png-compressed", "svg"])
def test_a_baked_badge_is_read_and_verified(bake, loader):
    doc = json.dumps(signed(badge(did_key()), loader=loader))
    data = (bake_png(doc, compressed=bake == "png-compressed") if bake.startswith("png") else bake_svg(doc))
    checked, result = _one(data, f"badge.{bake[:3]}", loader)
    assert checked.kind == bake[:3] and result.verified, result.describe()
    # a tampered baked credential is refused like a JSON one
    tampered = doc.replace('"name": "Teamwork"', '"name": "Leadership"', 1)
    data = bake_png(tampered) if bake.startswith("png") else bake_svg(tampered)
    assert _one(data, "badge", loader)[1].status is Status.SIGNATURE_INVALID


def test_a_baked_badge_counts_as_a_holding_like_its_json(loader, tmp_path):
    doc = signed(badge(did_key(), title="Python for Data Analysis",
                       achievement="urn:x-planner:credential:osa-python-data"), loader=loader)
    png = tmp_path / "badge.png"
    png.write_bytes(bake_png(json.dumps(doc)))
    found = holdings_from_files([png], today=AT.date(), loader=loader)
    assert [(h.credential, h.verification) for h in found.holdings] == [("osa-python-data", "verified")]


def test_what_a_baked_file_lacks_is_said(loader):
    for data, words in [
        (bake_png("{}", keyword=b"openbadges"), "Open Badges 2.0 baked badge"),
        (bake_png("x", keyword=b"Comment"), "no iTXt chunk 'openbadgecredential'"),
        (bake_svg("{}").replace(b"https://purl.imsglobal.org/ob/v3p0", b"http://openbadges.org"), "Open Badges 2.0"),
        (b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "y">]><svg>&x;</svg>', "DTD"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x10\x00iTXt", "cut short"),
    ]:
        checked = verify_file(NamedBytes("b", data), loader=loader, at=AT)
        assert checked.results == () and words in str(checked.problems[0]), (words, checked.problems)


@pytest.mark.parametrize("wrap", [True, False], ids=["ob3-vc-jwt", "vc-jose-cose"])
def test_a_vc_jwt_is_verified(wrap, loader):
    token = sign_jwt(badge(did_key()), wrap=wrap)
    checked, result = _one(token.encode(), "badge.jwt", loader)
    assert checked.kind == "jwt" and result.verified, result.describe()
    assert result.confirmed_by == "a did:key issuer signed with its own key"
    # the same token baked into an SVG's verify attribute
    assert _one(bake_svg(token, as_attribute=True), "badge.svg", loader)[1].verified


def test_a_vc_jwt_forged_or_unsupported_is_never_verified(loader):
    doc = badge(ISSUER)
    forged = sign_jwt(doc, OTHER_KEY, kid=f"{ISSUER}#{multikey(OTHER_KEY)}")
    assert _one(forged.encode(), "f.jwt", loader)[1].status is Status.ISSUER_NOT_CONFIRMED
    trust = TrustList.from_providers([Provider(id="b", name="B", country="NL", kind="other",
                                               issuers=[{"id": ISSUER, "keys": [multikey(OTHER_KEY)]}])])
    assert _one(forged.encode(), "f.jwt", loader, trust)[1].verified
    head, body, sig = forged.split(".")
    flipped = f"{head}.{body}.{sig[:-2]}{'AA' if sig[-2:] != 'AA' else 'BA'}"
    assert _one(flipped.encode(), "f.jwt", loader, trust)[1].status is Status.SIGNATURE_INVALID
    rs256 = sign_jwt(doc, OTHER_KEY, alg="RS256")
    result = _one(rs256.encode(), "r.jwt", loader, trust)[1]
    assert result.status is Status.UNVERIFIABLE and "'RS256' is not supported" in result.reason
    expired = sign_jwt(badge(did_key()), claims={"exp": 1_700_000_000})
    assert _one(expired.encode(), "e.jwt", loader)[1].status is Status.EXPIRED
    other_iss = sign_jwt(badge(did_key()), claims={"iss": "https://someone.example"})
    assert _one(other_iss.encode(), "i.jwt", loader)[1].status is Status.SIGNATURE_INVALID


def test_the_cli_reads_baked_badges_and_tokens(loader, tmp_path, capsys):
    png = tmp_path / "badge.png"
    png.write_bytes(bake_png(json.dumps(signed(badge(did_key()), loader=loader))))
    jwt = tmp_path / "badge.jwt"
    jwt.write_text(sign_jwt(badge(did_key())))
    assert main(["verify", str(png), str(jwt), "--contexts", str(loader.directory), "--at", "2026-01-01",
                 "--format", "json"]) == 0
    assert [r["status"] for r in json.loads(capsys.readouterr().out)] == ["verified", "verified"]


def test_open_badges_2_and_other_suites_are_said_by_name(loader):
    ob2 = {"@context": "https://w3id.org/openbadges/v2", "type": "Assertion", "id": "https://example.org/a/1"}
    result = _one(json.dumps(ob2).encode(), "ob2.json", loader)[1]
    assert result.status is Status.UNVERIFIABLE and "Open Badges 2.0 assertion" in result.reason
    path = REFERENCE_DIR / "w3c-vc-di-eddsa/TestVectors/eddsa-jcs-2022/signedJCS.json"
    if not path.is_file():
        pytest.skip(f"reference file not found: {path} (w3c/vc-di-eddsa test vectors)")
    result = verify_file(path, loader=loader, at=AT).results[0]
    assert result.status is Status.UNVERIFIABLE
    assert result.reason == ("proof type DataIntegrityProof / eddsa-jcs-2022 is not supported "
                             "(eddsa-rdfc-2022 and Ed25519Signature2020 are)")


def test_reading_files_is_bounded(tmp_path):
    import os

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    for special in (fifo, Path("/dev/zero"), tmp_path):
        read = read_credential_file(special)
        assert read.items == () and read.problems, special
    # a compressed iTXt that would unpack past the file limit
    bomb = bake_png("x" * 6_000_000, compressed=True)
    read = read_credential_file(NamedBytes("bomb.png", bomb))
    assert read.items == () and "larger than the file limit" in str(read.problems[0])
