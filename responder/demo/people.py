"""Made-up people for the demo: Chinese names and mobile numbers, drawn from the demo's RNG."""

from __future__ import annotations

import random

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志鹏海波宁辉峰斌红玉兰晓东亮"


def person_name(rng: random.Random) -> str:
    """A plausible two- or three-character Chinese name."""
    given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(SURNAMES) + given


def mobile(rng: random.Random) -> str:
    """An 11-digit mainland mobile number (fictional)."""
    return rng.choice(("135", "138", "139", "150", "158", "187", "189")) + "".join(
        str(rng.randrange(10)) for _ in range(8)
    )


def contact(rng: random.Random) -> str:
    """``name mobile``, the way rosters list a duty contact."""
    return f"{person_name(rng)} {mobile(rng)}"
