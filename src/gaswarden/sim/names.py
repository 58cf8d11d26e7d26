"""Invented but plausible Chinese names, phone numbers, ID numbers, codes and plates.

Every function takes the caller's `random.Random`, so a seeded loader gives the same district
every time.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from gaswarden.core.schemas import id_number_check_char

# Common surnames in western Shandong, weighted roughly by frequency.
SURNAMES = (
    "王王王李李李张张张刘刘陈杨赵赵孙孙马郭徐朱高高林何胡宋孟孟于董韩曹崔丁邵魏吕苏田任耿许"
    "贾范岳闫路段"
)
GIVEN_CHARS = (
    "伟强磊军勇杰涛明辉刚鹏超华建国庆海波宁峰亮飞斌志文静丽娜敏燕红霞芳婷玲秀英桂兰洁晶"
    "晓东春雪梅玉凤萍慧振宇浩然子涵欣怡佳琪思远俊鑫昊天瑞成立新"
)
DISTRICT_CODE = "371502"  # GB/T 2260: 山东省聊城市东昌府区
LANDLINE_PREFIX = "0635-"  # 聊城 area code

COMMUNITY_HEADS = (
    "水城", "运河", "光岳", "东昌", "凤凰", "湖滨", "铁塔", "文轩", "昌润", "柳园", "古楼",
    "兴华", "金柱", "阳光", "锦绣", "龙湾", "嘉和", "聊州", "振华", "景阳", "颐和", "书香",
    "鑫源", "万和", "泰和", "御景", "百花", "明珠", "康乐", "和谐",
)  # fmt: skip
COMMUNITY_TAILS = ("花园", "小区", "家园", "新村", "苑", "华府", "名居", "雅居", "公寓", "丽景")
DISHES = (
    "八刀汤", "呱嗒", "熏鸡", "羊肉汤", "烧饼", "铁锅炖", "水煎包", "锅贴", "拉面", "烤鸭",
    "砂锅", "炒鸡", "火锅", "饺子", "烩面", "牛肉面",
)  # fmt: skip
RESTAURANT_TAILS = ("馆", "店", "坊", "食府", "饭庄", "酒楼")
COMMERCIAL_KINDS = (
    ("宾馆", "酒店"), ("洗浴", "中心"), ("学校", "食堂"), ("医院", "食堂"), ("烘焙", "坊"),
    ("豆制品", "厂"), ("超市", "熟食部"), ("机关", "食堂"),
)  # fmt: skip
ROADS = (
    "东昌路", "柳园路", "湖南路", "兴华路", "花园路", "建设路", "振兴路", "光岳路", "昌润路",
    "利民路", "卫育路", "向阳路", "龙山路", "黄河路", "长江路", "松桂大街", "聊堂路", "民主路",
    "站前街", "育新街",
)  # fmt: skip
CHINESE_NUMERALS = "一二三四五六七八九十"


def person_name(rng: random.Random) -> str:
    surname = rng.choice(SURNAMES)
    given = rng.choice(GIVEN_CHARS)
    if rng.random() < 0.7:
        given += rng.choice(GIVEN_CHARS)
    return surname + given


def mobile(rng: random.Random) -> str:
    prefix = rng.choice(("135", "138", "139", "150", "152", "158", "176", "178", "182", "187"))
    return prefix + f"{rng.randrange(10**8):08d}"


def landline(rng: random.Random) -> str:
    return LANDLINE_PREFIX + f"{rng.randrange(8200000, 8499999)}"


def id_number(rng: random.Random, *, born_from: int = 1965, born_to: int = 2000) -> str:
    """A resident ID number registered in the district, with its GB 11643 check character."""
    born = date(born_from, 1, 1) + timedelta(
        days=rng.randrange((date(born_to, 12, 31) - date(born_from, 1, 1)).days)
    )
    first17 = f"{DISTRICT_CODE}{born:%Y%m%d}{rng.randrange(1, 999):03d}"
    return first17 + id_number_check_char(first17)


# GB 32100-2015 统一社会信用代码: 31 characters and the weights of its check character.
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code(rng: random.Random) -> str:
    """A unified social credit code for a company registered in the district (check valid)."""
    body = "91" + DISTRICT_CODE + "".join(rng.choice(_USCC_CHARS[:10] + "MA") for _ in range(9))
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(body, _USCC_WEIGHTS, strict=True))
    return body + _USCC_CHARS[(31 - total % 31) % 31]


def plate(rng: random.Random, used: set[str]) -> str:
    """A 聊城 (鲁P) number plate not yet in `used`."""
    letters = "ABCDEFGHJKLMNPQRSTUVWXYZ"
    while True:
        value = "鲁P" + rng.choice(letters) + f"{rng.randrange(10000):04d}"
        if value not in used:
            used.add(value)
            return value


def community_name(rng: random.Random, used: set[str]) -> str:
    while True:
        name = rng.choice(COMMUNITY_HEADS) + rng.choice(COMMUNITY_TAILS)
        if name not in used:
            used.add(name)
            return name


def restaurant_name(rng: random.Random, used: set[str]) -> str:
    while True:
        name = (
            rng.choice(SURNAMES)
            + rng.choice(("记", "家", "氏", "老"))
            + rng.choice(DISHES)
            + rng.choice(RESTAURANT_TAILS)
        )
        if name not in used:
            used.add(name)
            return name


def commercial_name(rng: random.Random, used: set[str]) -> str:
    while True:
        what, tail = rng.choice(COMMERCIAL_KINDS)
        name = rng.choice(COMMUNITY_HEADS) + what + tail
        if name not in used:
            used.add(name)
            return name


def address(rng: random.Random, town: str) -> str:
    return f"聊城市东昌府区{town}{rng.choice(ROADS)}{rng.randrange(1, 399)}号"


def numeral(n: int) -> str:
    """1..19 as Chinese numerals (一 ... 十九), for 第N网格 and the like."""
    if n <= 10:
        return CHINESE_NUMERALS[n - 1]
    return "十" + CHINESE_NUMERALS[n - 11]
