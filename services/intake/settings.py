"""intake's settings, declared once (listed in docs/settings.md; assembled by sodsong/settings.py)."""
from __future__ import annotations

from shared.config import Setting as S
from shared.config import Settings

ALWAYS_TOLD = ["received", "acknowledged", "under_review", "investigating", "transferred", "closed"]

SETTINGS = Settings(
    "intake", "intake (tips, receipts, the tipster's follow-up, LINE)",
    S("intake.http", str, "127.0.0.1:8000", "Where intake's HTTP server listens (behind deploy/proxy: TLS, "
      "buffering, no client addresses in logs).", example="127.0.0.1:8000"),
    S("intake.max_body_bytes", int, 1_048_576, "The largest JSON body intake reads (multipart bodies: the "
      "attachment limits below)."),
    S("intake.argon2.time_cost", int, 3, "argon2id of receipts issued before keyed hashes (verification only): "
      "iterations.", example=3),
    S("intake.argon2.memory_cost_kib", int, 65536, "... memory (KiB).", example=65536),
    S("intake.argon2.parallelism", int, 1, "... lanes.", example=1),
    S("intake.receipt_key", str, None, "base64 of 32 random bytes: the key of receipts' keyed hashes, the same on "
      "every intake instance, never in the database (unset: a key file in keys_dir).",
      example="${SODSONG_RECEIPT_KEY}"),
    S("intake.public_origins", list, [], "The public pages' origins; a browser request from any other site may "
      "not file or follow up.", example=["https://tips.example.org"]),
    S("intake.client_address_header", str, None, "Older form of clients.client_address_header (one proxy on "
      "this machine)."),
    S("intake.clients.trusted_proxies", list, [], "The proxies whose client-address header is believed "
      "(addresses or networks).", example=["127.0.0.1/32", "::1/128"]),
    S("intake.clients.client_address_header", str, None, "The header a trusted proxy appends the client's "
      "address to.", example="X-Forwarded-For"),
    S("intake.clients.proxy_hops", int, 1, "Trusted proxies in a row in front of intake.", example=1),
    S("intake.receipt_guard.client_failures", int, 10, "Wrong receipts a client may try within the window "
      "before it is slowed down.", example=10),
    S("intake.receipt_guard.client_window_seconds", float, 900, "That window.", example=900),
    S("intake.receipt_guard.throttled_interval_seconds", float, 30, "A slowed-down client may try once per "
      "this many seconds.", example=30),
    S("intake.receipt_guard.max_clients", int, 100_000, "Clients remembered at once (memory bound)."),
    S("intake.filing_limit.tips", int, 5, "Tips one client may file within the window.", example=5),
    S("intake.filing_limit.window_seconds", float, 600, "That window.", example=600),
    S("intake.filing_limit.max_clients", int, 100_000, "Clients remembered at once (memory bound)."),
    S("intake.attachments.max_file_bytes", int, 10 * 1024 * 1024, "The largest file a tip may carry."),
    S("intake.attachments.max_tip_bytes", int, 50 * 1024 * 1024, "All of one tip's files together."),
    S("intake.attachments.max_files", int, 20, "Files per tip."),
    S("intake.attachments.image_slots", int, 1, "Images decoded (to strip EXIF/GPS) at once per process."),
    S("intake.line.enabled", bool, True, "The LINE Official Account bot; it is off anyway without "
      "channel_secret."),
    S("intake.line.channel_secret", str, None, "From the LINE Developers console (Basic settings); keep it out of "
      "the repository.", example="${SODSONG_LINE_CHANNEL_SECRET:}"),
    S("intake.line.channel_access_token", str, None, "A long-lived channel access token (Messaging API tab).",
      example="${SODSONG_LINE_CHANNEL_ACCESS_TOKEN:}"),
    S("intake.line.api_base", str, "https://api.line.me", "Reply and push; change only for an outbound proxy."),
    S("intake.line.data_api_base", str, "https://api-data.line.me", "Files users send."),
    S("intake.line.draft_hours", float, 24, "An unfinished draft (sealed) is deleted after this many idle hours.",
      example=24),
    S("intake.line.per_user_per_minute", int, 30, "Messages per LINE user; beyond, one \"slow down\" and "
      "silence.", example=30),
    S("intake.line.poll_seconds", float, 1.0, "How often stored LINE events are looked for when not woken."),
    S("intake.line.timeout_seconds", float, 10.0, "Each call to LINE's API."),
    S("intake.line.max_attempts", int, 5, "Tries to answer a stored event before it is dead."),
    S("intake.line.backoff_seconds", list, [1, 5, 30, 120], "Pauses between those tries."),
    S("intake.line.keep_event_ids_days", float, 7, "Answered event ids are kept this long (LINE redelivers)."),
    S("intake.tipster_notices.enabled", bool, True, "Tell tipsters who opted in that their report has an "
      "update (never what it is)."),
    S("intake.tipster_notices.status_url", str, None, "The status page named in a notice (unset: "
      "http://<intake.http>/status)."),
    S("intake.tipster_notices.statuses", list, ALWAYS_TOLD, "The statuses a tipster is told of."),
    S("intake.tipster_notices.questions", bool, True, "Tell the tipster when the office asks a question."),
    S("intake.tipster_notices.channels", dict, {}, "The notify channel to use per contact kind (email, sms, "
      "line); unset: the channel of that name."),
    S("intake.tipster_notices.volunteer_contacts", dict, {}, "Volunteers told of the tips they filed for "
      "someone, by volunteer id: {<id>: {email: ..., language: th}}."),
    S("intake.tipster_notices.poll_seconds", float, 2.0, "How often due notices are looked for when not woken."),
    S("intake.tipster_notices.max_attempts", int, 6, "Tries per notice before it is dead."),
    S("intake.tipster_notices.backoff_seconds", list, [5, 30, 120, 600, 1800], "Pauses between those tries."),
    S("intake.web.files_kept_minutes", int, 60, "Files attached to a web form that came back (a mistake to "
      "correct, a list to pick from, the other language) are kept sealed this long for the retry.", example=60),
    S("intake.web.receipt_reshow_minutes", int, 15, "The receipt page can be shown again (in the other language, "
      "same browser session only) for this long after filing.", example=15),
    S("intake.trust.operator", dict, {
        "th": "ผู้ดูแลระบบสอดส่องของเครือข่ายในพื้นที่ ซึ่งไม่ใช่หน่วยงานของรัฐ ระบบส่งเรื่องต่อให้หน่วยงานที่มีอำนาจตามกฎหมาย",
        "en": "The local network that runs this Sodsong service, which is not a government office; it passes "
              "reports on to the offices with legal power to act."},
      "Who runs this service (Thai and English), shown on the public pages.",
      example={"th": "เครือข่ายอาสาสมัครต้านทุจริตจังหวัดตราด", "en": "Trat anti-corruption volunteer network"}),
    S("intake.trust.contact", dict, {}, "How to reach the people who run it (Thai and English), if they say.",
      example={"th": "โทร 039 000 000 (จันทร์–ศุกร์)", "en": "Phone 039 000 000 (Mon–Fri)"}),
    S("intake.trust.acknowledge_days", int, 7, "The office acknowledges a report within this many days (told "
      "to tipsters; keep it equal to casework.deadlines.acknowledge_days).", example=7),
    S("intake.trust.decide_months", int, 3, "The office accepts or declines a report within this many months "
      "(PACC Act §23/1).", example=3),
    S("intake.trust.hotlines", list, [
        {"number": "1206", "th": "ศูนย์ปฏิบัติการต่อต้านการทุจริต (ป.ป.ท.)",
         "en": "Anti-corruption centre (PACC)"},
        {"number": "1205", "th": "สำนักงาน ป.ป.ช.", "en": "NACC (National Anti-Corruption Commission)"},
        {"number": "1567", "th": "ศูนย์ดำรงธรรม", "en": "Damrongtham Centre"},
    ], "The agencies' hotlines shown to tipsters (number, Thai and English names)."),
    S("intake.http_server", dict, {}, "intake's own http_server.* (over the shared ones)."),
    S("intake.keys", dict, {}, "intake's keyring, if not under keys.intake."),
)
