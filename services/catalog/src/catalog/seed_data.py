"""The demo data's constants: brands, committees, product groups, what enterprises make,
the fixed enterprises the README names, regions, and the words names are made from.

Data, read by `catalog.seed` (which builds rows from it with a fixed-seed PRNG) and by the
search benchmark."""

from __future__ import annotations

from dataclasses import dataclass

from catalog.domain.enterprise import ENTERPRISE_TYPES

# -- brands and product groups ---------------------------------------------------------------

BRANDS = [
    {
        "code": "BITSONE",
        "name": "비츠원",
        "sido_code": "41",
        "sigungu_code": "41210",
        "description": "광명시 사회적경제기업 공동브랜드. 광명에서 만들고 광명이 보증합니다.",
        "listing_validity_months": 24,
        "routing_policy": "local_first",
        "acceptance_hours": 24,
        "price_tolerance_percent": 10,
        "criteria": [
            {"code": "locality", "name": "지역성", "description": "광명시 소재·생산", "weight": 30},
            {
                "code": "social_value",
                "name": "사회적 가치",
                "description": "고용·환원",
                "weight": 30,
            },
            {"code": "quality", "name": "품질", "description": "위생·인증·반품률", "weight": 25},
            {"code": "price", "name": "가격 적정성", "description": "시중가 대비", "weight": 15},
        ],
    },
    {
        "code": "SOCIAL-GOODS",
        "name": "소셜굿즈",
        "sido_code": "52",
        "sigungu_code": "52710",
        "description": "완주군 사회적경제 공동브랜드. 로컬푸드와 마을기업 상품을 모았습니다.",
        "listing_validity_months": 12,
        "routing_policy": "fair_share",
        "acceptance_hours": 48,
        "price_tolerance_percent": 15,
        "criteria": [
            {
                "code": "local_food",
                "name": "로컬푸드",
                "description": "완주산 원재료",
                "weight": 40,
            },
            {"code": "community", "name": "공동체", "description": "마을 참여", "weight": 35},
            {"code": "quality", "name": "품질", "description": "위생·포장", "weight": 25},
        ],
    },
    {
        "code": "JB-JAHWAL",
        "name": "자활생산품",
        "sido_code": "52",
        "sigungu_code": None,
        "description": "전북특별자치도 자활기업·자활근로사업단 생산품 공동브랜드.",
        "listing_validity_months": 24,
        "routing_policy": "lowest_price",
        "acceptance_hours": 24,
        "price_tolerance_percent": 10,
        "criteria": [
            {
                "code": "self_reliance",
                "name": "자활 참여",
                "description": "참여자 비율",
                "weight": 50,
            },
            {"code": "quality", "name": "품질", "description": "위생·납기", "weight": 50},
        ],
    },
]

# The 비츠원 committee, so the review workflow can be tried at once
# (`gachi token --role committee --org BITSONE --sub committee-bitsone-chair`).
COMMITTEE = [
    ("BITSONE", "committee-bitsone-chair", "김광명", True),
    ("BITSONE", "committee-bitsone-2", "이하안", False),
    ("BITSONE", "committee-bitsone-3", "박소하", False),
]

GROUPS = [
    ("KIMCHI-POGI-10KG", "포기김치 10kg", "박스", "국산 배추 포기김치 10kg 한 박스"),
    ("TOFU-SNACK-200G", "두부과자 200g", "봉", "국산콩 두부과자 200g 한 봉"),
    ("WALNUT-COOKIE-20", "호두과자 20개입", "상자", "호두과자 20개 한 상자"),
    ("A4-PAPER-500", "A4 복사용지 500매", "권", "A4 80g 복사용지 500매 한 권"),
    ("RICE-ORGANIC-10KG", "유기농 쌀 10kg", "포대", "유기농 인증 백미 10kg"),
    ("LUNCHBOX-MEETING", "회의용 도시락", "개", "회의·행사용 1인 도시락"),
    ("DISINFECT-OFFICE", "사무실 정기 방역 (월 1회)", "회", "사무실 소독·방역 월 1회"),
    ("SOAP-HANDMADE-100G", "수제 비누 100g", "개", "천연 수제 비누 100g 한 개"),
]

# -- what enterprises make ------------------------------------------------------------------
# theme: (category, word in enterprise names, items); the first item is always made and is
# the one that belongs to a product group (when it names one).
# item: (sku, name, unit, base price in KRW, tax type, group code, tags)


@dataclass(frozen=True)
class Theme:
    category: str
    word: str
    items: list[tuple]


THEMES: dict[str, Theme] = {
    "tofu": Theme(
        "food",
        "두부",
        [
            (
                "TOFU-SNACK-200",
                "국산콩 두부과자 200g",
                "봉",
                3500,
                "taxable",
                "TOFU-SNACK-200G",
                ["간식", "국산콩"],
            ),
            ("TOFU-1KG", "손두부 1kg", "모", 6000, "exempt", None, ["국산콩"]),
            ("TOFU-SOFT-500", "순두부 500g", "봉", 2800, "exempt", None, ["국산콩"]),
            (
                "TOFU-SNACK-GIFT",
                "두부과자 선물세트 (6봉)",
                "세트",
                19000,
                "taxable",
                None,
                ["선물", "간식"],
            ),
            ("SOY-MILK-190", "국산콩 두유 190ml 24팩", "박스", 21000, "taxable", None, ["국산콩"]),
        ],
    ),
    "walnut": Theme(
        "food",
        "호두과자",
        [
            (
                "WALNUT-20",
                "호두과자 20개입",
                "상자",
                12000,
                "taxable",
                "WALNUT-COOKIE-20",
                ["간식"],
            ),
            ("WALNUT-30", "호두과자 30개입", "상자", 17000, "taxable", None, ["간식"]),
            (
                "WALNUT-WHEAT-GIFT",
                "우리밀 호두과자 선물세트",
                "세트",
                25000,
                "taxable",
                None,
                ["선물"],
            ),
            ("COOKIE-12", "수제 쿠키 12개입", "상자", 14000, "taxable", None, ["간식", "수제"]),
            (
                "BITSONE-COOKIE",
                "비츠원 수제쿠키 틴케이스",
                "개",
                16000,
                "taxable",
                None,
                ["비츠원"],
            ),
        ],
    ),
    "kimchi": Theme(
        "food",
        "김치",
        [
            (
                "KIMCHI-10KG",
                "포기김치 10kg",
                "박스",
                65000,
                "exempt",
                "KIMCHI-POGI-10KG",
                ["국산 배추"],
            ),
            ("KIMCHI-5KG", "포기김치 5kg", "박스", 34000, "exempt", None, ["국산 배추"]),
            ("KIMCHI-STEW-5KG", "김치찌개용 묵은지 5kg", "박스", 38000, "exempt", None, ["묵은지"]),
            ("CHONGGAK-3KG", "총각김치 3kg", "박스", 24000, "exempt", None, []),
            ("KKAKDUGI-3KG", "깍두기 3kg", "박스", 21000, "exempt", None, []),
            ("WHITE-KIMCHI-2KG", "백김치 2kg", "통", 18000, "exempt", None, ["순한맛"]),
        ],
    ),
    "soap": Theme(
        "household",
        "비누공방",
        [
            (
                "SOAP-100",
                "천연 수제 비누 100g",
                "개",
                6000,
                "taxable",
                "SOAP-HANDMADE-100G",
                ["천연"],
            ),
            ("SOAP-HANDMADE", "천연 수제 비누 선물세트", "세트", 15000, "taxable", None, ["선물"]),
            ("SHAMPOO-BAR", "고체 샴푸바 120g", "개", 12000, "taxable", None, ["제로웨이스트"]),
            ("DISH-SOAP", "천연 주방비누 3개입", "세트", 9000, "taxable", None, ["주방"]),
            ("HAND-CREAM", "수제 핸드크림 50ml", "개", 8000, "taxable", None, ["천연"]),
        ],
    ),
    "office": Theme(
        "office",
        "오피스",
        [
            ("A4-500", "A4 복사용지 500매", "권", 5200, "taxable", "A4-PAPER-500", ["80g"]),
            ("A4-2500", "A4 복사용지 2500매 (박스)", "박스", 24500, "taxable", None, ["80g"]),
            ("PEN-12", "중성 볼펜 12자루", "타", 6000, "taxable", None, ["필기구"]),
            ("CLEARFILE-20", "클리어파일 20매", "권", 3500, "taxable", None, ["문구"]),
            ("NOTE-RECYCLED", "재생지 스프링 노트 5권", "세트", 7500, "taxable", None, ["재생지"]),
        ],
    ),
    "cleaning": Theme(
        "cleaning",
        "클린",
        [
            (
                "CLEAN-OFFICE",
                "사무실 정기 방역 서비스 (월 1회)",
                "회",
                120000,
                "taxable",
                "DISINFECT-OFFICE",
                ["방역"],
            ),
            ("CLEAN-PUBLIC", "공공시설 청소 서비스 (1회)", "회", 250000, "taxable", None, ["청소"]),
            ("DISINFECT-BLDG", "건물 소독 방역 (1개 동)", "회", 180000, "taxable", None, ["소독"]),
            ("AIRCON-WASH", "벽걸이 에어컨 분해 세척", "대", 70000, "taxable", None, ["세척"]),
            ("WINDOW-CLEAN", "유리창 청소 서비스 (100㎡)", "회", 150000, "taxable", None, ["청소"]),
        ],
    ),
    "lunch": Theme(
        "catering",
        "도시락",
        [
            (
                "LUNCHBOX",
                "회의용 도시락 (1인)",
                "개",
                9000,
                "taxable",
                "LUNCHBOX-MEETING",
                ["회의"],
            ),
            ("CATERING", "행사 케이터링 (1인)", "인분", 18000, "taxable", None, ["행사"]),
            ("SNACK-PACK", "간식 꾸러미 (떡·음료)", "개", 5000, "taxable", None, ["간식"]),
            ("RICEBALL-SET", "주먹밥 도시락 세트", "개", 6500, "taxable", None, ["간편식"]),
        ],
    ),
    "farm": Theme(
        "agriculture",
        "농부",
        [
            (
                "RICE-10KG",
                "유기농 쌀 10kg",
                "포대",
                42000,
                "exempt",
                "RICE-ORGANIC-10KG",
                ["유기농"],
            ),
            ("RICE-20KG", "친환경 쌀 20kg", "포대", 68000, "exempt", None, ["친환경"]),
            ("LOCALFOOD-BOX", "로컬푸드 제철 꾸러미", "상자", 30000, "exempt", None, ["로컬푸드"]),
            ("SWEETPOTATO-5KG", "꿀 고구마 5kg", "상자", 22000, "exempt", None, ["제철"]),
            ("PEAR-GIFT", "배 7.5kg 선물세트", "상자", 55000, "exempt", None, ["선물"]),
        ],
    ),
    "craft": Theme(
        "craft",
        "공방",
        [
            ("HANJI-FRAME", "한지 공예 액자", "개", 35000, "taxable", None, ["한지"]),
            ("KNOT-KEYRING", "전통 매듭 열쇠고리", "개", 8000, "taxable", None, ["전통"]),
            ("CERAMIC-MUG", "수제 도자기 머그컵", "개", 22000, "taxable", None, ["도자기"]),
            ("DYED-SCARF", "천연염색 스카프", "개", 39000, "taxable", None, ["천연염색"]),
        ],
    ),
    "print": Theme(
        "printing",
        "인쇄",
        [
            ("CARD-200", "명함 인쇄 (200매)", "건", 15000, "taxable", None, ["명함"]),
            ("BANNER", "현수막 제작 (5m)", "장", 45000, "taxable", None, ["현수막"]),
            ("LEAFLET-1000", "리플렛 인쇄 (1000부)", "건", 180000, "taxable", None, ["홍보물"]),
            ("ECO-BAG-PRINT", "에코백 인쇄 제작 (50개)", "건", 250000, "taxable", None, ["판촉"]),
        ],
    ),
    "edu": Theme(
        "education",
        "배움터",
        [
            ("ECO-CLASS", "환경교육 프로그램 (1회, 30명)", "회", 300000, "exempt", None, ["환경"]),
            ("WOOD-CRAFT", "목공 체험 (1인)", "인", 25000, "exempt", None, ["체험"]),
            ("BAKING-CLASS", "우리밀 베이킹 체험 (1인)", "인", 30000, "exempt", None, ["체험"]),
            ("CARE-TRAINING", "돌봄 종사자 교육 (1회)", "회", 400000, "exempt", None, ["돌봄"]),
        ],
    ),
    "living": Theme(
        "household",
        "생활",
        [
            ("DISHCLOTH-5", "면 행주 5매", "세트", 9000, "taxable", None, ["면"]),
            ("SCRUBBER-3", "친환경 수세미 3개입", "세트", 6000, "taxable", None, ["친환경"]),
            (
                "BAMBOO-BRUSH",
                "대나무 칫솔 10개입",
                "세트",
                12000,
                "taxable",
                None,
                ["제로웨이스트"],
            ),
            ("TUMBLER", "스테인리스 텀블러 350ml", "개", 15000, "taxable", None, ["다회용"]),
        ],
    ),
    "hangwa": Theme(
        "gift",
        "한과",
        [
            ("HANGWA-GIFT", "전통 한과 선물세트", "세트", 35000, "taxable", None, ["명절"]),
            ("SYRUP-GIFT", "수제청 선물세트 (3병)", "세트", 32000, "taxable", None, ["선물"]),
            ("OIL-GIFT", "참기름·들기름 선물세트", "세트", 38000, "exempt", None, ["명절"]),
            ("YAKGWA-20", "찹쌀 약과 20개입", "상자", 16000, "taxable", None, ["전통"]),
        ],
    ),
    "bakery": Theme(
        "food",
        "베이커리",
        [
            ("RICE-BREAD", "우리쌀 식빵", "개", 5500, "taxable", None, ["우리쌀"]),
            ("CASTELLA", "카스테라 1호", "개", 9000, "taxable", None, ["빵"]),
            ("MACARON-10", "마카롱 10개입", "상자", 18000, "taxable", None, ["디저트"]),
            ("MUFFIN-6", "통밀 머핀 6개입", "상자", 12000, "taxable", None, ["통밀"]),
        ],
    ),
    "coffee": Theme(
        "food",
        "커피",
        [
            ("BEANS-1KG", "공정무역 원두커피 1kg", "봉", 28000, "taxable", None, ["공정무역"]),
            ("DRIPBAG-20", "드립백 커피 20개입", "상자", 16000, "taxable", None, ["공정무역"]),
            ("COLDBREW-500", "콜드브루 원액 500ml", "병", 14000, "taxable", None, ["커피"]),
            ("TEA-SET", "전통차 선물세트", "세트", 25000, "taxable", None, ["차"]),
        ],
    ),
}

# The enterprises the README walk-through names (their ids must never change).
FIXED_ENTERPRISES = [
    # key, name, type, representative, sigungu, [(sku, name, category, unit, price, tax, group)]
    (
        "gm-tofu",
        "광명두부마을 협동조합",
        "cooperative",
        "김순자",
        "41210",
        [
            (
                "TOFU-SNACK-200",
                "국산콩 두부과자 200g",
                "food",
                "봉",
                3500,
                "taxable",
                "TOFU-SNACK-200G",
            ),
            ("TOFU-1KG", "손두부 1kg", "food", "모", 6000, "exempt", None),
        ],
    ),
    (
        "gm-walnut",
        "비츠원 호두과자 사회적기업",
        "social_enterprise",
        "이정민",
        "41210",
        [
            ("WALNUT-20", "호두과자 20개입", "food", "상자", 12000, "taxable", "WALNUT-COOKIE-20"),
        ],
    ),
    (
        "wj-kimchi",
        "완주 로컬푸드 김치 마을기업",
        "village_enterprise",
        "박영희",
        "52710",
        [
            ("KIMCHI-10KG", "포기김치 10kg", "food", "박스", 65000, "exempt", "KIMCHI-POGI-10KG"),
            ("KIMCHI-STEW-5KG", "김치찌개용 묵은지 5kg", "food", "박스", 38000, "exempt", None),
        ],
    ),
    (
        "jj-soap",
        "전주 자활 수제비누 사업단",
        "self_reliance_work_group",
        "최민수",
        "52111",
        [
            (
                "SOAP-HANDMADE",
                "천연 수제 비누 선물세트",
                "household",
                "세트",
                15000,
                "taxable",
                None,
            ),
        ],
    ),
    (
        "gm-clean",
        "광명 희망 청소·방역 자활기업",
        "self_reliance_enterprise",
        "정해진",
        "41210",
        [
            (
                "CLEAN-OFFICE",
                "사무실 정기 방역 서비스 (월 1회)",
                "cleaning",
                "회",
                120000,
                "taxable",
                "DISINFECT-OFFICE",
            ),
        ],
    ),
    (
        "gm-office",
        "함께 사무용품 사회적협동조합",
        "social_cooperative",
        "한지우",
        "41210",
        [
            ("A4-500", "A4 복사용지 500매", "office", "권", 5200, "taxable", "A4-PAPER-500"),
        ],
    ),
]

# (시군구 code, how many generated enterprises, themes that region favours)
REGION_PLAN = [
    ("41210", 32, ["tofu", "walnut", "cleaning", "office", "bakery", "coffee", "craft", "lunch"]),
    ("52710", 26, ["kimchi", "farm", "lunch", "hangwa", "edu", "tofu"]),
    ("52111", 10, ["kimchi", "soap", "print", "hangwa", "bakery"]),
    ("52113", 9, ["cleaning", "living", "lunch", "craft"]),
    ("52130", 10, ["farm", "kimchi", "office", "cleaning"]),
    ("52140", 10, ["farm", "tofu", "soap", "print"]),
    ("52180", 4, ["farm", "hangwa"]),
    ("52210", 4, ["farm", "kimchi"]),
    ("52190", 3, ["craft", "hangwa"]),
    ("11440", 3, ["coffee", "print", "edu"]),
    ("11110", 2, ["craft", "edu"]),
    ("11680", 2, ["office", "cleaning"]),
    ("11560", 2, ["living", "coffee"]),
    ("41390", 3, ["walnut", "soap", "living"]),
]
PLACES = {
    "41210": "광명",
    "52710": "완주",
    "52111": "전주",
    "52113": "전주",
    "52130": "군산",
    "52140": "익산",
    "52180": "정읍",
    "52210": "김제",
    "52190": "남원",
    "11440": "마포",
    "11110": "종로",
    "11680": "강남",
    "11560": "영등포",
    "41390": "시흥",
}
AREA_CODES = {"11": "02", "41": "02", "52": "063"}
STREETS = ["중앙로", "시청로", "오리로", "공단로", "새마을길", "마을안길", "농공단지길", "장터길"]
ADJECTIVES = [
    "햇살",
    "두레",
    "나눔",
    "함께",
    "푸른",
    "다온",
    "온누리",
    "새싹",
    "어울림",
    "희망",
    "미소",
    "한울",
    "들녘",
    "바른",
    "이음",
    "솔빛",
    "꿈터",
    "늘봄",
    "해밀",
    "가온",
]
SURNAMES = "김이박최정강조윤장임한오서신권황안송류홍"
GIVEN = [
    "민준",
    "서연",
    "영희",
    "정호",
    "순자",
    "미경",
    "상철",
    "지혜",
    "현우",
    "은숙",
    "동훈",
    "수빈",
    "경자",
    "재훈",
    "하은",
    "성민",
    "옥순",
    "태양",
    "보람",
    "다은",
]
TYPES = list(ENTERPRISE_TYPES)
# What each type's certification is called and who issues it.
CERTIFICATIONS = {
    "social_enterprise": ("사회적기업 인증", "고용노동부"),
    "preliminary_social_enterprise": ("예비사회적기업 지정", "광역자치단체"),
    "cooperative": ("협동조합 설립신고", "시·군·구청"),
    "social_cooperative": ("사회적협동조합 인가", "기획재정부"),
    "village_enterprise": ("마을기업 지정", "행정안전부"),
    "self_reliance_enterprise": ("자활기업 인정", "보건복지부"),
    "self_reliance_work_group": ("자활근로사업단 승인", "지역자활센터"),
}
IMAGE_BASE = "https://cdn.gachi.kr/demo"
