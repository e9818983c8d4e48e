"""casework's settings, declared once (listed in docs/settings.md; assembled by sodsong/settings.py)."""
from __future__ import annotations

from shared.config import Setting as S
from shared.config import Settings

SETTINGS = Settings(
    "casework", "casework (the caseworkers' desk)",
    S("casework.http", str, "127.0.0.1:8001", "Where the desk's HTTP server listens.", example="127.0.0.1:8001"),
    S("casework.desk_url", str, "http://127.0.0.1:8001", "The desk's address as staff reach it (links in "
      "notices; https:// makes the session cookie Secure).", example="https://desk.example.org"),
    S("casework.cookie_secure", bool, None, "Force the session cookie's Secure flag (unset: from desk_url)."),
    S("casework.clients.trusted_proxies", list, [], "The proxies whose client-address header is believed.",
      example=["127.0.0.1/32", "::1/128"]),
    S("casework.clients.client_address_header", str, None, "The header a trusted proxy appends the client's "
      "address to.", example="X-Forwarded-For"),
    S("casework.clients.proxy_hops", int, 1, "Trusted proxies in a row in front of the desk.", example=1),
    S("casework.session_idle_minutes", float, 30, "A desk session ends after this long unused."),
    S("casework.session_absolute_hours", float, 12, "... and after this long in any case."),
    S("casework.login_max_failures", int, 5, "Failed sign-ins per username and client within the window before "
      "it is locked for a while."),
    S("casework.login_window_minutes", float, 15, "That window."),
    S("casework.login_lockout_minutes", float, 15, "How long that lock lasts."),
    S("casework.login_max_failures_per_address", int, 50, "Failed sign-ins from one client across usernames "
      "within the window (password spraying)."),
    S("casework.reset_code_hours", float, 24, "How long an administrator's one-time password reset code works."),
    S("casework.argon2.time_cost", int, 3, "argon2id of staff passwords: iterations."),
    S("casework.argon2.memory_cost_kib", int, 65536, "argon2id of staff passwords: memory (KiB)."),
    S("casework.argon2.parallelism", int, 1, "argon2id of staff passwords: lanes."),
    S("casework.deadlines.acknowledge_days", float, 7, "A new case is acknowledged within this many days (EU "
      "Directive 2019/1937 art. 9).", example=7),
    S("casework.deadlines.feedback_months", int, 3, "The tipster hears back within this many calendar months.",
      example=3),
    S("casework.deadlines.max_feedback_months", int, 6, "A supervisor may extend feedback up to this, with a "
      "reason."),
    S("casework.deadlines.remind_acknowledge_hours", float, 48, "Reminder this long before acknowledgement is "
      "due."),
    S("casework.deadlines.remind_feedback_days", float, 14, "Reminder this long before feedback is due."),
    S("casework.deadlines.agencies", dict, {}, "Any of the deadline settings per agency (code prefix) or office, "
      "e.g. {NACC: {acknowledge_days: 5}, PACC-R3: {feedback_months: 2}}."),
    S("casework.sweep_seconds", float, 60, "How often the deadline sweep runs (a cluster job: one instance at a "
      "time)."),
    S("casework.sweep_lease_seconds", float, 120, "How long the instance that swept keeps the sweep to itself "
      "(another takes over after it stops)."),
    S("casework.state_labels", dict, {}, "Staff-facing names of states per agency or office, e.g. "
      "{PACC: {investigating: {th: ..., en: ...}}}."),
    S("casework.networks", dict, {}, "Volunteer networks whose coordinators see their area's counts: {code: "
      "{name_th, name_en, areas: [DOPA subdistrict, district or province codes], coordinators: [usernames]}}.",
      example={"strong-trat": {"name_th": "เครือข่าย STRONG ตราด", "name_en": "STRONG Trat network",
                               "areas": ["230101", "2302"], "coordinators": ["coordinator.trat"]}}),
    S("casework.http_server", dict, {}, "casework's own http_server.* (over the shared ones)."),
    S("casework.keys", dict, {}, "casework's keyring, if not under keys.casework."),
)
