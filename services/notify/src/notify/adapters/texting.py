"""SMS and KakaoTalk 알림톡 behind one interface: `send(message) -> Outcome`.

Two providers per channel:

* `file` (the embedded default): one JSON line per message appended to a log file in the
  data folder (`sms.log`, `alimtalk.log`).
* `nhncloud`: NHN Cloud Notification's documented REST APIs, JSON over HTTPS with the
  `X-Secret-Key` header —
  SMS v3.0 `POST {url}/sms/v3.0/appKeys/{appKey}/sender/sms` (LMS: `/sender/mms` with a
  `title`) with `{"body", "sendNo", "recipientList": [{"recipientNo",
  "recipientGroupingKey"}], "senderGroupingKey"}`; 알림톡 v2.3 `POST
  {url}/alimtalk/v2.3/appkeys/{appKey}/messages` with `{"senderKey", "templateCode",
  "recipientList": [{"recipientNo", "templateParameter", "recipientGroupingKey"}]}`.
  Success is HTTP 200 with `header.isSuccessful: true`. Our delivery id goes in the
  grouping keys so a message can be traced (and deduplicated) on the provider's side.
"""

from __future__ import annotations

import fcntl
import json
from dataclasses import dataclass
from pathlib import Path

import requests

from gachi_kit.events import utcnow
from notify.domain.delivery import OK, PERMANENT, RETRY, Outcome
from notify.domain.subscriptions import phone_digits

SMS_MAX_BYTES = 90  # one SMS in EUC-KR bytes; longer text goes as LMS


@dataclass(frozen=True, slots=True)
class TextMessage:
    delivery_id: str
    channel: str  # sms | alimtalk
    to: str
    text: str
    title: str = ""
    template_code: str | None = None
    params: dict | None = None


def sms_bytes(text: str) -> int:
    return len(text.encode("euc-kr", errors="replace"))


class FileProvider:
    def __init__(self, path: Path) -> None:
        self.path = path

    def send(self, message: TextMessage) -> Outcome:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(
            {
                "at": utcnow().isoformat(),
                "delivery_id": message.delivery_id,
                "channel": message.channel,
                "to": message.to,
                "title": message.title,
                "text": message.text,
                "template_code": message.template_code,
            },
            ensure_ascii=False,
        )
        with open(self.path, "a", encoding="utf-8") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)  # workers in several processes share the file
            handle.write(line + "\n")
        return Outcome(OK, None)


class NHNCloudProvider:
    def __init__(
        self,
        *,
        channel: str,
        base_url: str,
        app_key: str,
        secret_key: str,
        sender: str,
        timeout: float = 10.0,
    ) -> None:
        self.channel = channel
        self.base_url = base_url.rstrip("/")
        self.app_key = app_key
        self.secret_key = secret_key
        self.sender = sender  # SMS: the registered sending number; 알림톡: the senderKey
        self.timeout = timeout
        self.http = requests.Session()

    def request_for(self, message: TextMessage) -> tuple[str, dict]:
        recipient = {
            "recipientNo": phone_digits(message.to),
            "recipientGroupingKey": message.delivery_id,
        }
        if self.channel == "alimtalk":
            url = f"{self.base_url}/alimtalk/v2.3/appkeys/{self.app_key}/messages"
            recipient["templateParameter"] = {k: str(v) for k, v in (message.params or {}).items()}
            body = {
                "senderKey": self.sender,
                "templateCode": message.template_code,
                "recipientList": [recipient],
            }
            return url, body
        long = sms_bytes(message.text) > SMS_MAX_BYTES
        url = f"{self.base_url}/sms/v3.0/appKeys/{self.app_key}/sender/{'mms' if long else 'sms'}"
        body = {
            "body": message.text,
            "sendNo": phone_digits(self.sender),
            "senderGroupingKey": message.delivery_id,
            "recipientList": [recipient],
        }
        if long:
            body["title"] = (message.title or "같이 알림")[:20]
        return url, body

    def send(self, message: TextMessage) -> Outcome:
        url, body = self.request_for(message)
        try:
            response = self.http.post(
                url,
                json=body,
                headers={"X-Secret-Key": self.secret_key},
                timeout=(3.0, self.timeout),
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            return Outcome(RETRY, None, f"문자 발송 서버 연결 실패: {exc.__class__.__name__}")
        code = response.status_code
        if code == 429 or code >= 500:
            return Outcome(RETRY, code, f"문자 발송 서버 응답 {code}")
        if code != 200:
            return Outcome(PERMANENT, code, f"문자 발송 요청 거부 {code}")
        try:
            header = response.json()["header"]
        except (ValueError, KeyError, TypeError):
            return Outcome(RETRY, code, "문자 발송 서버의 응답을 해석할 수 없습니다")
        if not header.get("isSuccessful"):
            detail = f"{header.get('resultCode')}: {header.get('resultMessage')}"
            return Outcome(PERMANENT, code, f"문자 발송 실패 {detail}"[:500])
        return Outcome(OK, code)
