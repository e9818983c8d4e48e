"""Who notify tells, and in which language: offices, staff, supervisors and operators.

Office addresses come from configuration. A staff member's own addresses come from their desk account:
casework announces them in `account.contacts_changed` (staff work addresses, never a tipster's; the audit chain
keeps only the payload's hash) and notify keeps a copy (`notify_staff_contacts`); `notify.staff_contacts` and
`notify.supervisor_contacts` in configuration still win where set. Case events name accounts by id only.

Offices: `notify.office_contacts[code]`, else the contacts notify's office
directory file (`notify.office_directory`; by default the deployment file `routing.overrides` names, read as data
notify owns, never asked of routing) gives for channels that are configured here, else the
office code on `notify.office_channel` (the embedded default: one line in the file channel).
"""
from __future__ import annotations

import os
import threading

import yaml

from services.notify.settings import SETTINGS as NOTIFY
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


def _channels_of_type(notify: dict, kind: str) -> list[str]:
    """Configured channels that deliver `kind` (email, line): by their `type`, or their name without one."""
    return sorted(name for name, section in (notify.get("channels") or {}).items()
                  if section and as_bool(section.get("enabled", True)) and (section.get("type") or name) == kind)


def account_recipients(config: dict, contact) -> list[tuple[str, str]]:
    """(channel, address) pairs for a desk account's own contacts (notify's copy, `StaffContact`): its email on
    the email channel, its LINE user id on the LINE channel. A deployment without that channel (the embedded
    file channel only) writes the notice to the file channel, addressed to the person."""
    if contact is None or not contact.active:
        return []
    notify = config["notify"]
    out = []
    for kind, address in (("email", contact.email), ("line", contact.line_user_id)):
        if not address:
            continue
        channels = _channels_of_type(notify, kind) or _channels_of_type(notify, "file")
        if channels:
            out.append((channels[0], str(address)))
    return out


def staff_recipients(config: dict, account_id: str | None, contact=None) -> list[tuple[str, str]]:
    """A staff member's addresses: `notify.staff_contacts[account id]` when configured (it wins), else the
    contacts on their desk account."""
    if not account_id:
        return []
    explicit = (config["notify"].get("staff_contacts") or {}).get(account_id)
    if explicit:
        return pairs(explicit)
    return account_recipients(config, contact)


def supervisor_recipients(config: dict, office_code: str, supervisors=()) -> list[tuple[str, str]]:
    """`notify.supervisor_contacts[office]` when configured, else the contacts of the office's supervisors'
    accounts."""
    explicit = (config["notify"].get("supervisor_contacts") or {}).get(office_code)
    if explicit:
        return pairs(explicit)
    return list(dict.fromkeys(pair for contact in supervisors for pair in account_recipients(config, contact)))


def language_for(config: dict, contacts: dict | None = None) -> str:
    language = (contacts or {}).get("language") or NOTIFY.value(config, "notify.office_language")
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
