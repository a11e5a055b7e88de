"""The kit's SVG charts: Korean amounts, the figures in the description, escaped text, and
well-formed SVG a page and an export can both embed."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from gachi_kit.charts import Bar, Series, bar_chart, line_chart, short_won

SVG = "{http://www.w3.org/2000/svg}"


@pytest.mark.parametrize(
    ("amount", "said"),
    [
        (0, "0원"),
        (5_000, "5,000원"),
        (12_340_000, "1,234만원"),
        (99_999_999, "9,999만원"),
        (100_000_000, "1억원"),
        (150_000_000, "1.5억원"),
        (4_320_000_000, "43.2억원"),
        (81_000_000_000, "810억원"),
        (-30_000, "-3만원"),
        (None, "-"),
    ],
)
def test_amounts_as_people_say_them(amount, said):
    assert short_won(amount) == said


def parsed(svg: str) -> ET.Element:
    root = ET.fromstring(svg)  # well-formed, or this raises
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    return root


def test_the_line_chart_names_itself_and_says_its_figures():
    months = [f"{m}월" for m in range(1, 13)]
    achieved = [1_000_000 * m for m in range(1, 7)] + [None] * 6
    target = [round(120_000_000 * m / 12) for m in range(1, 13)]
    svg = line_chart(
        "cumulative",
        "월별 누적 실적과 목표",
        months,
        [Series("실적 누계", achieved), Series("목표 직선", target, colour="#b32a18", dashed=True)],
    )
    root = parsed(svg)
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title.text == "월별 누적 실적과 목표"
    assert root.get("aria-labelledby") == "cumulative-title cumulative-desc"
    assert "실적 누계: 1월 100만원" in desc.text and "6월 600만원" in desc.text
    assert "7월" not in desc.text.split(";")[0]  # the months to come are a gap, not zero
    lines = root.findall(f"{SVG}polyline")
    assert len(lines) == 2
    assert len(lines[0].get("points").split()) == 6 and len(lines[1].get("points").split()) == 12
    assert lines[1].get("stroke-dasharray")
    assert "1.2억원" in svg  # the axis' top, rounded up


def test_the_bar_chart_marks_targets_and_scales_to_the_largest():
    svg = bar_chart(
        "categories",
        "범주별 실적",
        [Bar("사회적기업제품", 30_000_000, target=60_000_000), Bar("자활기업생산품", 0)],
    )
    root = parsed(svg)
    rects = [r for r in root.findall(f"{SVG}rect") if r.get("height") != "10"]
    targets = [ln for ln in root.findall(f"{SVG}line") if ln.get("stroke") == "#b32a18"]
    assert len(targets) == 2  # the category's mark and the legend's
    start, target_x = float(rects[0].get("x")), float(targets[0].get("x1"))
    # the target (the largest figure) ends the scale; half of it is half as long
    assert float(rects[0].get("width")) == pytest.approx((target_x - start) / 2, abs=0.1)
    assert float(rects[1].get("width")) == 0
    assert "사회적기업제품 3,000만원 (목표 6,000만원)" in root.find(f"{SVG}desc").text


def test_bars_without_targets_have_no_target_in_the_legend():
    svg = bar_chart("departments", "부서별 구매실적", [Bar("총무과", 1_440_000), Bar("회계과", 0)])
    assert "목표" not in svg and "총무과 144만원; 회계과 0원" in svg


def test_counts_are_said_as_counts_without_a_legend():
    svg = bar_chart(
        "c",
        "상태별 <등록>",
        [Bar("승인", 8), Bar("반려", 2), Bar("정지", 0)],
        width=380,
        label_width=110,
        say=lambda n: f"{n:,}건",
        legend=None,
    )
    root = parsed(svg)
    widths = [float(r.get("width")) for r in root.findall(f"{SVG}rect")]
    assert widths == [180, 45, 0]  # three bars, no legend swatch; 8 fills the bar area
    assert root.find(f"{SVG}title").text == "상태별 <등록>"
    assert root.find(f"{SVG}desc").text == "승인 8건; 반려 2건; 정지 0건"
    assert "실적" not in svg and "원" not in svg
    assert root.get("viewBox") == "0 0 380 110"  # three rows, no room kept for a legend


def test_every_text_is_escaped():
    hostile = '<script>alert("x")</script> & 부서'
    svg = bar_chart('x" onload="evil', hostile, [Bar(hostile, 10)])
    root = parsed(svg)
    assert "<script>" not in svg and 'onload="evil' not in svg
    assert root.find(f"{SVG}title").text == hostile
    assert not root.findall(f".//{SVG}script")


def test_empty_figures_still_draw_a_chart():
    assert parsed(bar_chart("none", "범주별 실적", []))
    assert parsed(line_chart("none", "누적", ["1월"], [Series("실적", [None])]))
