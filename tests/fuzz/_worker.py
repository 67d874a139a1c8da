"""Fuzz worker: runs planner entry points for requests read from stdin, one JSON line each.

Started once per test session with an address-space limit (``resource.setrlimit``), so
that a hostile input can exhaust only this process's memory. Replies one JSON line per
request: the exit code and what was printed. A code of 99 means an exception escaped the
entry point (the contract is broken); its traceback is in ``err``.
"""

from __future__ import annotations

import contextlib
import io
import json
import resource
import sys
import traceback
from pathlib import Path


def _run(request: dict) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            if request["op"] == "cli":
                from planner.cli import main

                code = main(request["argv"])
            elif request["op"] == "upload":
                from planner.catalogue.loader import validate_texts
                from planner.catalogue.upload import UploadError, read_upload

                try:
                    files = read_upload((name, Path(path).read_bytes()) for name, path in request["files"])
                except UploadError as exc:
                    print("\n".join(exc.problems), file=sys.stderr)
                    code = 1
                else:
                    report = validate_texts(files)
                    code = 0 if report.ok else 1
            elif request["op"] == "planfile":
                from planner.outputs.export import PlanFileError, plan_from_json

                try:
                    plan_from_json(Path(request["path"]).read_bytes().decode("utf-8", "replace"))
                except PlanFileError as exc:
                    print(exc, file=sys.stderr)
                    code = 1
            else:
                raise ValueError(f"unknown op {request['op']!r}")
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException:  # the entry point let something escape: report it in full
            code = 99
            err.write(traceback.format_exc())
    return code, out.getvalue(), err.getvalue()


def serve(limit: int) -> None:
    """Answer requests until stdin closes."""
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    for line in sys.stdin:
        code, out, err = _run(json.loads(line))
        sys.stdout.write(json.dumps({"code": code, "out": out[-2_000_000:], "err": err[-8000:]}) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    serve(int(sys.argv[1]))
