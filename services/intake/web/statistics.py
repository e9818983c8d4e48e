"""The public statistics page (`/statistics`, Thai with `?lang=en`) and its data as JSON and CSV: counts with
small ones suppressed (usecases/statistics.py), no sign-in, no JavaScript."""
from __future__ import annotations

from werkzeug.wrappers import Response

from services.intake.usecases import statistics
from services.intake.web import pages
from shared import i18n
from shared.web import SECURITY_HEADERS, json_response

T = {
    "stats_title": {"th": "สถิติการแจ้งเบาะแส", "en": "Reporting statistics"},
    "stats_intro": {"th": "จำนวนเรื่องที่ได้รับ แยกตามจังหวัด ประเภท และเดือนที่แจ้ง และเวลาที่หน่วยงานใช้ตอบรับและยุติเรื่อง "
                          "(นับจากวันที่แจ้ง) เพื่อไม่ให้ระบุตัวผู้แจ้งได้ จำนวนที่น้อยกว่า {k} จะแสดงเป็น \"น้อยกว่า {k}\" "
                          "และยอดรวมที่อาจทำให้คำนวณย้อนกลับได้จะแสดงเป็นค่าต่ำสุด (≥)",
                    "en": "Reports received by province, category and month filed, and how long offices take to "
                          "acknowledge and to close them (counted from filing). So that no one who reported can be "
                          "singled out, counts below {k} are shown as \"fewer than {k}\", and a total that would let "
                          "one work them out is shown as a minimum (≥)."},
    "stats_total": {"th": "เรื่องทั้งหมด", "en": "All reports"},
    "stats_ack": {"th": "มัธยฐานวันจนหน่วยงานตอบรับ", "en": "Median days to acknowledge"},
    "stats_close": {"th": "มัธยฐานวันจนยุติเรื่อง", "en": "Median days to close"},
    "stats_count": {"th": "จำนวนเรื่อง", "en": "Reports"},
    "stats_ack_short": {"th": "วันจนตอบรับ", "en": "Days to ack."},
    "stats_close_short": {"th": "วันจนยุติ", "en": "Days to close"},
    "stats_by_province": {"th": "ตามจังหวัด", "en": "By province"},
    "stats_by_category": {"th": "ตามประเภทเรื่อง", "en": "By category"},
    "stats_by_month": {"th": "ตามเดือนที่แจ้ง", "en": "By month filed"},
    "stats_small": {"th": "น้อยกว่า {k}", "en": "fewer than {k}"},
    "stats_not_shown": {"th": "ไม่แสดง (น้อยกว่า {k} เรื่อง)", "en": "not shown (fewer than {k} reports)"},
    "stats_download": {"th": "ดาวน์โหลดข้อมูล", "en": "Download the data"},
    "stats_generated": {"th": "ข้อมูล ณ", "en": "As of"},
    "stats_link": {"th": "สถิติ", "en": "Statistics"},
}
i18n.register("intake.statistics", T, lookup=False)


def _shown(value, lang: str, k: int) -> str:
    """A count as a reader sees it: "<5" in words, "≥12" as is, a number with separators."""
    if isinstance(value, int):
        return f"{value:,}"
    if value == f"<{k}":
        return T["stats_small"][lang].format(k=k)
    return str(value)


def page(app, request) -> Response:
    lang = pages.lang_of(request)
    stats = app.public_statistics()
    k = stats["k"]

    def t(key, **kw):
        return (T[key][lang] if key in T else pages.T[key][lang]).format(**kw) if kw else (
            T[key][lang] if key in T else pages.T[key][lang])

    def days(value):
        return T["stats_not_shown"][lang].format(k=k) if value is None else f"{value:,.1f}"
    html = pages._env.get_template("statistics.html").render(
        lang=lang, other="en" if lang == "th" else "th", t=t, stats=stats, shown=lambda v: _shown(v, lang, k),
        days=days, when=pages._when(stats["generated_at"], lang))
    return Response(html, mimetype="text/html", headers=pages.HEADERS)


def as_json(app, request) -> Response:
    return json_response(200, app.public_statistics(), {"Cache-Control": "public, max-age=300"})


def as_csv(app, request) -> Response:
    headers = dict(SECURITY_HEADERS)
    headers["Content-Disposition"] = 'attachment; filename="sodsong-public-statistics.csv"'
    headers["Cache-Control"] = "public, max-age=300"
    return Response(statistics.to_csv(app.public_statistics()), headers=headers,
                    content_type="text/csv; charset=utf-8")
