"""The LINE conversation as plain Python: a chat's state, one incoming message, and what to answer.

    state (JSON-able dict, sealed at rest by the caller) + Incoming  ──step()──▶  new state + [Reply]

Everything that touches storage or LINE goes through `ports` (services.intake.line.bot.Ports in service,
a fake in tests): fetching a file from LINE, filing the tip through intake's one filing path, checking a
receipt, reading a tip's status, adding a message. The engine never sees the LINE user id except through
`ports.notice_reporter()`, called only when the tipster chose progress notices in LINE.

Filing a tip: category → what happened → where → who (group, type, position) → when → files → anonymity →
summary → confirm. "cancel" and "back" work at every step, "English"/"ภาษาไทย" switch language; the caller
deletes a draft that has been idle for `draft_hours`.

Following a tip: only after the receipt has been typed in this chat once (`linked`); the LINE user id alone
never opens a tip. The tipster can read the status, the office's questions and messages, answer, add more.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from shared.clock import from_buddhist_year, local, thai_date
from shared.vocabulary import CATEGORIES, OFFICIAL_TYPE_GROUPS, OFFICIAL_TYPES, TIPSTER_STATUSES
from services.intake.line import places
from services.intake.line.texts import BUTTONS, CATEGORY_SHORT, COMMAND_WORDS, FILE_REASONS, button, t

PAGE = 9  # list items per quick-reply page (plus more / skip / back / cancel ≤ 13)
MAX_LINKED = 10
OFFICE_ITEMS_SHOWN = 6  # the office's latest questions and notes shown with a status
FREE_TEXT_STEPS = ("description", "position")  # only cancel and back are commands while a person writes
DRAFT_STEPS = ("category", "description", "location", "location_confirm", "province", "district", "subdistrict",
               "who_group", "who_type", "position", "when", "files", "anonymity", "confirm")


@dataclass(frozen=True)
class Incoming:
    """One thing the LINE user did, already out of LINE's event format."""
    kind: str                   # text | postback | location | file | follow | unfollow | other
    text: str = ""
    data: str = ""              # postback data
    params: dict = field(default_factory=dict)   # postback params (a date picker's date)
    title: str = ""             # location
    address: str = ""
    latitude: float | None = None
    longitude: float | None = None
    message_id: str = ""        # file
    file_name: str | None = None
    file_kind: str = ""         # image | video | audio | file (LINE's message type)
    file_size: int | None = None  # declared by LINE for files only
    event_id: str = ""          # LINE's webhookEventId (idempotency key for filing)


@dataclass(frozen=True)
class Quick:
    """A quick-reply button: postback `data` (shown as `display`), or a LINE action kind."""
    label: str
    data: str = ""
    display: str = ""
    action: str = "postback"    # postback | location | camera | cameraRoll | datetime
    initial: str = ""           # datetime picker: initial/max date
    max: str = ""


@dataclass
class Reply:
    text: str
    quick: list[Quick] = field(default_factory=list)


class PortError(Exception):
    """A port refused (validation, an unknown receipt, a lock-out); `key` names the reason for texts."""

    def __init__(self, key: str, detail: str | None = None):
        super().__init__(key)
        self.key = key
        self.detail = detail


def new_state() -> dict:
    return {"lang": "th", "mode": "idle", "step": None, "draft": None, "history": [], "page": 0,
            "follow": None, "linked": []}


# -- entry ------------------------------------------------------------------------------------------------------
def step(state: dict | None, incoming: Incoming, ports, *, max_files: int = 20) -> tuple[dict, list[Reply]]:
    state = _copy(state or new_state())
    bot = _Bot(state, ports, max_files)
    bot.handle(incoming)
    return bot.state, bot.replies


def _copy(state: dict) -> dict:
    import copy

    out = new_state()
    out.update(copy.deepcopy(state))
    return out


def _command(incoming: Incoming) -> str | None:
    if incoming.kind == "postback" and incoming.data.startswith("cmd="):
        return incoming.data[4:]
    if incoming.kind == "text":
        words = re.sub(r"\s+", " ", incoming.text.strip().lower())
        for command, spellings in COMMAND_WORDS.items():
            if words in spellings:
                return command
    return None


_ASKED_AGAIN = object()  # _picked_place: the tipster was asked again


def _postback(incoming: Incoming, name: str) -> str | None:
    if incoming.kind != "postback":
        return None
    key, _, value = incoming.data.partition("=")
    return value if key == name else None


class _Bot:
    def __init__(self, state: dict, ports, max_files: int):
        self.state = state
        self.ports = ports
        self.max_files = max_files
        self.replies: list[Reply] = []

    @property
    def lang(self) -> str:
        return self.state.get("lang") or "th"

    def say(self, key: str, quick: list[Quick] | None = None, **values) -> None:
        self.replies.append(Reply(t(key, self.lang, **values), list(quick or [])))

    def b(self, key: str, data: str | None = None, display: str | None = None) -> Quick:
        label = button(key, self.lang)
        return Quick(label=label, data=data or f"cmd={key}", display=display or label)

    # -- dispatch --------------------------------------------------------------------------------------------------
    def handle(self, incoming: Incoming) -> None:
        if incoming.kind == "unfollow":  # the user blocked the account: forget the draft and every link
            self._drop_draft()
            self.state.update(new_state())
            return
        if incoming.kind == "follow":
            self.say("welcome", self._menu_quick())
            return
        command = _command(incoming)
        if (incoming.kind == "text" and self.state["mode"] == "draft" and self.state["step"] in FREE_TEXT_STEPS
                and command not in ("cancel", "back")):
            command = None  # "ติดตามเรื่อง" typed as what happened is what happened
        if command in ("english", "thai"):
            self.state["lang"] = "en" if command == "english" else "th"
            self.say("language_set")
            self._reprompt()
            return
        if command == "cancel":
            self._cancel()
            return
        if command == "menu":
            if self.state["mode"] == "follow":
                self.state["follow"] = None
                self.state["mode"] = "idle"
            if self.state["mode"] == "draft":
                self._reprompt()
            else:
                self.say("welcome", self._menu_quick())
            return
        if command == "new":
            self._drop_draft()
            self.state.update(mode="draft", step="category", draft=_empty_draft(), history=[], page=0,
                              follow=None)
            self._ask()
            return
        if command == "follow":
            self._follow_start()
            return
        if self.state["mode"] == "draft":
            if command == "back":
                self._back()
                return
            self._draft_input(incoming)
            return
        if self.state["mode"] == "follow":
            self._follow_input(incoming, command)
            return
        # idle: a receipt typed straight away opens the follow-up
        if incoming.kind == "text" and _receipt_like(incoming.text):
            self.state["mode"] = "follow"
            self.state["follow"] = {"awaiting": "receipt"}
            self._follow_input(incoming, None)
            return
        self.say("welcome", self._menu_quick())

    def _menu_quick(self) -> list[Quick]:
        other = "english" if self.lang == "th" else "thai"
        return [self.b("new"), self.b("follow"), self.b(other)]

    def _cancel(self) -> None:
        self._drop_draft()
        keep = {"lang": self.lang, "linked": self.state.get("linked") or []}
        self.state.update(new_state())
        self.state.update(keep)
        self.say("cancelled", self._menu_quick())

    def _drop_draft(self) -> None:
        draft = self.state.get("draft") or {}
        if draft.get("files"):
            self.ports.drop_files(list(draft["files"]))
        self.state["draft"] = None

    def _reprompt(self) -> None:
        if self.state["mode"] == "draft":
            self._ask()
        elif self.state["mode"] == "follow":
            self._follow_prompt()
        else:
            self.say("welcome", self._menu_quick())

    # -- the draft -------------------------------------------------------------------------------------------------
    def _goto(self, step_name: str) -> None:
        history = self.state.setdefault("history", [])
        if self.state["step"] and (not history or history[-1] != self.state["step"]):
            history.append(self.state["step"])
        self.state["step"] = step_name
        self.state["page"] = 0
        self._ask()

    def _back(self) -> None:
        history = self.state.get("history") or []
        if not history:
            self.say("nothing_to_go_back")
            self._ask()
            return
        self.state["step"] = history.pop()
        self.state["page"] = 0
        self._ask()

    def _nav(self, *extra: Quick) -> list[Quick]:
        return [*extra, self.b("back"), self.b("cancel")]

    def _paged(self, options: list[dict], prefix: str, skip: bool = False) -> list[Quick]:
        page = int(self.state.get("page") or 0)
        start = page * PAGE
        chunk = options[start:start + PAGE]
        items = [Quick(label=o[self.lang][:20], data=f"{prefix}={o['code']}", display=o[self.lang]) for o in chunk]
        if start + PAGE < len(options):
            items.append(self.b("next", data="page=next"))
        elif page:
            items.append(Quick(label="◀ 1", data="page=first", display="◀"))
        if skip:
            items.append(self.b("skip"))
        return self._nav(*items)

    def _ask(self) -> None:
        draft = self.state["draft"]
        name = self.state["step"]
        lang = self.lang
        if name == "category":
            quick = [Quick(label=CATEGORY_SHORT[c][lang], data=f"category={c}", display=CATEGORIES[c][lang])
                     for c in CATEGORIES]
            self.say("ask_category", self._nav(*quick))
        elif name == "description":
            self.say("ask_description", self._nav())
        elif name == "location":
            items = [Quick(label=button("send_location", lang), action="location")]
            self.say("ask_location", self._nav(*items, *self._paged(places.provinces(), "province")[:-2]))
        elif name == "location_confirm":
            self.say("location_found", self._nav(self.b("yes", data="location=ok"),
                                                 self.b("choose_myself", data="location=pick")),
                     place=places.describe(draft["location"], lang))
        elif name == "province":
            self.say("ask_location", self._paged(places.provinces(), "province"))
        elif name == "district":
            self.say("ask_district", self._paged(places.districts(draft["location"]["province_code"]), "district",
                                                 skip=True),
                     province=places.name_of("province", draft["location"]["province_code"], lang))
        elif name == "subdistrict":
            self.say("ask_subdistrict",
                     self._paged(places.subdistricts(draft["location"]["district_code"]), "subdistrict", skip=True),
                     district=places.name_of("district", draft["location"]["district_code"], lang))
        elif name == "who_group":
            from shared.vocabulary import official_type_quick_replies

            quick = [Quick(label=q["label"], data=q["data"], display=q["display_text"])
                     for q in official_type_quick_replies(lang)]
            self.say("ask_who_group", self._nav(*quick))
        elif name == "who_type":
            from shared.vocabulary import official_type_quick_replies

            group = draft.get("group") or "other"
            quick = [Quick(label=q["label"], data=q["data"], display=q["display_text"])
                     for q in official_type_quick_replies(lang, group)]
            self.say("ask_who_type", self._nav(*quick))
        elif name == "position":
            self.say("ask_position", self._nav(self.b("skip")))
        elif name == "when":
            today = self.ports.today().isoformat()
            self.say("ask_when", self._nav(
                Quick(label=button("pick_date", lang), action="datetime", data="when=picked", initial=today, max=today),
                self.b("today", data="when=today"), self.b("yesterday", data="when=yesterday"),
                self.b("not_sure", data="when=unknown")))
        elif name == "files":
            done = "done" if draft.get("files") else "no_files"
            self.say("ask_files", self._nav(Quick(label=button("camera", lang), action="camera"),
                                            Quick(label=button("camera_roll", lang), action="cameraRoll"),
                                            self.b(done, data="files=done")))
        elif name == "anonymity":
            self.say("ask_anonymity", self._nav(self.b("anonymous", data="anonymity=anonymous"),
                                                self.b("notify_line", data="anonymity=line")))
        elif name == "confirm":
            self.say("summary", [self.b("confirm", data="confirm=yes"), self.b("edit", data="cmd=back"),
                                 self.b("cancel")], **self._summary())

    def _summary(self) -> dict:
        draft, lang = self.state["draft"], self.lang
        text = draft.get("description") or ""
        who = OFFICIAL_TYPES.get((draft.get("accused") or {}).get("official_type"), {}).get(lang, "")
        if (draft.get("accused") or {}).get("position"):
            who = f"{who} — {draft['accused']['position']}"
        when = draft.get("event_date")
        return {
            "category": CATEGORIES[draft["category"]][lang],
            "description": text if len(text) <= 200 else text[:200] + "…",
            "place": places.describe(draft.get("location") or {}, lang) or t("not_known", lang),
            "who": who or t("not_known", lang),
            "when": _thai_date(when, lang) if when else t("not_known", lang),
            "files": len(draft.get("files") or []),
            "anonymity": t("notify_line" if draft.get("notify_line") else "anonymous", lang),
        }

    def _draft_input(self, incoming: Incoming) -> None:
        draft = self.state["draft"]
        name = self.state["step"]
        if incoming.kind == "file":
            # LINE deletes content after a while: a file sent early is fetched and kept for the files step
            self._take_file(incoming)
            if name != "files":
                self._ask()
            return
        if incoming.kind == "postback" and incoming.data in ("page=next", "page=first"):
            self.state["page"] = int(self.state.get("page") or 0) + 1 if incoming.data == "page=next" else 0
            self._ask()
            return
        handler = getattr(self, f"_on_{name}", None)
        if handler is None or not handler(incoming, draft):
            if incoming.kind not in ("text", "postback", "location"):
                self.say("unsupported")
            elif name not in ("description",):
                self.say("not_understood")
            self._ask()

    def _on_category(self, incoming, draft) -> bool:
        code = _postback(incoming, "category")
        if code is None and incoming.kind == "text":
            typed = incoming.text.strip().lower()
            code = next((c for c in CATEGORIES if typed in (CATEGORIES[c]["th"].lower(), CATEGORIES[c]["en"].lower(),
                                                             CATEGORY_SHORT[c]["th"].lower(),
                                                             CATEGORY_SHORT[c]["en"].lower())), None)
        if code not in CATEGORIES:
            return False
        draft["category"] = code
        self._goto("description")
        return True

    def _on_description(self, incoming, draft) -> bool:
        if incoming.kind != "text":
            return False
        text = _clean_text(incoming.text, multiline=True).strip()
        if len(text) < 10:
            self.say("description_short")
            return True
        if len(text) > 10_000:
            self.say("description_long")
            return True
        draft["description"] = text
        self._goto("location")
        return True

    def _on_location(self, incoming, draft) -> bool:
        if incoming.kind == "location":
            found = places.from_address(incoming.address)
            place = ", ".join(p for p in (_clean_text(incoming.title), _clean_text(incoming.address)) if p)
            if incoming.latitude is not None and incoming.longitude is not None:
                place = f"{place} ({incoming.latitude:.6f}, {incoming.longitude:.6f})".strip()
            draft["location"] = {"province_code": None, "district_code": None, "subdistrict_code": None,
                                 "place": place[:300] or None}
            if found.get("province_code"):
                draft["location"].update(found)
                self._goto("location_confirm")
            else:
                self.say("location_unknown")
                self._goto("province")
            return True
        return self._on_province(incoming, draft)

    def _on_location_confirm(self, incoming, draft) -> bool:
        choice = _postback(incoming, "location")
        if choice == "ok" or (incoming.kind == "text" and incoming.text.strip() in ("ใช่", "ถูกต้อง", "yes", "ok")):
            self._after_location(draft)
            return True
        if choice == "pick":
            self._goto("province")
            return True
        return self._on_province(incoming, draft)

    def _on_province(self, incoming, draft) -> bool:
        code = _postback(incoming, "province")
        if code is None and incoming.kind == "text":
            found = places.find(places.provinces(), incoming.text)
            if found is None:
                self.say("province_unknown", text=_clean_text(incoming.text)[:50])
                self._ask()
                return True
            code = found["code"]
        if code is None or places.name_of("province", code) is None:
            return False
        location = draft.get("location") or {}
        draft["location"] = {"province_code": code, "district_code": None, "subdistrict_code": None,
                             "place": location.get("place")}
        self._goto("district")
        return True

    def _on_district(self, incoming, draft) -> bool:
        if _command_skip(incoming):
            draft["location"].update(district_code=None, subdistrict_code=None)
            self._goto("who_group")
            return True
        code = self._picked_place(incoming, "district", "province", draft["location"]["province_code"])
        if code is _ASKED_AGAIN:
            return True
        if code is None:
            return False
        draft["location"].update(district_code=code, subdistrict_code=None)
        self._goto("subdistrict")
        return True

    def _on_subdistrict(self, incoming, draft) -> bool:
        if _command_skip(incoming):
            draft["location"]["subdistrict_code"] = None
            self._goto("who_group")
            return True
        code = self._picked_place(incoming, "subdistrict", "district", draft["location"]["district_code"])
        if code is _ASKED_AGAIN:
            return True
        if code is None:
            return False
        draft["location"]["subdistrict_code"] = code
        self._goto("who_group")
        return True

    def _picked_place(self, incoming, kind: str, parent_kind: str, parent_code: str):
        """The code of the district or subdistrict (`kind`) of `parent_code` the tipster picked by button or by
        name; None if the answer is none of them; _ASKED_AGAIN when a typed name matched none (they were told)."""
        options = places.districts(parent_code) if kind == "district" else places.subdistricts(parent_code)
        code = _postback(incoming, kind)
        if code is None and incoming.kind == "text":
            found = places.find(options, incoming.text)
            if found is None:
                self.say(f"{kind}_unknown", text=_clean_text(incoming.text)[:50],
                         **{parent_kind: places.name_of(parent_kind, parent_code, self.lang)})
                self._ask()
                return _ASKED_AGAIN
            code = found["code"]
        return code if code in {o["code"] for o in options} else None

    def _after_location(self, draft) -> None:
        if not draft["location"].get("district_code"):
            self._goto("district")
        elif not draft["location"].get("subdistrict_code"):
            self._goto("subdistrict")
        else:
            self._goto("who_group")

    def _on_who_group(self, incoming, draft) -> bool:
        group = _postback(incoming, "official_type_group")
        code = _postback(incoming, "official_type")
        if code in OFFICIAL_TYPES:  # a type straight from the rich menu or a typed label
            draft["accused"] = {"official_type": code, "position": None}
            self._goto("position")
            return True
        if group not in OFFICIAL_TYPE_GROUPS:
            return False
        draft["group"] = group
        self._goto("who_type")
        return True

    def _on_who_type(self, incoming, draft) -> bool:
        code = _postback(incoming, "official_type")
        if code not in OFFICIAL_TYPES:
            return False
        draft["accused"] = {"official_type": code, "position": (draft.get("accused") or {}).get("position")}
        self._goto("position")
        return True

    def _on_position(self, incoming, draft) -> bool:
        if _command_skip(incoming):
            draft["accused"]["position"] = None
        elif incoming.kind == "text":
            draft["accused"]["position"] = _clean_text(incoming.text).strip()[:200] or None
        else:
            return False
        self._goto("when")
        return True

    def _on_when(self, incoming, draft) -> bool:
        choice = _postback(incoming, "when")
        today = self.ports.today()
        value = None
        if choice == "today":
            value = today
        elif choice == "yesterday":
            value = today - timedelta(days=1)
        elif choice == "unknown":
            draft["event_date"] = None
            self._goto("files")
            return True
        elif choice == "picked":
            value = _parse_date((incoming.params or {}).get("date", ""))
        elif incoming.kind == "text":
            if incoming.text.strip().lower() in ("ไม่ทราบ", "not sure", "ไม่แน่ใจ", "skip", "ข้าม"):
                draft["event_date"] = None
                self._goto("files")
                return True
            value = _parse_date(incoming.text)
            if value is None or value > today or value < date(1950, 1, 1):
                self.say("date_invalid")
                self._ask()
                return True
        else:
            return False
        if value is None or value > today or value < date(1950, 1, 1):
            self.say("date_invalid")
            self._ask()
            return True
        draft["event_date"] = value.isoformat()
        self._goto("files")
        return True

    def _take_file(self, incoming: Incoming) -> None:
        draft = self.state["draft"]
        files = draft.setdefault("files", [])
        if len(files) >= self.max_files:
            self.say("too_many_files", max=self.max_files)
            return
        try:
            file_id = self.ports.fetch_file(incoming.message_id, incoming.file_name, already=list(files),
                                             kind=incoming.file_kind, size=incoming.file_size)
        except PortError as exc:
            reason = FILE_REASONS.get(exc.key)
            if reason is None:
                self.say("file_lost")
            else:
                self.say("file_refused", reason=reason[self.lang])
            if self.state["step"] == "files":
                self._ask()
            return
        files.append(file_id)
        quick = []
        if self.state["step"] == "files":
            quick = [self.b("done", data="files=done"), self.b("back"), self.b("cancel")]
        self.say("file_received", quick, count=len(files))

    def _on_files(self, incoming, draft) -> bool:
        if _postback(incoming, "files") == "done" or (
                incoming.kind == "text" and incoming.text.strip().lower() in ("เสร็จแล้ว", "เสร็จ", "done",
                                                                              "ไม่มี", "ไม่มีไฟล์", "no files")):
            self._goto("anonymity")
            return True
        return False

    def _on_anonymity(self, incoming, draft) -> bool:
        choice = _postback(incoming, "anonymity")
        if choice not in ("anonymous", "line"):
            return False
        draft["notify_line"] = choice == "line"
        self._goto("confirm")
        return True

    def _on_confirm(self, incoming, draft) -> bool:
        if _postback(incoming, "confirm") != "yes" and not (
                incoming.kind == "text" and incoming.text.strip().lower() in ("ยืนยัน", "ยืนยันส่งเรื่อง", "send", "confirm")):
            return False
        tip = {
            "channel": "line",
            "language": self.lang,
            "category": draft["category"],
            "description": draft["description"],
            "event_date": draft.get("event_date"),
            "location": {k: v for k, v in (draft.get("location") or {}).items() if v is not None},
            "accused": {k: v for k, v in (draft.get("accused") or {}).items() if v is not None},
        }
        if draft.get("notify_line"):
            tip["reporter"] = self.ports.notice_reporter()
        try:
            reference, receipt = self.ports.file_tip(tip, list(draft.get("files") or []), incoming.event_id)
        except PortError as exc:
            self.say("file_failed", reason=exc.detail or exc.key)
            self._ask()
            return True
        self.state["draft"] = None
        self.state.update(mode="idle", step=None, history=[], page=0)
        self.say("filed", reference=reference, receipt=_group_receipt(receipt))
        self.say("receipt_advice", self._menu_quick())
        return True

    # -- following a tip -------------------------------------------------------------------------------------------
    def _follow_start(self) -> None:
        self._drop_draft()
        self.state.update(mode="follow", step=None, history=[], page=0)
        linked = self.state.get("linked") or []
        if not linked:
            self.state["follow"] = {"awaiting": "receipt"}
            self.say("ask_receipt", [self.b("menu"), self.b("cancel")])
            return
        if len(linked) == 1:
            self.state["follow"] = {"tip": linked[0]["tip_id"], "reference": linked[0]["reference"], "awaiting": None}
            self._show_status()
            return
        self.state["follow"] = {"awaiting": "pick"}
        self._follow_prompt()

    def _follow_prompt(self) -> None:
        follow = self.state.get("follow") or {}
        if follow.get("awaiting") == "receipt":
            self.say("ask_receipt", [self.b("menu"), self.b("cancel")])
        elif follow.get("awaiting") == "pick":
            quick = [Quick(label=link["reference"], data=f"tip={link['reference']}", display=link["reference"])
                     for link in (self.state.get("linked") or [])[-11:]]
            self.say("pick_report", [*quick, self.b("menu")])
        elif follow.get("awaiting") == "answer":
            self.say("ask_answer", [self.b("status"), self.b("menu")])
        elif follow.get("awaiting") == "more":
            self.say("ask_more", [self.b("done", data="more=done"), self.b("menu")])
        else:
            self._show_status()

    def _follow_input(self, incoming: Incoming, command: str | None) -> None:
        follow = self.state.get("follow") or {"awaiting": "receipt"}
        self.state["follow"] = follow
        awaiting = follow.get("awaiting")
        picked = _postback(incoming, "tip")
        if picked:
            link = next((link for link in self.state.get("linked") or [] if link["reference"] == picked), None)
            if link:
                self.state["follow"] = {"tip": link["tip_id"], "reference": link["reference"], "awaiting": None}
                self._show_status()
                return
        if incoming.kind == "text" and _receipt_like(incoming.text) and awaiting in ("receipt", "pick", None):
            self._prove_receipt(incoming.text)
            return
        if awaiting == "receipt":
            if incoming.kind == "text":
                self.say("receipt_unknown")
            self._follow_prompt()
            return
        if awaiting == "pick" or not follow.get("tip"):
            self._follow_prompt()
            return
        if command == "back":
            follow["awaiting"] = None
            self._show_status()
            return
        cmd = _postback(incoming, "cmd")
        if cmd == "status":
            follow["awaiting"] = None
            self._show_status()
            return
        if cmd == "answer":
            follow["awaiting"] = "answer"
            self._follow_prompt()
            return
        if cmd == "more":
            follow["awaiting"] = "more"
            self._follow_prompt()
            return
        if cmd == "forget":
            self.state["linked"] = [link for link in self.state.get("linked") or [] if link["tip_id"] != follow["tip"]]
            self.say("forgotten", self._menu_quick(), reference=follow.get("reference"))
            self.state.update(mode="idle", follow=None)
            return
        if _postback(incoming, "more") == "done":
            follow["awaiting"] = None
            self._show_status()
            return
        if awaiting in ("answer", "more") and incoming.kind in ("text", "file"):
            self._send_message(incoming, follow)
            return
        if incoming.kind in ("text", "file"):
            # text without choosing first: treat it as more information, never lose what the tipster wrote
            follow["awaiting"] = "more"
            self._send_message(incoming, follow)
            return
        self.say("unsupported")
        self._follow_prompt()

    def _prove_receipt(self, raw: str) -> None:
        try:
            tip_id, reference = self.ports.verify_receipt(raw)
        except PortError as exc:
            self.say("receipt_locked" if exc.key == "receipt.locked" else "receipt_unknown")
            self.state["follow"] = {"awaiting": "receipt"}
            self._follow_prompt()
            return
        linked = [link for link in self.state.get("linked") or [] if link["tip_id"] != tip_id]
        linked.append({"tip_id": tip_id, "reference": reference})
        self.state["linked"] = linked[-MAX_LINKED:]
        self.state["mode"] = "follow"
        self.state["follow"] = {"tip": tip_id, "reference": reference, "awaiting": None}
        self.say("linked", reference=reference)
        self._show_status()

    def _show_status(self) -> None:
        follow = self.state["follow"]
        lang = self.lang
        try:
            view = self.ports.status(follow["tip"])
        except PortError:
            self.state["linked"] = [link for link in self.state.get("linked") or [] if link["tip_id"] != follow["tip"]]
            self.state.update(mode="follow", follow={"awaiting": "receipt"})
            self.say("ask_receipt", [self.b("menu")])
            return
        label = (view.get("status_label") or TIPSTER_STATUSES.get(view.get("status"), {})).get(lang) or ""
        agency = view.get("agency") or {}
        self.say("status", reference=view["reference"], status=label,
                 agency=agency.get(f"name_{lang}") or agency.get("name_th") or t("agency_pending", lang))
        open_questions = []
        english = {q.get("question_id"): q.get("text_en") for q in view.get("questions") or []}
        thread = view.get("messages")
        if thread is None:  # a status view without the thread: the questions alone
            thread = [{"from": "office", "kind": "question", "text": q.get("text"), "at": q.get("asked_at"),
                       "question_id": q.get("question_id"), "answered": q.get("answered")}
                      for q in view.get("questions") or []]
        office = [item for item in thread if item.get("from") == "office"]
        for item in office[-OFFICE_ITEMS_SHOWN:]:
            if item.get("kind") == "question":
                words = english.get(item.get("question_id")) if lang == "en" else None
                self.say("question", at=_short_time(item.get("at"), lang), text=words or item.get("text") or "")
            else:
                self.say("office_message", at=_short_time(item.get("at"), lang), text=item.get("text") or "")
        open_questions = [item for item in office if item.get("kind") == "question" and not item.get("answered")]
        follow["question"] = open_questions[-1]["question_id"] if open_questions else None
        quick = []
        if open_questions:
            quick.append(self.b("answer"))
        quick += [self.b("more"), self.b("status"), self.b("forget"), self.b("menu")]
        self.replies[-1].quick = quick

    def _send_message(self, incoming: Incoming, follow: dict) -> None:
        files = []
        text = ""
        if incoming.kind == "file":
            try:
                files = [self.ports.fetch_file(incoming.message_id, incoming.file_name, already=[],
                                               kind=incoming.file_kind, size=incoming.file_size)]
            except PortError as exc:
                reason = FILE_REASONS.get(exc.key)
                self.say("file_refused", reason=reason[self.lang]) if reason else self.say("file_lost")
                self._follow_prompt()
                return
        else:
            text = _clean_text(incoming.text, multiline=True).strip()
            if not text:
                self._follow_prompt()
                return
        in_reply_to = follow.get("question") if follow.get("awaiting") == "answer" else None
        try:
            self.ports.add_message(follow["tip"], text[:10_000], in_reply_to, files)
        except PortError as exc:
            self.say("message_failed", reason=exc.detail or exc.key)
            self._follow_prompt()
            return
        if follow.get("awaiting") == "answer" and text:
            follow["awaiting"] = "more"
            follow["question"] = None
        self.say("message_sent", [self.b("done", data="more=done"), self.b("status"), self.b("menu")])


# -- small helpers ------------------------------------------------------------------------------------------------
def _empty_draft() -> dict:
    return {"category": None, "description": None, "location": None, "accused": None, "event_date": None,
            "files": [], "notify_line": False}


def _command_skip(incoming: Incoming) -> bool:
    if incoming.kind == "postback" and incoming.data == "cmd=skip":
        return True
    return incoming.kind == "text" and incoming.text.strip().lower() in ("ข้าม", "skip", "ไม่ทราบ", "-")


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _clean_text(text: str, multiline: bool = False) -> str:
    text = (text or "").encode("utf-8", "replace").decode("utf-8")  # a lone surrogate cannot be stored
    return (_CONTROL if multiline else _LINE_CONTROL).sub(" " if not multiline else "", text)


def _receipt_like(text: str) -> bool:
    digits = re.sub(r"[\s-]", "", text or "")
    return len(digits) == 16 and digits.isdigit() and digits.isascii()


def _group_receipt(receipt: str) -> str:
    return " ".join(receipt[i:i + 4] for i in range(0, len(receipt), 4))


def _parse_date(text: str) -> date | None:
    text = (text or "").strip()
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    if m:
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    else:
        m = re.fullmatch(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})", text)
        if not m:
            return None
        d, mo, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
    if y > 2400:  # Buddhist era, as most Thais write it
        y = from_buddhist_year(y)
    try:
        return date(y, mo, d)
    except ValueError:
        return None


def _thai_date(iso: str, lang: str) -> str:
    value = date.fromisoformat(iso)
    if lang == "th":
        return thai_date(value)
    return value.strftime("%d %b %Y").lstrip("0")


def _short_time(iso: str | None, lang: str) -> str:
    if not iso:
        return ""
    try:
        value = local(datetime.fromisoformat(str(iso).replace("Z", "+00:00")))
    except ValueError:
        return ""
    return f"{_thai_date(value.date().isoformat(), lang)} {value:%H:%M}"


def all_button_labels() -> list[str]:
    """Every fixed button label (for the 20-character check)."""
    out = [v for entry in BUTTONS.values() for v in entry.values()]
    out += [v for entry in CATEGORY_SHORT.values() for v in entry.values()]
    return out
