"""SSRF rules for webhook URLs, with an injected resolver (names → addresses)."""

from __future__ import annotations

import pytest

from notify.domain.egress import UnsafeURL, check_url, refusal

DNS = {
    "hooks.example.kr": ["211.45.27.10"],
    "intranet.example.kr": ["10.1.2.3"],
    "mixed.example.kr": ["211.45.27.11", "192.168.10.4"],  # one private answer is enough
    "rebind.example.kr": ["169.254.169.254"],
    "v6.example.kr": ["2001:db8::1"],
    "ula.example.kr": ["fd12:3456::1"],
    "public6.example.kr": ["2606:4700::1111"],
    "localhost": ["127.0.0.1", "::1"],
}


def resolve(host, _port):
    if host not in DNS:
        raise OSError("no such host")
    return DNS[host]


def check(url, allow_loopback=False):
    return check_url(url, allow_loopback=allow_loopback, resolve=resolve)


def test_a_public_https_url_passes_with_its_resolved_addresses():
    target = check("https://hooks.example.kr/gachi?x=1")
    assert (target.scheme, target.host, target.port, target.path) == (
        "https",
        "hooks.example.kr",
        443,
        "/gachi?x=1",
    )
    assert target.addresses == ("211.45.27.10",)


@pytest.mark.parametrize(
    "url",
    [
        "https://intranet.example.kr/",
        "https://mixed.example.kr/",
        "https://rebind.example.kr/",
        "https://ula.example.kr/",
        "https://localhost/",
        "https://unknown.example.kr/",
        "https://169.254.169.254/",
        "https://[fd00:ec2::254]/",
        "https://[::ffff:10.0.0.1]/",
        "https://[2002:a00:1::]/",  # 6to4 wrapping 10.0.0.1
        "https://[64:ff9b::7f00:1]/",  # NAT64 wrapping 127.0.0.1
        "https://3232235521/",  # 192.168.0.1 as a number
        "https://0xc0a80001/",
        "https://0300.0250.0.1/",
        "https://192.168.1/",
        "gopher://hooks.example.kr/",
        "https://a:b@hooks.example.kr/",
        "https://hooks.example.kr/#frag",
        "http://hooks.example.kr/",
        "https://hooks.example.kr:99999/",
        "https://" + "a" * 500 + ".kr/",
    ],
)
def test_refused(url):
    with pytest.raises(UnsafeURL):
        check(url)


def test_loopback_only_with_the_setting_and_then_http_is_fine():
    with pytest.raises(UnsafeURL):
        check("http://127.0.0.1:8080/hook")
    target = check("http://127.0.0.1:8080/hook", allow_loopback=True)
    assert target.addresses == ("127.0.0.1",)
    assert check("http://localhost:9/x", allow_loopback=True).port == 9
    with pytest.raises(UnsafeURL):  # the setting allows loopback, not the private ranges
        check("https://intranet.example.kr/", allow_loopback=True)


@pytest.mark.parametrize(
    ("address", "refused"),
    [
        ("8.8.8.8", False),
        ("2606:4700::1111", False),
        ("127.0.0.1", True),
        ("::1", True),
        ("10.0.0.1", True),
        ("172.31.255.255", True),
        ("192.168.0.1", True),
        ("169.254.169.254", True),
        ("fe80::1", True),
        ("fc00::1", True),
        ("100.64.0.1", True),
        ("224.0.0.1", True),
        ("0.0.0.0", True),
        ("2001:db8::1", True),  # documentation range: not global
    ],
)
def test_address_rules(address, refused):
    assert bool(refusal(address, allow_loopback=False)) is refused
