"""The nameko side of the LINE bot: the webhook entrypoint's body and the loop that answers stored events."""
from __future__ import annotations

from services.intake.line.bot import BadSignature, LineBot, settings_of
from shared.logging import get_logger
from shared.notifications.sender_loop import SenderLoop
from shared.web import ApiError, json_response, read_body

log = get_logger(__name__)

HOUSEKEEPING_SECONDS = 300.0


class LineProcessor(SenderLoop):
    """Answers stored LINE events (an instance job on every intake instance); its housekeeping (idle drafts) is
    a cluster job of intake's service."""

    identifier = "line"

    def setup(self):
        super().setup()
        self.config = self.container.config["SODSONG"]
        self.settings = settings_of(self.config)
        self.poll_seconds = float(self.settings["poll_seconds"])
        self.bot = None

    def start(self):
        if self.settings["enabled"]:
            super().start()

    def ready_bot(self) -> LineBot | None:
        if not self.settings["enabled"]:
            return None
        if self.bot is None:
            intake = next(dep for dep in self.container.dependencies if dep.attr_name == "intake")  # the app's holder
            if intake.app is None:
                return None
            self.bot = LineBot(intake.app, self.config)
        return self.bot

    def tick(self):
        bot = self.ready_bot()
        if bot is None:
            return
        for _ in range(50):  # a chat's next event becomes due once its previous one is answered
            counts = bot.process_due()
            if not counts:
                break
            log.info("line.events_answered", **counts)  # counts only

    @staticmethod
    def housekeeping_every(config: dict) -> float:
        return HOUSEKEEPING_SECONDS if settings_of(config)["enabled"] else 0.0

    def housekeeping(self) -> None:
        bot = self.ready_bot()
        if bot is None:
            return
        done = bot.housekeeping()
        if done.get("drafts_expired"):
            log.info("line.drafts_expired", count=done["drafts_expired"])


def line_webhook(processor: LineProcessor, request, max_body: int):
    bot = processor.ready_bot()
    if bot is None:
        raise ApiError(404, "line.not_configured")
    body = read_body(request, max_body, cache=False)
    try:
        stored = bot.accept(body, request.headers.get("X-Line-Signature"))
    except BadSignature:
        raise ApiError(401, "line.bad_signature")
    if stored:
        processor.wakeup.set()
    return json_response(200, {})
