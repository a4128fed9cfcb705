"""Deterministic synthetic news text for benchmarks: unique paragraphs, so no cache hides real work."""

import random

SUBJECTS = ["Xi Jinping", "DeepSeek", "Nvidia", "the Bureau of Industry and Security", "TSMC", "Huawei",
            "the European Commission", "Gina Raimondo", "Alibaba", "the Politburo", "SMIC", "ASML",
            "Jensen Huang", "the State Council", "OpenAI", "Moonshot AI", "Samsung Electronics", "Liang Wenfeng"]
TERMS = ["export controls", "high-end chips", "self-reliance", "the Entity List", "sanctions", "tariffs",
         "advanced packaging", "the CHIPS and Science Act", "state media", "open-weight models", "HBM supply"]
PLACES = ["Beijing", "Washington", "Brussels", "Taipei", "Shenzhen", "Hangzhou", "Tokyo", "Seoul", "Hsinchu"]
TEMPLATES = [
    "{s} said on {day} that {t} would shape investment in {p} for years, according to officials briefed on the plan.",
    "In {p}, analysts at {firm} argued that {t} had pushed {s} to rethink its supply chain by {n} per cent.",
    "{s} and {s2} met in {p} to discuss {t}, the latest sign of a contest over computing power.",
    "A report by {firm} estimated that {s} spent {n} billion dollars on {t} last year, far above forecasts.",
    "Officials in {p} declined to comment on whether {t} would apply to {s}, citing talks with {s2}.",
    "{person}, a researcher at {firm}, told reporters in {p} that {t} mattered less than talent.",
]
FIRMS = ["Morgan Stanley", "Bernstein", "Gartner", "the Rhodium Group", "Counterpoint Research", "TrendForce"]
GIVEN = ["Anna", "Wei", "Carlos", "Mei", "Tom", "Priya", "Jonas", "Yuki", "Omar", "Lena"]
FAMILY = ["Keller", "Zhang", "Ortiz", "Lin", "Baker", "Sharma", "Berg", "Tanaka", "Haddad", "Novak"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def paragraphs(words: int, seed: int) -> list[str]:
    """About `words` words of news-like text in paragraphs of four or five sentences."""
    rng = random.Random(seed)
    out, count = [], 0
    while count < words:
        sentences = []
        for _ in range(rng.randint(4, 5)):
            sentence = rng.choice(TEMPLATES).format(
                s=rng.choice(SUBJECTS), s2=rng.choice(SUBJECTS), t=rng.choice(TERMS), p=rng.choice(PLACES),
                firm=rng.choice(FIRMS), n=rng.randint(2, 990), day=rng.choice(DAYS),
                person=f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}")
            sentences.append(sentence[0].upper() + sentence[1:])
        text = " ".join(sentences)
        out.append(text)
        count += len(text.split())
    return out
