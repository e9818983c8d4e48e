"""A person filing on the web form never sees raw JSON: an internal error is a Thai/English page that keeps what
they typed and says plainly that nothing was stored."""
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from services.intake.domain import attachments
from services.intake.web import pages


class BrokenApp:
    limits = attachments.limits({"intake": {}})

    def file_tip(self, *args, **kwargs):
        raise TypeError("descriptor 'isoformat' for 'datetime.date' objects doesn't apply to a 'str' object")


def _post(path, data):
    return Request(EnvironBuilder(path=path, method="POST", data=data).get_environ())


def test_an_internal_error_on_the_report_form_is_a_human_page_that_keeps_the_input():
    form = {"lang": "th", "category": "bribery", "description": "เจ้าหน้าที่เรียกรับเงินห้าพันบาท",
            "event_date": "2026-08-01", "location.province_code": "23", "accused.official_type": "state_official"}
    response = pages.report_post(BrokenApp(), _post("/report", form), 65536)
    html = response.get_data(as_text=True)
    assert response.status_code == 500
    assert response.mimetype == "text/html"
    assert not html.lstrip().startswith("{") and '"error"' not in html
    assert "ยังไม่ได้ถูกบันทึก" in html and "was not stored" in html
    assert html.index("ยังไม่ได้ถูกบันทึก") < html.index("was not stored")  # Thai first
    assert "ไม่สูญหาย" not in html
    assert "เจ้าหน้าที่เรียกรับเงินห้าพันบาท" in html and 'value="2026-08-01"' in html


def test_an_internal_error_when_answering_is_a_human_page():
    class Broken(BrokenApp):
        class guard:
            @staticmethod
            def check(client):
                return None

        def add_message(self, *args, **kwargs):
            raise RuntimeError("database went away")

    response = pages.message_post(Broken(), _post("/status/message", {"receipt": "1" * 16, "text": "คำตอบ"}),
                                  None, 65536)
    html = response.get_data(as_text=True)
    assert response.status_code == 500 and response.mimetype == "text/html"
    assert "ยังไม่ถูกส่ง" in html and "was not sent" in html
