"""notify's settings, declared once (listed in docs/settings.md). A channel's own settings
(`notify.channels.<name>`: type email/webhook/line/sms/file and its fields) are in shared/notifications/channels/."""
from __future__ import annotations

from shared.config import Setting as S
from shared.config import Settings

EXAMPLE_CHANNELS = {"email": {"type": "email", "host": "smtp.example.org", "port": 587, "security": "starttls",
                              "username": "sodsong", "password": "${SODSONG_SMTP_PASSWORD:}",
                              "from": "Sodsong <no-reply@example.org>"}}

SETTINGS = Settings(
    "notify", "notify (offices, staff and operators)",
    S("notify.channels", dict, {"file": {"type": "file", "path": None}},
      "Channels by name. The embedded default writes one JSON line per message to <data_dir>/notifications.jsonl. "
      "A `line` channel (type line, channel_access_token) also carries intake's notices to LINE tipsters.",
      example=EXAMPLE_CHANNELS),
    S("notify.office_channel", str, "file", "The channel offices are told on.", example="email"),
    S("notify.office_language", str, "th", "Language of notices to offices and staff (th or en).", example="th"),
    S("notify.office_contacts", dict, {}, "Addresses per office code and channel (over the directory's "
      "contacts), e.g. {PACC-R2: {email: complaints-r2@example.org}}.",
      example={"PACC-R2": {"email": "complaints-r2@example.org"}}),
    S("notify.office_directory", str, None, "notify's own directory of office contacts (a YAML file: "
      "`offices: {CODE: {contacts: {channel: address}}}`); unset: the file routing.overrides names, so one file "
      "can serve both."),
    S("notify.staff_contacts", dict, {}, "Addresses per desk account id, for assignment and deadline notices."),
    S("notify.supervisor_contacts", dict, {}, "Addresses of an office's supervisors (deadline escalations)."),
    S("notify.max_attempts", int, 6, "Tries per delivery before it is dead.", example=6),
    S("notify.backoff_seconds", list, [1, 5, 30, 120, 600], "Pauses between those tries.",
      example=[1, 5, 30, 120, 600]),
    S("notify.poll_seconds", float, 1.0, "How often due deliveries are looked for when not woken."),
    S("notify.sender_concurrency", int, 10, "Deliveries sent at once per instance."),
    S("notify.stuck_sending_seconds", float, 300, "How long a send may look in progress before another instance "
      "takes it over (longer: a delay after a crash; shorter: a risk of a second message)."),
    S("notify.operators.recipients", dict, None, "Operators told of failed deliveries, by name: "
      "{oncall: {email: ops@example.org, language: en}} (unset: `operators` on the office channel)."),
    S("notify.operators.daily_summary_at", str, "08:00", "Bangkok time after which yesterday's failures are "
      "summarised (once a day, however many instances run)."),
    S("notify.operators.language", str, None, "Language of the summary (unset: office_language)."),
    S("notify.operators.queue_url", str, None, "The operators' page named in the summary (unset: "
      "<casework.desk_url>/ops/notifications)."),
    S("notify.operators.send_when_none", bool, False, "Send the summary on a day without failures too."),
    S("notify.operators.check_seconds", float, 60, "How often the summary is checked for (a cluster job)."),
    S("notify.keys", dict, {}, "notify's keyring, if not under keys.notify."),
)
