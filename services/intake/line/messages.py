"""The conversation's replies as LINE Messaging API messages, within LINE's limits.

- a text message holds at most 5,000 characters: longer texts are cut at a line break or space near the limit;
- a reply or push request carries at most 5 messages: the rest go in further push requests;
- a quick reply holds at most 13 buttons with labels of at most 20 characters; it goes on the last message only
  (LINE shows the quick reply of the last message received).

Messages are built with line-bot-sdk's models (linebot.v3.messaging), so LINE's own schema checks them.
"""
from __future__ import annotations

from linebot.v3.messaging import (CameraAction, CameraRollAction, DatetimePickerAction, LocationAction,
                                  PostbackAction, QuickReply, QuickReplyItem, TextMessage)

from services.intake.line.conversation import Quick, Reply

MAX_TEXT = 5000
MAX_MESSAGES = 5
MAX_QUICK = 13
MAX_LABEL = 20


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    text = text or " "
    parts = []
    while len(text) > limit:
        cut = max(text.rfind("\n", 0, limit), text.rfind(" ", 0, limit))
        if cut < limit // 2:
            cut = limit
        parts.append(text[:cut])
        text = text[cut:].lstrip("\n ") or ""
    if text:
        parts.append(text)
    return parts


def _label(text: str) -> str:
    return text if len(text) <= MAX_LABEL else text[:MAX_LABEL - 1] + "…"


def _action(q: Quick):
    label = _label(q.label)
    if q.action == "location":
        return LocationAction(label=label)
    if q.action == "camera":
        return CameraAction(label=label)
    if q.action == "cameraRoll":
        return CameraRollAction(label=label)
    if q.action == "datetime":
        return DatetimePickerAction(label=label, data=q.data, mode="date", initial=q.initial or None,
                                    max=q.max or None)
    return PostbackAction(label=label, data=q.data[:300], display_text=(q.display or q.label)[:300])


def quick_reply(items: list[Quick]) -> QuickReply | None:
    if not items:
        return None
    if len(items) > MAX_QUICK:  # keep the navigation (last two) and as many choices as fit
        items = items[:MAX_QUICK - 2] + items[-2:]
    return QuickReply(items=[QuickReplyItem(type="action", action=_action(q)) for q in items])


def to_line(replies: list[Reply]) -> list[TextMessage]:
    """LINE text messages for the replies: long texts split, the last reply's quick reply on the last message."""
    messages = []
    quick = None
    for reply in replies:
        for part in split_text(reply.text):
            messages.append(TextMessage(text=part))
        if reply.quick:
            quick = reply.quick
    if messages and quick:
        messages[-1].quick_reply = quick_reply(quick)
    return messages


def batches(messages: list, size: int = MAX_MESSAGES) -> list[list]:
    """Requests of at most `size` messages each, in order (the first answers the reply token)."""
    return [messages[i:i + size] for i in range(0, len(messages), size)]


def as_dicts(messages: list) -> list[dict]:
    return [m.to_dict() for m in messages]
