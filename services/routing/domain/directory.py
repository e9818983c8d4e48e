"""The agency directory: offices that receive tips, and the provinces each one serves.

Loaded from `jurisdiction/agencies.yaml`, then from an optional operator override file that a deployment uses
to fill in delivery contacts and to move provinces between offices of one agency, without a code change:

    offices:
      PACC-R2:
        contacts: {email: r2-desk@example.org, line: "..."}   # merged into the office's contacts
        hotline: "033004537"
      PACC:
        provinces: ["10", "11", "12", "13"]   # these provinces leave PACC-R1 (same agency) for PACC

Assigning provinces to an office removes them from the other offices of its agency, so "one office per
province per agency" survives the override.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

from services.routing.domain.data_files import read_mapping
from services.routing.domain.errors import DirectoryError
from shared import geography

AGENCIES_PATH = Path(__file__).parent.parent / "jurisdiction" / "agencies.yaml"
PROVENANCE = ("verified", "partial", "inferred")
_OVERRIDABLE = {"contacts", "provinces", "hotline", "address", "website", "name_th", "name_en"}


@dataclass(frozen=True)
class Office:
    code: str
    name_th: str
    name_en: str
    provinces: tuple[str, ...]
    contacts: dict = field(default_factory=dict, hash=False, compare=False)
    hotline: str = ""
    provenance: str = "inferred"
    source: str = ""
    address: str = ""
    website: str = ""

    @property
    def agency(self) -> str:
        """The agency family ("PACC" for both "PACC" and "PACC-R2")."""
        return self.code.split("-", 1)[0]


class Directory:
    def __init__(self, offices, version: str = ""):
        self.version = version
        self._offices: dict[str, Office] = {}
        for office in offices:
            if office.code in self._offices:
                raise DirectoryError(f"office {office.code} is listed twice")
            self._offices[office.code] = office
        # (agency, province) -> codes of offices serving it; more than one is a data error that
        # rules_check reports, so keep them all rather than silently picking one.
        self._serving: dict[tuple[str, str], list[str]] = {}
        for office in self._offices.values():
            for code in office.provinces:
                self._serving.setdefault((office.agency, code), []).append(office.code)

    def office(self, code: str | None) -> Office | None:
        return self._offices.get(code) if code is not None else None

    def known_office(self, code: str) -> Office:
        """An office the caller knows is listed (the rules named it after checking)."""
        found = self._offices.get(code)
        if found is None:
            raise DirectoryError(f"office {code} is not in the directory")
        return found

    def offices(self) -> tuple[Office, ...]:
        return tuple(self._offices.values())

    def codes(self) -> tuple[str, ...]:
        return tuple(self._offices)

    def agencies(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(office.agency for office in self._offices.values()))

    def serving(self, agency: str, province_code: str) -> tuple[str, ...]:
        """Codes of every office of `agency` serving the province (normally exactly one)."""
        return tuple(self._serving.get((agency, str(province_code)), ()))

    def office_for(self, agency: str, province_code: str) -> Office | None:
        codes = self._serving.get((agency, str(province_code)))
        return self._offices[codes[0]] if codes else None

    def pacc_office_for(self, province_code: str) -> Office | None:
        return self.office_for("PACC", province_code)

    def nacc_office_for(self, province_code: str) -> Office | None:
        return self.office_for("NACC", province_code)

    def damrongtham_office_for(self, province_code: str) -> Office | None:
        return self.office_for("DAMRONGTHAM", province_code)


def load_directory(override_path: str | Path | None = None, *,
                   agencies_path: str | Path | None = None) -> Directory:
    """The shipped directory, changed by the operator's override file when one is given."""
    data = _read_yaml(agencies_path or AGENCIES_PATH)
    channels = list(data.get("contact_channels") or [])
    all_provinces = geography.province_codes()
    offices = [_office(entry, channels, all_provinces) for entry in data.get("offices") or []]
    for template in data.get("per_province") or []:
        offices.extend(_expand(template, channels, all_provinces))
    if override_path:
        offices = _apply_override(offices, _read_yaml(override_path), all_provinces)
    return Directory(offices, version=str(data.get("version", "")))


def _read_yaml(path) -> dict:
    return read_mapping(path, DirectoryError)


def _province_list(value, all_provinces, code) -> tuple[str, ...]:
    if value == "all":
        return tuple(all_provinces)
    if not isinstance(value, list):
        raise DirectoryError(f"office {code}: provinces must be a list of codes or 'all'")
    # YAML reads an unquoted 10 as an int; province codes are two-digit strings.
    return tuple(str(item).zfill(2) for item in value)


def _office(entry: dict, channels, all_provinces) -> Office:
    code = entry.get("code")
    if not code or not entry.get("name_th") or not entry.get("name_en"):
        raise DirectoryError(f"office {code!r}: code, name_th and name_en are required")
    provenance = entry.get("provenance", "inferred")
    if provenance not in PROVENANCE:
        raise DirectoryError(f"office {code}: provenance must be one of {', '.join(PROVENANCE)}")
    contacts = {channel: "" for channel in channels}
    contacts.update(entry.get("contacts") or {})
    return Office(
        code=str(code),
        name_th=str(entry["name_th"]),
        name_en=str(entry["name_en"]),
        provinces=_province_list(entry.get("provinces", []), all_provinces, code),
        contacts=contacts,
        hotline=str(entry.get("hotline") or ""),
        provenance=provenance,
        source=" ".join(str(entry.get("source") or "").split()),
        address=str(entry.get("address") or ""),
        website=str(entry.get("website") or ""),
    )


def _expand(template: dict, channels, all_provinces) -> list[Office]:
    skip = {str(code).zfill(2) for code in template.get("skip") or []}
    names = {str(k).zfill(2): v for k, v in (template.get("names_by_province") or {}).items()}
    provenance_for = {
        str(code).zfill(2): level
        for level, codes in (template.get("provenance_by_province") or {}).items()
        for code in codes
    }
    offices = []
    for province_code in all_provinces:
        if province_code in skip:
            continue
        area = geography.known_province(province_code)
        values = {"province": province_code, "name_th": area.name_th, "name_en": area.name_en}
        entry = {
            key: value.format(**values) if isinstance(value, str) else value
            for key, value in template.items()
            if key not in {"skip", "names_by_province", "provenance_by_province"}
        }
        entry.update(names.get(province_code, {}))
        entry["provinces"] = [province_code]
        entry["provenance"] = provenance_for.get(province_code, entry.get("provenance", "inferred"))
        offices.append(_office(entry, channels, all_provinces))
    return offices


def _apply_override(offices: list[Office], override: dict, all_provinces) -> list[Office]:
    by_code = {office.code: office for office in offices}
    changes = override.get("offices") or {}
    if not isinstance(changes, dict):
        raise DirectoryError("override: 'offices' must map office codes to changes")
    for code, change in changes.items():
        if code not in by_code:
            raise DirectoryError(f"override: unknown office {code}")
        unknown = set(change or {}) - _OVERRIDABLE
        if unknown:
            raise DirectoryError(f"override: office {code} cannot change {', '.join(sorted(unknown))}")
        change = dict(change or {})
        office = by_code[code]
        if "contacts" in change:
            change["contacts"] = {**office.contacts, **(change["contacts"] or {})}
        if "provinces" in change:
            moved = _province_list(change["provinces"], all_provinces, code)
            change["provinces"] = moved
            for other in by_code.values():
                if other.agency == office.agency and other.code != code:
                    kept = tuple(p for p in other.provinces if p not in moved)
                    by_code[other.code] = replace(other, provinces=kept)
        for key in ("hotline", "address", "website", "name_th", "name_en"):
            if key in change:
                change[key] = str(change[key] or "")
        by_code[code] = replace(by_code[code], **change)
    return list(by_code.values())
