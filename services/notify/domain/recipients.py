"""Who notify tells, and in which language: offices, staff, supervisors and operators, from configuration only.

Addresses come from configuration, never from events: casework's events name accounts by id, so no address enters
the broker or the hash-chained audit trail. Offices: `notify.office_contacts[code]`, else the contacts notify's office
directory file (`notify.office_directory`; by default the deployment file `routing.overrides` names, read as data
notify owns, never asked of routing) gives for channels that are configured here, else the
office code on `notify.office_channel` (the embedded default: one line in the file channel).
"""
from __future__ import annotations

import os
import threading

import yaml

from shared import geography
from shared.notifications.channels import as_bool
from shared.vocabulary import CATEGORIES


def pairs(contacts) -> list[tuple[str, str]]:
    """{channel: address, language: xx} -> [(channel, address)] with empty addresses left out."""
    return [(channel, str(address)) for channel, address in (contacts or {}).items()
            if channel != "language" and address not in (None, "")]


_directory_cache: dict = {}
_directory_lock = threading.Lock()


def directory_contacts(path, office_code: str) -> dict:
    """An office's contacts from notify's office directory file (`offices: {CODE: {contacts: {...}}}`).

    The shipped agency list carries no contacts, on purpose: only a deployment's file does.
    """
    if not path:
        return {}
    try:
        mtime = os.stat(path).st_mtime
    except OSError:
        return {}
    with _directory_lock:
        cached = _directory_cache.get(path)
        if cached is None or cached[0] != mtime:
            try:
                with open(path, encoding="utf-8") as handle:
                    data = yaml.safe_load(handle) or {}
            except (OSError, yaml.YAMLError):
                data = {}
            offices = data.get("offices") if isinstance(data, dict) else None
            cached = (mtime, offices if isinstance(offices, dict) else {})
            _directory_cache[path] = cached
    entry = cached[1].get(office_code) or {}
    contacts = entry.get("contacts") if isinstance(entry, dict) else None
    return dict(contacts) if isinstance(contacts, dict) else {}


def _configured_channels(notify: dict) -> set[str]:
    return {name for name, section in (notify.get("channels") or {}).items()
            if section and as_bool(section.get("enabled", True))}


def office_recipients(config: dict, office_code: str) -> list[tuple[str, str]]:
    """(channel name, address) pairs for an office."""
    notify = config["notify"]
    explicit = (notify.get("office_contacts") or {}).get(office_code)
    if explicit:
        return pairs(explicit)
    configured = _configured_channels(notify)
    from_directory = [(channel, address) for channel, address in
                      pairs(directory_contacts(notify.get("office_directory"), office_code))
                      if channel in configured]
    if from_directory:
        return from_directory
    return [(notify["office_channel"], office_code)]


def staff_recipients(config: dict, account_id: str | None) -> list[tuple[str, str]]:
    if not account_id:
        return []
    return pairs((config["notify"].get("staff_contacts") or {}).get(account_id))


def supervisor_recipients(config: dict, office_code: str) -> list[tuple[str, str]]:
    return pairs((config["notify"].get("supervisor_contacts") or {}).get(office_code))


def language_for(config: dict, contacts: dict | None = None) -> str:
    language = (contacts or {}).get("language") or config["notify"].get("office_language") or "th"
    return language if language in ("th", "en") else "th"


def desk_link(config: dict, reference: str) -> str:
    return f"{config['casework']['desk_url'].rstrip('/')}/cases/{reference}"


def case_context(p: dict, language: str) -> dict:
    """What every case message names: the reference, the category and the province, in the reader's language."""
    province = geography.province(p["province_code"])
    category = CATEGORIES.get(p["category"])
    return {
        "reference": p["reference"],
        "category": category[language] if category else p["category"],
        "province": getattr(province, f"name_{language}") if province else p["province_code"],
    }
