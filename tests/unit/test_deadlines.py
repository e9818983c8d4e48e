from datetime import datetime, timezone

from services.casework.domain.deadlines import add_months, due_dates


def test_three_calendar_months_clamp_to_month_end():
    assert add_months(datetime(2026, 11, 30, tzinfo=timezone.utc), 3) == datetime(2027, 2, 28, tzinfo=timezone.utc)
    assert add_months(datetime(2027, 11, 30, tzinfo=timezone.utc), 3) == datetime(2028, 2, 29, tzinfo=timezone.utc)


def test_acknowledge_in_seven_days_feedback_in_three_months():
    opened = datetime(2026, 11, 22, 9, 0, tzinfo=timezone.utc)
    ack, feedback = due_dates(opened)
    assert ack == datetime(2026, 11, 29, 9, 0, tzinfo=timezone.utc)
    assert feedback == datetime(2027, 2, 22, 9, 0, tzinfo=timezone.utc)
