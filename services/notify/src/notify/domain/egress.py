"""Where notify may send a webhook: the SSRF rules as plain code (resolution is injected).

Refused: anything but http(s); user info in the URL; numeric hosts written in any form but
canonical dotted-quad or bracketed IPv6 (decimal `2130706433`, hex `0x7f000001`, octal,
short `127.1`); and every address that is not globally routable: loopback, private (10/8,
172.16/12, 192.168/16), shared (100.64/10), link-local and cloud metadata (169.254/16,
fe80::/10, fd00:ec2::254), unique-local fc00::/7, multicast, reserved, unspecified, and
IPv4 hidden inside IPv6 (mapped, 6to4, Teredo, NAT64). A name must resolve, and every
address it resolves to must pass. Plain http is allowed only to loopback, and loopback only
when the allow-loopback setting is on (local development and tests).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from gachi_kit.domain_errors import DomainError

MAX_URL = 500
_NUMERIC_LOOKING = re.compile(r"^(0x[0-9a-f]+|[0-9]+)(\.(0x[0-9a-f]+|[0-9]+))*\.?$", re.I)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class UnsafeURL(DomainError):
    def __init__(self, code: str, detail: str) -> None:
        super().__init__(detail)
        self.code = code
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Target:
    scheme: str
    host: str  # as written (the Host header and TLS name)
    port: int
    path: str  # path and query
    addresses: tuple[str, ...]  # resolved, all checked


Resolver = Callable[[str, int], Iterable[str]]


def check_url(url: str, *, allow_loopback: bool, resolve: Resolver) -> Target:
    if not isinstance(url, str) or len(url) > MAX_URL:
        raise UnsafeURL("webhook_url_invalid", f"URL은 {MAX_URL}자 이하여야 합니다.")
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise UnsafeURL("webhook_url_invalid", "URL 형식이 올바르지 않습니다.") from exc
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise UnsafeURL("webhook_url_scheme", "웹훅 주소는 https:// 로 시작해야 합니다.")
    if parts.username is not None or parts.password is not None:
        raise UnsafeURL("webhook_url_invalid", "URL에 사용자 정보(user:pass@)를 넣을 수 없습니다.")
    host = (parts.hostname or "").lower()
    if not host:
        raise UnsafeURL("webhook_url_invalid", "URL에 호스트가 없습니다.")
    if parts.fragment:
        raise UnsafeURL("webhook_url_invalid", "URL에 #조각을 넣을 수 없습니다.")
    literal = _literal_ip(host)
    if literal is None and _NUMERIC_LOOKING.match(host):
        raise UnsafeURL(
            "webhook_url_forbidden",
            "숫자로 쓴 IP 주소는 표준 표기(예: 211.45.27.10)만 쓸 수 있습니다.",
        )
    port = port or (443 if scheme == "https" else 80)
    if literal is not None:
        addresses = [str(literal)]
    else:
        try:
            addresses = sorted(set(resolve(host, port)))
        except OSError as exc:
            raise UnsafeURL(
                "webhook_url_unresolvable", f"호스트 이름 {host}을(를) 찾을 수 없습니다."
            ) from exc
        if not addresses:
            raise UnsafeURL(
                "webhook_url_unresolvable", f"호스트 이름 {host}을(를) 찾을 수 없습니다."
            )
    loopback_only = True
    for address in addresses:
        reason = refusal(address, allow_loopback=allow_loopback)
        if reason:
            raise UnsafeURL("webhook_url_forbidden", reason)
        loopback_only = loopback_only and ipaddress.ip_address(address).is_loopback
    if scheme == "http" and not loopback_only:
        raise UnsafeURL("webhook_url_scheme", "웹훅 주소는 https:// 로 시작해야 합니다.")
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(scheme, host, port, path, tuple(addresses))


def refusal(address: str, *, allow_loopback: bool) -> str | None:
    """Why a resolved address may not be contacted, or None."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return f"주소 {address}을(를) 해석할 수 없습니다."
    for inner in _embedded_ipv4(ip):
        reason = refusal(str(inner), allow_loopback=allow_loopback)
        if reason:
            return reason
    if ip.is_loopback:
        return None if allow_loopback else "루프백 주소(127.0.0.1, ::1)로는 보낼 수 없습니다."
    if ip.is_link_local:
        return "링크 로컬·메타데이터 주소(169.254.0.0/16, fe80::/10)로는 보낼 수 없습니다."
    if ip.version == 6 and ip in ipaddress.ip_network("fc00::/7"):
        return "IPv6 사설 주소(fc00::/7)로는 보낼 수 없습니다."
    if ip.is_private or ip.is_unspecified or ip.is_reserved or ip.is_multicast:
        return f"사설·예약 주소({ip})로는 보낼 수 없습니다."
    if not ip.is_global:
        return f"공인 주소가 아닌 곳({ip})으로는 보낼 수 없습니다."
    return None


def _literal_ip(host: str):
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def _embedded_ipv4(ip) -> list:
    if ip.version != 6:
        return []
    found = []
    if ip.ipv4_mapped:
        found.append(ip.ipv4_mapped)
    if ip.sixtofour:
        found.append(ip.sixtofour)
    if ip.teredo:
        found.append(ip.teredo[1])
    if ip in _NAT64:
        found.append(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    return found
