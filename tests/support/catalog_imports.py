"""CSV imports in catalog tests: the enterprise file Korean Excel saves, and posting a file."""

from __future__ import annotations

import io

from gachi_kit.brn import make_brn

ENTERPRISE_HEADER = [
    "상호",
    "기업유형",
    "사업자등록번호",
    "대표자",
    "시군구코드",
    "주소",
    "전화번호",
    "이메일",
    "담당자",
    "인증구분",
    "인증번호",
    "인증기관",
    "인증시작일",
    "인증종료일",
    "비고",
]
BRN = [make_brn(f"{510 + i:03d}86{i:04d}") for i in range(4)]


def enterprise_rows():
    return [
        ENTERPRISE_HEADER,
        [
            "광명두부마을 협동조합",
            "협동조합",
            BRN[0][:3] + "-" + BRN[0][3:5] + "-" + BRN[0][5:],
            "김순자",
            "41210",
            "경기도 광명시 오리로 613",
            "02-2680-2114",
            "tofu@example.kr",
            "이담당",
            "협동조합 설립신고",
            "2019-광명-7",
            "광명시",
            "2019-03-01",
            "2029-02-28",
            "",
        ],
        [
            "완주 김치 마을기업",
            "마을기업",
            BRN[1],
            "박영희",
            "52710",
            "",
            "063-290-1234",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "메모는 무시",
        ],
        [
            "전주 자활 수제비누 사업단",
            "self_reliance_work_group",
            BRN[2],
            "최민수",
            "52111",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
            "",
        ],
    ]


def post_csv(client, url, data: bytes, headers, *, multipart=True, **query):
    qs = "&".join(f"{k}={v}" for k, v in query.items())
    if multipart:
        return client.post(
            f"{url}?{qs}",
            data={"file": (io.BytesIO(data), "기업목록.csv")},
            headers=headers,
            content_type="multipart/form-data",
        )
    return client.post(f"{url}?{qs}", data=data, headers={**headers, "Content-Type": "text/csv"})
