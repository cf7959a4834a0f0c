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


def _fill(template: str, name: str, noun: str, category: str) -> str:
    return template.format(name=name, noun=noun.lower(), word=CATEGORY_WORDS.get(category, "product"))


def _be(aspect: str) -> str:
    return "are" if aspect.endswith("s") else "is"


def review_title(rng: random.Random, bucket: str, name: str, noun: str, category: str) -> str:
    """A title about the product (its noun, name or category) with the bucket's sentiment."""
    text = _fill(pick(rng, _TITLES[bucket]), name, noun, category)
    return text[0].upper() + text[1:]


def review_body(rng: random.Random, bucket: str, name: str, noun: str, category: str) -> str:
    """Opener naming the product, two different aspects of the category with the bucket's words, and a closer."""
    aspects = ASPECTS.get(category, ASPECTS["home"])
    first, second = rng.sample(aspects, 2)
    words = _ASPECT_WORDS[bucket]
    parts = [_fill(pick(rng, _OPENERS[bucket]), name, noun, category),
             f"The {first} {_be(first)} {pick(rng, words)}, and the {second} {_be(second)} {pick(rng, words)}.",
             pick(rng, _CLOSERS[bucket])]
    return " ".join(p for p in parts if p)


def product_description(rng: random.Random, name: str, noun: str, category: str, feature: str) -> str:
    """A description naming the product and what is typical of its category."""
    detail = pick(rng, _DETAILS.get(category, _DETAILS["home"]))
    text = pick(rng, _DESCRIPTIONS).format(name=name, noun=noun.lower(), detail=detail,
                                           Detail=detail[0].upper() + detail[1:], feature=feature,
                                           word=CATEGORY_WORDS.get(category, "product"))
    return text[0].upper() + text[1:]
