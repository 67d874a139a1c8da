"""Prices per audience from the command line, and the exchange rates and credit rates an import needs.

Real documents: Credential Engine's Registry_Assistant samples (``../shared/reference/
credentialengine-registry-assistant/``, README section 17): Rio Salado College's Insurance
Studies Certificate (in-state / out-of-state prices, USD) and Indiana University South
Bend's B.S. in Nursing (120 semester hours).
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from planner.catalogue.loader import load
from planner.cli import main
from tests.conftest import reference_file

RA = "credentialengine-registry-assistant"
PRICED = {
    "meta": {"name": "Prices", "exchange_rates": {"USD": 0.5}},
    "providers": [{"id": "cc", "name": "Community College", "country": "US", "kind": "vet_college"}],
    "credentials": [
        {"id": "state", "title": "State course", "provider": "cc", "type": "course", "duration_weeks": 4,
         "costs": [{"audience": "in-state", "price": "100 USD"}, {"audience": "out-of-state", "price": "500 USD"}]},
        {"id": "cert", "title": "Certificate", "provider": "cc", "type": "certificate",
         "award": {"rule": {"all_of": [{"credential": "state"}]}}},
    ],
}


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _folder(tmp_path: Path, data: dict) -> Path:
    folder = tmp_path / "cat"
    folder.mkdir(exist_ok=True)
    (folder / "catalogue.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    return folder


# --------------------------------------------------------------------------- planner recommend --audience


def test_recommend_uses_the_audience_given_and_says_which(capsys, tmp_path):
    folder = str(_folder(tmp_path, PRICED))
    base = ["recommend", "--catalogue", folder, "--target", "award:cert", "--start", "2027-01-04"]
    code, out, _ = run(capsys, *base, "--audience", "out-of-state", "--format", "json")
    assert code == 0
    (route,) = json.loads(out)["routes"]
    assert route["total_cost"] == 250
    (step,) = [s for s in route["steps"] if s["credential_id"] == "state"]
    assert step["cost_note"] == "price for out-of-state" and step["cost_amount"] == 500
    code, out, _ = run(capsys, *base)
    assert code == 0 and "lowest of 2 prices (in-state)" in out and "100 USD" in out


def test_audience_in_a_profile_file(capsys, tmp_path):
    folder = str(_folder(tmp_path, PRICED))
    profile = tmp_path / "me.yaml"
    profile.write_text("constraints:\n  audiences: [out-of-state]\n")
    code, out, _ = run(capsys, "recommend", "--catalogue", folder, "--target", "award:cert", "--start", "2027-01-04",
                       "--profile", str(profile), "--format", "json")
    assert code == 0 and json.loads(out)["routes"][0]["total_cost"] == 250


def test_a_bad_audience_is_a_message_not_a_traceback(capsys, tmp_path):
    folder = str(_folder(tmp_path, PRICED))
    code, _, err = run(capsys, "recommend", "--catalogue", folder, "--target", "award:cert", "--audience", "In State!")
    assert code == 1 and "audiences" in err and "Traceback" not in err


# --------------------------------------------------------------------------- exchange rates on import


def test_usd_prices_into_a_new_folder_work(capsys, tmp_path):
    source = reference_file(f"{RA}/LearningOpportunityEnvelope.json")
    into = tmp_path / "new"
    code, _, err = run(capsys, "import", "ctdl", str(source), "--into", str(into))
    assert code == 0, err
    assert "base currency is USD" in err
    catalogue = load(into)
    assert catalogue.meta.base_currency == "USD"
    (cred,) = catalogue.credentials
    assert {o.audience: o.price.amount for o in cred.costs} == {"in-state": 2521, "out-of-state": 5886}


def test_a_folder_without_the_rate_names_the_fix_and_writes_nothing(capsys, tmp_path):
    source = reference_file(f"{RA}/LearningOpportunityEnvelope.json")
    into = _folder(tmp_path, {"meta": {"name": "EU", "base_currency": "EUR"}})
    code, _, err = run(capsys, "import", "ctdl", str(source), "--into", str(into))
    assert code == 1
    assert f"add them under meta.exchange_rates in {into / 'catalogue.yaml'}" in err and "USD: VALUE" in err
    assert "imported-learningopportunityenvelope.yaml:" not in err  # no location in a file that does not exist
    assert sorted(p.name for p in into.iterdir()) == ["catalogue.yaml"]


def test_rate_given_on_the_command_line(capsys, tmp_path):
    source = reference_file(f"{RA}/LearningOpportunityEnvelope.json")
    into = _folder(tmp_path, {"providers": [{"id": "eu", "name": "EU", "country": "DE", "kind": "university"}],
                              "credentials": [{"id": "x", "title": "X", "provider": "eu", "type": "course",
                                               "cost": "10 EUR"}]})
    code, _, err = run(capsys, "import", "ctdl", str(source), "--into", str(into))
    assert code == 1 and "--rate USD=VALUE" in err
    code, _, err = run(capsys, "import", "ctdl", str(source), "--into", str(into), "--rate", "USD=0.9")
    assert code == 0, err
    catalogue = load(into)
    assert (catalogue.meta.base_currency, catalogue.meta.exchange_rates) == ("EUR", {"USD": 0.9})
    code, _, err = run(capsys, "import", "ctdl", str(source), "--into", str(tmp_path / "z"), "--rate", "USD")
    assert code == 1 and "expected CUR=VALUE" in err


# --------------------------------------------------------------------------- credit units


def test_credit_rate_converts_semester_hours_only_when_declared(capsys, tmp_path):
    source = reference_file(f"{RA}/Indiana_University_South_Bend-B.S._in_Nursing_Pre-Licensure_API_Output_CTDL.json")
    published = json.loads(source.read_text(encoding="utf-8-sig"))["@graph"][0]
    hours = next(v["schema:value"] for c in published["ceterms:requires"] for v in c.get("ceterms:creditValue", []))
    code, _, err = run(capsys, "import", "ctdl", str(source), "--into", str(tmp_path / "a"))
    assert code == 0 and "--credit-rate semester_hour=" in err
    (cred,) = load(tmp_path / "a").credentials
    assert (cred.credit.value, str(cred.credit.unit), cred.ects) == (hours, "semester_hour", None)
    code, _, err = run(capsys, "import", "ctdl", str(source), "--into", str(tmp_path / "b"),
                       "--credit-rate", "semester_hour=2")
    assert code == 0, err
    (cred,) = load(tmp_path / "b").credentials
    assert (cred.credit.value, cred.ects) == (hours, 2 * hours)
    code, _, err = run(capsys, "import", "ctdl", str(source), "--into", str(tmp_path / "c"), "--credit-rate", "ects=2")
    assert code == 1 and "UNIT one of" in err
