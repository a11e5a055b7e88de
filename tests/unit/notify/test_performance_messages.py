"""orders' 우선구매 events reach the institution, in Korean, with amounts in 원."""

from notify.adapters.templates import render_message
from notify.domain.recipients import recipients

BEHIND = {
    "institution_id": "inst-jeonju",
    "institution_name": "전주시청",
    "fiscal_year": 2026,
    "category": "jeonju_social_economy",
    "department": None,
    "target": 8_100_000_000,
    "achieved": 4_300_000_000,
    "expected_to_date": 5_400_000_000,
    "behind_percent": 13.58,
    "margin_percent": 10,
}


def test_behind_pace_goes_to_the_institution_with_its_figures():
    [recipient] = recipients("performance.behind_pace", BEHIND)
    assert (recipient.recipient_type, recipient.recipient_id) == ("institution", "inst-jeonju")
    message = render_message("inbox", "performance.behind_pace", BEHIND)
    assert "13.58% 뒤처져" in message.title
    assert "8,100,000,000원" in message.body and "4,300,000,000원" in message.body


def test_the_package_reminder_names_the_receiving_body_and_the_due_date():
    data = {
        "institution_id": "inst-jeonju",
        "institution_name": "전주시청",
        "category": "social_enterprise_products",
        "category_name": "사회적기업제품",
        "receiving_body": "고용노동부장관",
        "due_on": "2027-02-28",
        "results_year": 2026,
    }
    [recipient] = recipients("performance.package_due", data)
    assert recipient.recipient_type == "institution"
    message = render_message("sms", "performance.package_due", data)
    assert "2027-02-28" in message.body and "고용노동부장관" in message.body
