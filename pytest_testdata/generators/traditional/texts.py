"""Texts that belong to their record: review titles and bodies about the product reviewed, with the
rating's sentiment, and product descriptions that fit the product's name and category.

Bodies are composed (opener x two aspects of the category x sentiment words x closer) so 10,000 reviews
have thousands of distinct bodies; every piece of a positive (negative) text carries only positive
(negative) words of :data:`pytest_testdata.quality.rules.POSITIVE_WORDS` (``NEGATIVE_WORDS``), so the
``sentiment_matches_rating`` rule holds by construction. Kept as data: the same seed gives the same texts
on every Faker release.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from string import Formatter

from pytest_testdata.generators.traditional.fastrand import pick

ASPECTS: dict[str, tuple[str, ...]] = {
    "electronics": ("battery life", "sound", "build quality", "charging speed", "connection", "screen",
                    "setup"),
    "books": ("writing", "print quality", "binding", "illustrations", "index", "paper", "story"),
    "clothing": ("fit", "fabric", "stitching", "colour", "sizing", "zip", "feel on the skin"),
    "home": ("finish", "size", "build quality", "weight", "look", "handle", "packaging"),
    "toys": ("pieces", "instructions", "colours", "size", "finish", "box"),
    "sports": ("grip", "weight", "padding", "finish", "size", "strap"),
    "beauty": ("scent", "texture", "packaging", "pump", "finish", "feel on the skin"),
    "grocery": ("flavour", "freshness", "packaging", "aroma", "texture", "pack size"),
}
"""What a buyer talks about, per category."""
CATEGORY_WORDS: dict[str, str] = {
    "electronics": "gadget", "books": "book", "clothing": "piece of clothing", "home": "thing for the home",
    "toys": "toy", "sports": "piece of kit", "beauty": "beauty product", "grocery": "pantry staple",
}
_ASPECT_WORDS: dict[str, tuple[str, ...]] = {
    "positive": ("excellent", "great", "superb", "brilliant", "solid", "wonderful", "perfect", "amazing"),
    "neutral": ("fine", "acceptable", "as expected", "about average", "nothing special", "okay"),
    "negative": ("poor", "terrible", "awful", "disappointing", "bad", "useless"),
}
_TITLES: dict[str, tuple[str, ...]] = {
    "positive": ("Love this {noun}", "Great {noun}, highly recommend", "Excellent {noun} for the price",
                 "Best {noun} I have owned, love it", "Superb {noun}", "Fantastic {word}", "Perfect {noun}",
                 "Really happy with the {noun}", "Worth every penny: {name}, great", "{name}: excellent",
                 "Brilliant {noun}, highly recommend", "Amazing {word}, love it"),
    "neutral": ("Okay {noun}", "Decent {noun} for the price", "{name}: does the job", "An average {noun}",
                "Mixed feelings about this {noun}", "Fine {noun}, nothing more", "{name}, as described",
                "A {word} that does what it says"),
    "negative": ("Disappointed with this {noun}", "Poor quality {noun}", "{name}: a waste of money",
                 "Would avoid this {noun}", "Terrible {noun}", "My {noun} broke after a week",
                 "Returned the {noun}", "Faulty {noun}", "Awful {word}, avoid", "{name}: disappointed"),
}
_OPENERS: dict[str, tuple[str, ...]] = {
    "positive": ("I love this {noun}.", "Excellent {noun}, I would recommend it to anyone.",
                 "Really impressed with the {name}.", "This is the best {noun} I have bought.",
                 "Great {noun}, and it arrived fast.", "Very happy with my new {noun}."),
    "neutral": ("The {noun} does what it says.", "It's an okay {noun}.", "The {name} arrived as described.",
                "An average {noun}, some things I like, some I don't.", "This {noun} is fine for everyday use.",
                "I have had the {noun} for a month now."),
    "negative": ("The {noun} broke after a week.", "Very disappointed with the {name}.",
                 "This {noun} was faulty out of the box.", "I regret buying this {noun}.",
                 "Cheap and flimsy {noun}.", "Terrible {noun}, it failed the second time I used it."),
}
_CLOSERS: dict[str, tuple[str, ...]] = {
    "positive": ("Worth every penny.", "Would recommend.", "Delivery was fast too.", "Five stars from me.",
                 "I would buy it again.", "A great buy.", ""),
    "neutral": ("Nothing special, but it works.", "Delivery took a while.", "Three stars.",
                "Fine for the price.", "It will do for now.", ""),
    "negative": ("I asked for a refund.", "A waste of money.", "Returned it.", "Would avoid.",
                 "Sadly bad value.", ""),
}
_DETAILS: dict[str, tuple[str, ...]] = {
    "electronics": ("pairs in seconds", "charges over USB-C", "runs all day on one charge",
                    "works with phones, tablets and laptops", "ships with a one-metre cable"),
    "books": ("printed on heavy, acid-free paper", "bound in a sturdy hardback",
              "illustrated in full colour", "indexed for quick reference", "sized to fit a coat pocket"),
    "clothing": ("cut for a relaxed fit", "machine washable at 30 degrees", "made from breathable fabric",
                 "finished with flat seams", "available from XS to XXL"),
    "home": ("sized for everyday use", "made to match any kitchen or living room", "dishwasher safe",
             "finished by hand", "weighted so it stays put"),
    "toys": ("safe for ages 3 and up", "made from non-toxic materials", "packed in a box that doubles as storage",
             "designed to build fine motor skills", "rated for indoor and outdoor play"),
    "sports": ("light enough to carry all day", "sweat-resistant", "padded where it counts",
               "tested on trails and in the gym", "adjustable for every size"),
    "beauty": ("free from parabens", "suitable for sensitive skin", "dermatologically tested",
               "lightly scented", "made without animal testing"),
    "grocery": ("sourced from small producers", "packed in a resealable pouch", "certified organic",
                "best enjoyed within six weeks of opening", "made without artificial flavours"),
}
_DESCRIPTIONS: tuple[str, ...] = (
    "{name}: a {noun} {detail}, {feature}.", "{name}. This {noun} is {detail} and {feature}.",
    "{name}: {detail}. A {word} {feature}.", "{name}. {Detail}, {feature}.",
)
"""Every description starts with the product's name, then says what is typical of its category."""


def sentiment_bucket(rating: object) -> str:
    """The sentiment a rating calls for: 4-5 positive, 1-2 negative, else neutral."""
    if not isinstance(rating, int) or isinstance(rating, bool):
        return "neutral"
    return "positive" if rating >= 4 else "negative" if rating <= 2 else "neutral"


_FIELDS = ("name", "noun", "word")
_FILLERS: dict[str, Callable[[str, str, str], str]] = {}


def _filler(template: str, fields: tuple[str, ...] = _FIELDS) -> Callable[..., str]:
    """``template.format`` over the keyword ``fields``, as a function of those fields (in that order) made of
    one f-string: the same text, without parsing the template and building a keyword dict on every call
    (about 2,700 machine instructions each). Parsed with :class:`string.Formatter`, which is ``str.format``'s
    own parser; a template with a field not in ``fields``, an index, a conversion or a format spec is refused
    (``str.format`` would treat those differently)."""
    pieces = []
    for literal, field, spec, conversion in Formatter().parse(template):
        pieces.append(literal.replace("{", "{{").replace("}", "}}"))
        if field is None:
            continue
        if field not in fields or spec or conversion:
            raise ValueError(f"text template {template!r}: only plain {{{'}, {'.join(fields)}}} fields are filled")
        pieces.append("{" + field + "}")
    code = compile(f"lambda {', '.join(fields)}: f{''.join(pieces)!r}", "<text template>", "eval")
    return eval(code, {})  # type: ignore[no-any-return]  # our own source: the fields and a repr()-quoted text


def _fill(template: str, name: str, noun: str, category: str) -> str:
    """``template.format(name=name, noun=noun.lower(), word=...)`` (see :func:`_filler`)."""
    return (_FILLERS.get(template) or _new_filler(template))(
        name, noun.lower(), CATEGORY_WORDS.get(category, "product"))


def _new_filler(template: str) -> Callable[[str, str, str], str]:
    fill = _FILLERS[template] = _filler(template)
    return fill


def _be(aspect: str) -> str:
    return "are" if aspect.endswith("s") else "is"


def _drawn(choices: tuple[str, ...]) -> tuple[tuple[str, ...], int, int]:
    """Choices with how many and their bit length: what ``pick(rng, choices)``, written out, draws with."""
    if not choices:
        raise ValueError("texts: every list of choices needs at least one")
    return choices, len(choices), len(choices).bit_length()


_CAPITALISED = frozenset(t for titles in _TITLES.values() for t in titles
                         if t[:1] not in ("", "{", "}") and t[0].upper() == t[0])
"""Titles whose first character is their own text, already what upper() makes of it (``text[0].upper() +
text[1:]`` would return the text as it is)."""
_TITLE_DRAWS = {bucket: _drawn(titles) for bucket, titles in _TITLES.items()}
_BODY_DRAWS = {bucket: (_drawn(_OPENERS[bucket]), _drawn(_ASPECT_WORDS[bucket]), _drawn(_CLOSERS[bucket]))
               for bucket in _OPENERS}
"""A bucket's titles, and its openers, aspect words and closers, for the picks written out below (each
``pick(rng, choices)``'s getrandbits rejection loop, about 1,500 machine instructions fewer than its call)."""


def review_title(rng: random.Random, bucket: str, name: str, noun: str, category: str) -> str:
    """A title about the product (its noun, name or category) with the bucket's sentiment."""
    titles, n, k = _TITLE_DRAWS[bucket]
    bits = rng.getrandbits
    i = bits(k)  # pick(rng, _TITLES[bucket]), written out
    while i >= n:
        i = bits(k)
    template = titles[i]
    text = (_FILLERS.get(template) or _new_filler(template))(
        name, noun.lower(), CATEGORY_WORDS.get(category, "product"))  # _fill(template, ...), written out
    if template in _CAPITALISED:  # its text starts with the template's own upper-case letter: as it is
        return text
    return text[0].upper() + text[1:]


_SUBJECTS: dict[str, tuple[tuple[str, ...], int, tuple[str, ...]]] = {
    category: (aspects, len(aspects), tuple(f"{aspect} {_be(aspect)}" for aspect in aspects))
    for category, aspects in ASPECTS.items()}
"""Each category's aspects, how many, and each with its verb ("battery life is"): worked out once."""
_SAMPLED = range(2, 22)
"""Population sizes for which ``rng.sample(population, 2)`` draws as :func:`review_body` writes it out (CPython's
list-pool branch: a population of at most 21 for two items); any other size calls ``rng.sample``."""


def review_body(rng: random.Random, bucket: str, name: str, noun: str, category: str) -> str:
    """Opener naming the product, two different aspects of the category with the bucket's words, and a closer."""
    aspects, n, subjects = _SUBJECTS.get(category) or _SUBJECTS["home"]
    bits = rng.getrandbits
    if n in _SAMPLED and ASPECTS.get(category, ASPECTS["home"]) is aspects:
        # first, second = rng.sample(aspects, 2), written out (about 14,000 machine instructions a call):
        # CPython's pool branch draws randbelow(n), moves the last item into the chosen one's place and draws
        # randbelow(n - 1); randbelow is the getrandbits rejection loop fastrand.below makes.
        k = n.bit_length()
        i = bits(k)
        while i >= n:
            i = bits(k)
        m = n - 1
        k = m.bit_length()
        j = bits(k)
        while j >= m:
            j = bits(k)
        first, second = subjects[i], subjects[m if j == i else j]
    else:  # (ASPECTS changed after import, or a size the pool branch does not take)
        first, second = (f"{aspect} {_be(aspect)}" for aspect in rng.sample(ASPECTS.get(category, ASPECTS["home"]), 2))
    (openers, on, ok), (words, wn, wk), (closers, cn, ck) = _BODY_DRAWS[bucket]
    i = bits(ok)  # pick(rng, _OPENERS[bucket]), written out, as are the picks below
    while i >= on:
        i = bits(ok)
    template = openers[i]
    opener = (_FILLERS.get(template) or _new_filler(template))(
        name, noun.lower(), CATEGORY_WORDS.get(category, "product"))
    i = bits(wk)
    while i >= wn:
        i = bits(wk)
    j = bits(wk)
    while j >= wn:
        j = bits(wk)
    middle = f"The {first} {words[i]}, and the {second} {words[j]}."
    i = bits(ck)
    while i >= cn:
        i = bits(ck)
    closer = closers[i]
    if opener and closer:  # the usual case (the middle is never empty): " ".join of the three
        return f"{opener} {middle} {closer}"
    return " ".join(p for p in (opener, middle, closer) if p)


def _longest(templates: tuple[str, ...], longest: dict[str, int]) -> int:
    """The longest text any of ``templates`` fills to when each field holds at most ``longest[field]``
    characters."""
    return max(sum(len(literal) + (longest[field] if field is not None else 0)
                   for literal, field, _, _ in Formatter().parse(template)) for template in templates)


def _shortest(templates: tuple[str, ...]) -> int:
    """The shortest text any of ``templates`` fills to (each field empty at the least)."""
    return min(sum(len(literal) for literal, _, _, _ in Formatter().parse(template)) for template in templates)


def text_lengths(name_longest: int, noun_longest: int) -> tuple[tuple[int, int], tuple[int, int]]:
    """The least and most characters of a review title and of a review body (:func:`review_title`,
    :func:`review_body`) about a product whose name has at most ``name_longest`` characters and whose noun,
    lowered, at most ``noun_longest``: bounds every text lies within (a drawer tagged with them needs no
    length check against a schema's ``minLength`` and ``maxLength`` that hold them)."""
    longest = {"name": name_longest, "noun": noun_longest,
               "word": max(len(word) for word in (*CATEGORY_WORDS.values(), "product"))}
    titles = tuple(t for bucket in _TITLES.values() for t in bucket)
    openers = tuple(t for bucket in _OPENERS.values() for t in bucket)
    subject = max(len(f"{aspect} {_be(aspect)}") for aspects in ASPECTS.values() for aspect in aspects)
    word = max(len(w) for words in _ASPECT_WORDS.values() for w in words)
    closer = max(len(c) for closers in _CLOSERS.values() for c in closers)
    middle = len("The  , and the  .")  # the middle's own text, without its two subjects and two words
    # A title's first character is upper-cased, which may make it up to three characters ("ﬃ" to "FFI").
    return ((_shortest(titles), _longest(titles, longest) + 2),
            (middle, _longest(openers, longest) + 1 + middle + 2 * (subject + word) + 1 + closer))


_DESCRIPTION_FIELDS = ("name", "noun", "detail", "Detail", "feature", "word")
_DESCRIBERS: dict[str, Callable[..., str]] = {}


def product_description(rng: random.Random, name: str, noun: str, category: str, feature: str) -> str:
    """A description naming the product and what is typical of its category."""
    detail = pick(rng, _DETAILS.get(category, _DETAILS["home"]))
    template = pick(rng, _DESCRIPTIONS)
    describe = _DESCRIBERS.get(template)
    if describe is None:  # template.format(name=..., ...) as one f-string (see _filler)
        describe = _DESCRIBERS[template] = _filler(template, _DESCRIPTION_FIELDS)
    text = describe(name, noun.lower(), detail, detail[0].upper() + detail[1:], feature,
                    CATEGORY_WORDS.get(category, "product"))
    return text[0].upper() + text[1:]
