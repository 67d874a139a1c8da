"""Credential files in every form the planner reads: JSON, baked PNG and SVG badges, and VC-JWT.

Open Badges 3.0 bakes a credential into its image: a PNG carries it in an ``iTXt`` chunk
with the keyword ``openbadgecredential``, an SVG in an ``<openbadges:credential>`` element
(the JSON as its text, or a compact JWS in its ``verify`` attribute). In both, and in a file
of its own, the credential may be JSON or a VC-JWT. :func:`read_credential_file` reads a
file once, through the input layer (regular files only, size cap), and returns each
credential it holds; an Open Badges 2.0 baked badge is said by name.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from planner.catalogue.inputs import InputError, NamedBytes, current_limits, parse_json, read_bytes
from planner.interop._result import ImportProblem, from_input_error
from planner.verify.jwt import looks_like_jwt

__all__ = ["MAX_FILE_BYTES", "PNG_KEYWORD", "SVG_NAMESPACE", "CredentialFile", "Item", "read_credential_file"]

#: largest credential file read (bytes); a CLR of a whole transcript is far smaller
MAX_FILE_BYTES = 5_000_000
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
PNG_KEYWORD = b"openbadgecredential"
SVG_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
_OB2_PNG_KEYWORD = b"openbadges"
_OB2_SVG_NAMESPACE = "http://openbadges.org"
_MAX_CHUNKS = 10_000


@dataclass(frozen=True)
class Item:
    """One credential found in a file: its JSON, or the VC-JWT that carries it."""

    doc: Any
    jwt: str | None = None


@dataclass(frozen=True)
class CredentialFile:
    """What one file holds.

    Attributes
    ----------
    file : str
        The file's name.
    kind : str
        ``json``, ``png``, ``svg`` or ``jwt``.
    items : tuple of Item
        The credentials, in file order (a JSON list gives several).
    listed : bool
        Whether the JSON was a list (pointers are then ``$[i]``).
    problems : tuple of ImportProblem
        Why the file, or part of it, could not be read.

    """

    file: str
    kind: str
    items: tuple[Item, ...] = ()
    listed: bool = False
    problems: tuple[ImportProblem, ...] = ()
    raw: bytes = b""

    def as_json(self) -> NamedBytes | None:
        """The credentials as a JSON upload under the file's name, for the importer (None when empty).

        A JSON file is given as read (its line numbers hold); a baked badge or a VC-JWT as
        the JSON of the credentials it carries. Either way the bytes are those verified.
        """
        import json

        if self.kind == "json" and self.raw:
            return NamedBytes(self.file, self.raw)
        docs = [item.doc for item in self.items if item.doc is not None]
        if not docs:
            return None
        value: Any = docs if self.listed or len(docs) > 1 else docs[0]
        return NamedBytes(self.file, json.dumps(value).encode("utf-8"))


def _problem(file: str, message: str) -> tuple[ImportProblem, ...]:
    return (ImportProblem(file, None, "", message),)


def _text_item(file: str, kind: str, text: str) -> CredentialFile:
    """A credential given as text: a compact JWS, or JSON."""
    if looks_like_jwt(text):
        from planner.verify.jwt import read_jwt

        return CredentialFile(file, kind, (Item(read_jwt(text).credential, text.strip()),))
    try:
        data = parse_json(text, file)
    except InputError as exc:
        return CredentialFile(file, kind, problems=from_input_error(exc))
    if kind == "json" and isinstance(data, list):
        return CredentialFile(file, kind, tuple(Item(d) for d in data), listed=True)
    return CredentialFile(file, kind, (Item(data),))


def _png_text(file: str, data: bytes) -> tuple[str | None, str]:
    """The ``openbadgecredential`` iTXt text of a PNG, or (None, why not)."""
    pos = len(PNG_SIGNATURE)
    for _ in range(_MAX_CHUNKS):
        if pos + 8 > len(data):
            break
        length, ctype = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if len(body) != length:
            return None, "the PNG is cut short"
        if ctype == b"iTXt":
            keyword, _, rest = body.partition(b"\0")
            if keyword == PNG_KEYWORD:
                if len(rest) < 2:
                    return None, "the openbadgecredential chunk is cut short"
                compressed, rest = rest[0], rest[2:]
                _language, _, rest = rest.partition(b"\0")
                _translated, _, text = rest.partition(b"\0")
                if compressed:
                    inflater = zlib.decompressobj()
                    try:
                        text = inflater.decompress(text, MAX_FILE_BYTES + 1)
                    except zlib.error:
                        return None, "the openbadgecredential chunk is not valid compressed text"
                    if len(text) > MAX_FILE_BYTES:
                        return None, "the baked credential is larger than the file limit"
                try:
                    return text.decode("utf-8"), ""
                except UnicodeDecodeError:
                    return None, "the openbadgecredential chunk is not UTF-8 text"
            if keyword == _OB2_PNG_KEYWORD:
                return None, ("an Open Badges 2.0 baked badge (iTXt 'openbadges'): OB 2.0 is not supported "
                              "(Open Badges 3.0 and CLR 2.0 are)")
        if ctype == b"IEND":
            break
        pos += 12 + length
    return None, "the PNG holds no baked credential (no iTXt chunk 'openbadgecredential')"


def _svg_text(file: str, text: str) -> tuple[str | None, str]:
    """The credential an SVG carries (its ``openbadges:credential`` element), or (None, why not)."""
    try:
        root = ElementTree.fromstring(text, forbid_dtd=True)
    except (ElementTree.ParseError, DefusedXmlException, ValueError) as exc:
        return None, f"the SVG is not well-formed XML, or uses entities or a DTD (refused): {exc}"
    for element in root.iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag == f"{{{SVG_NAMESPACE}}}credential":
            verify = element.get("verify")
            if verify:
                return verify, ""
            content = (element.text or "").strip()
            return (content, "") if content else (None, "the openbadges:credential element is empty")
        if tag.startswith(f"{{{_OB2_SVG_NAMESPACE}}}"):
            return None, ("an Open Badges 2.0 baked badge (openbadges:assertion): OB 2.0 is not supported "
                          "(Open Badges 3.0 and CLR 2.0 are)")
    return None, f"the SVG holds no baked credential (no <credential> element of {SVG_NAMESPACE})"


def read_credential_file(path: str | Path | NamedBytes) -> CredentialFile:
    """Read a credential file: JSON (one credential, a CLR, or a list), a baked PNG or SVG, or a VC-JWT.

    Parameters
    ----------
    path : str, Path or NamedBytes
        The file, or an upload already in memory.

    Returns
    -------
    CredentialFile
        Its credentials, or the located problem that stopped reading it; never raises.

    """
    file = str(path)
    try:
        data = read_bytes(path, name=file, max_bytes=min(MAX_FILE_BYTES, current_limits().max_file_bytes))
    except InputError as exc:
        return CredentialFile(file, "json", problems=from_input_error(exc))
    if data.startswith(PNG_SIGNATURE):
        text, why = _png_text(file, data)
        return _text_item(file, "png", text) if text is not None else CredentialFile(file, "png",
                                                                                      problems=_problem(file, why))
    try:
        decoded = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return CredentialFile(file, "json", problems=_problem(file, "not UTF-8 text, nor a PNG badge"))
    head = decoded.lstrip()[:2000]
    if head.startswith("<") and ("<svg" in head or "<?xml" in head):
        text, why = _svg_text(file, decoded)
        return _text_item(file, "svg", text) if text is not None else CredentialFile(file, "svg",
                                                                                      problems=_problem(file, why))
    if not decoded.strip():
        return CredentialFile(file, "json", problems=_problem(file, "the file is empty"))
    if looks_like_jwt(decoded):
        return _text_item(file, "jwt", decoded)
    read = _text_item(file, "json", decoded)
    return CredentialFile(read.file, read.kind, read.items, read.listed, read.problems, data)
