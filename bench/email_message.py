"""CPU per e-mail written: notify's `build_message` and its wire policy, beside the
standard library's own ways of writing the same message, in one process and one run.

Each row builds N Korean supplier-order e-mails (a 40-character subject, a text part of
30 lines and an HTML part of 40) and writes them to bytes, as the file mailer and smtplib
do:

  a. notify: `build_message(...).as_bytes()` (WIRE_POLICY);
  b. the same message written by plain compat32 (`as_bytes(policy=compat32)`);
  c. `EmailMessage` with `email.policy.SMTP`, `set_content` and `add_alternative`: the
     modern API a new project would reach for (the baseline).

    .venv/bin/python bench/email_message.py [--count 2000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import time
from email import policy
from email.message import EmailMessage

from notify.adapters.email import build_message

SUBJECT = "[같이] 새 공급 주문: 광명시청 총무과 두부과자 200g 외 19건 · 1,052,064원"
TEXT = "광명시청 총무과에서 주문했습니다. 납품일: 2026-12-15 (화)\n" * 30
HTML = "<p>광명시청 총무과에서 주문했습니다. 납품일: 2026-12-15 (화)</p>\n" * 40
SENDER = "같이 알림 <no-reply@gachi.kr>"


def notify_message(i: int):
    return build_message(
        delivery_id=f"01JBENCHMAIL000000000{i:06d}",
        sender=SENDER,
        to="tofu@example.kr",
        subject=SUBJECT,
        text=TEXT,
        html=HTML,
    )


def modern_message(i: int) -> bytes:
    message = EmailMessage(policy=policy.SMTP)
    message["From"] = SENDER
    message["To"] = "tofu@example.kr"
    message["Subject"] = SUBJECT
    message["Message-ID"] = f"<01JBENCHMAIL000000000{i:06d}@gachi.kr>"
    message.set_content(TEXT, cte="base64")
    message.add_alternative(HTML, subtype="html", cte="base64")
    return message.as_bytes()


WAYS = {
    "a. notify build_message + as_bytes": lambda i: notify_message(i).as_bytes(),
    "b. same message, compat32 writes it": lambda i: notify_message(i).as_bytes(
        policy=policy.compat32
    ),
    "c. EmailMessage, policy.SMTP": modern_message,
}


def cpu_us(way, count: int) -> float:
    start = time.process_time()
    for i in range(count):
        way(i)
    return (time.process_time() - start) / count * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000, help="e-mails per measurement")
    parser.add_argument("--rounds", type=int, default=3, help="alternated rounds")
    args = parser.parse_args()
    assert notify_message(0).as_bytes() == notify_message(0).as_bytes(policy=policy.compat32)
    results: dict[str, list[float]] = {name: [] for name in WAYS}
    for _ in range(args.rounds):
        for name, way in WAYS.items():
            results[name].append(cpu_us(way, args.count))
    baseline = min(results["c. EmailMessage, policy.SMTP"])
    print(f"{args.count} e-mails x {args.rounds} rounds; CPU microseconds per e-mail (best)")
    for name, figures in results.items():
        best = min(figures)
        rounds = ", ".join(f"{f:.0f}" for f in figures)
        print(f"{name:40s} {best:7.0f}   {best / baseline:5.2f} x baseline   ({rounds})")


if __name__ == "__main__":
    main()
