"""Toxicity classification data and RL prompts for the alignment unit.

``generate()`` gives short replies and comments from the course's support-desk world
(shop agents, tutors, forum moderators, and the people writing to them) labelled
``1`` = toxic (rude, insulting or dismissive) or ``0`` = not toxic. Students fine-tune a
tiny classifier on it, and the classifier then serves as the reward model that steers a
tiny LM away from rude replies.

The polite and rude replies come from the same builders as ``preferences.py``, so the
classifier is trained on exactly the kind of text the LM produces. Hard-ish cases keep it
honest: polite texts about problems ("I am sorry the order was late"), complaints that are
negative but civil, moderators quoting insults they removed; and toxic texts made of
neutral words ("Read the manual yourself, it is not my job to help you").

``rl_prompts()`` (not a registered data set) gives the prompts an RL loop asks the LM to
continue; they are a slice of the preference prompt pool that no other split uses.
"""

from __future__ import annotations

import random

from course_lib.data import preferences as world

VERSION = 1
SEED = 61_401

SPLIT_SIZES = {"train": 3400, "validation": 400, "test": 400}  # half of each split is toxic

# ---------------------------------------------------------------------------- writer side

RUDE_WRITER_OPENERS = {
    "shop": [
        "Your shop is a joke.", "Your staff are clueless.", "Your support team is lazy and useless.",
        "I have never dealt with such idiots.", "What a pathetic company.", "You lot are hopeless.",
    ],
    "class": [
        "This class is a waste of time.", "You are the worst tutor I have ever had.",
        "Your lectures are boring and useless.", "Honestly, your teaching is pathetic.",
    ],
    "forum": [
        "The moderators here are lazy and useless.", "This forum is run by clowns.",
        "You moderators are a joke.",
    ],
}
RUDE_WRITER_DEMANDS = {
    "shop": [
        "Fix it now, you useless lot.", "Do your job for once, idiots.",
        "Stop being so lazy and fix it.", "Answer me, or are you too stupid to read?",
        "I bet you are too dumb to fix this.",
    ],
    "class": [
        "Explain it properly for once, if you even can.", "Do your job and stop being so lazy.",
        "Maybe learn your own subject first, genius.", "Are you even a real teacher?",
    ],
    "forum": [
        "Fix it, or are you too lazy?", "Do something for once, you clueless lot.",
        "Typical useless moderators.", "Try doing your job for a change, idiots.",
    ],
}

# ---------------------------------------------------------------------------- forum comments

POLITE_COMMENTS = [
    "Thanks for the helpful {thing}, it worked for me.", "Great {thing}, I learned a lot.",
    "I respectfully disagree, but thanks for sharing your {thing}.",
    "Could you explain the second step? I got a little lost.",
    "This did not work for me, but maybe I did something wrong.",
    "Welcome to the {section} section, glad you are here!",
    "Nice {thing}, thanks for taking the time to write it.",
    "I had the same problem, restarting the app fixed it for me.",
    "Interesting point, I never thought of it that way.",
    "I think there is a small mistake in step two, but the rest is great.",
    "Thanks, this is exactly what I was looking for in the {section} section.",
    "Lovely {thing} about {forum_subject}, thank you!",
    "I am not sure I agree, but it is a fair point.",
    "Sorry to hear that, I hope it gets better soon.",
]
POLITE_COMMENT_TAILS = [
    "", "", "Keep it up!", "Have a nice day.", "Thanks again.",
    "Looking forward to your next {thing}.", "Could you share more details?",
]
RUDE_COMMENTS = [
    "This is the dumbest {thing} I have ever read.", "Who even asked you? Go away.",
    "Your {thing} is garbage, delete it.", "What a pathetic {thing}, did you even try?",
    "Nobody in the {section} section cares about your opinion.",
    "Stop posting, you clearly know nothing.",
    "Wow, another useless {thing} from the forum clown.",
    "Read a book before you post, genius.", "Only a fool would write a {thing} like this.",
    "Your {thing} about {forum_subject} is a joke.", "Nobody wants your silly advice.",
    "Get lost, nobody likes you here.", "Did a child write this {thing}?",
]
RUDE_COMMENT_TAILS = [
    "", "", "Go away.", "What a waste of time.", "Do everyone a favour and stop posting.",
    "Unbelievable.", "Learn something first.",
]

# ---------------------------------------------------------------------------- hard cases
# Civil texts that contain words a lazy classifier would flag: quoting, negating or
# reporting an insult, or calling a *thing* (not a person) useless.
HARD_POLITE = [
    "There are no stupid questions, so please ask about {topic} anytime.",
    "Someone called me an idiot under my {thing}. Can you help?",
    "A user told me I am useless in the {section} section. Is that allowed?",
    "Please do not call other members lazy or stupid, it breaks our rules.",
    "You are not useless at all, {topic} just takes time to learn.",
    "I felt silly asking about {topic}, but your answer was really kind.",
    "Insults like idiot are not allowed in the {section} section, so I removed that comment.",
    "I am sorry someone was rude to you, insults are never okay here.",
    "Sorry, that was a silly mistake on our side, and I will fix your {product} order today.",
    "My {product} is useless without the charger, can you send one?",
    "The old {product} was terrible, but the new one works great, thanks!",
    "Nobody should have to wait this long for {a_product}, so I will refund the shipping.",
    "I hate to complain, but my {product} arrived late again.",
    "Do not worry, nobody thinks your question about {topic} is dumb.",
    "A member wrote that my {thing} was garbage. I stayed calm, but can you check it?",
    "It is not your fault at all, the {product} was faulty.",
]
HARD_TAILS = ["", "", "", "Thank you.", "Have a nice day.", "Thanks for your patience."]


def _topic(rng: random.Random) -> str:
    return rng.choice(world.TOPIC_KEYS)


def _join(*parts: str) -> str:
    return " ".join(p for p in parts if p)


def agent_polite(rng: random.Random) -> str:
    topic = _topic(rng)
    return world.polite_reply(rng, topic, world.sample_slots(rng))


def agent_rude(rng: random.Random) -> str:
    topic = _topic(rng)
    return world.rude_reply(rng, topic, world.sample_slots(rng))


def writer_polite(rng: random.Random) -> str:
    """A civil message about a problem; some are openly unhappy, none are rude."""
    topic = _topic(rng)
    return world.user_message(rng, topic, world.sample_slots(rng))


def writer_rude(rng: random.Random) -> str:
    """A problem report wrapped in insults: neutral words inside, toxic overall."""
    topic = _topic(rng)
    domain = world.TOPICS[topic]["domain"]
    slots = world.sample_slots(rng)
    problem = world.fill(rng.choice(world.TOPICS[topic]["problems"]), slots)
    opener = rng.choice(RUDE_WRITER_OPENERS[domain])
    demand = rng.choice(RUDE_WRITER_DEMANDS[domain])
    style = rng.random()
    if style < 0.35:
        return _join(opener, problem)
    if style < 0.7:
        return _join(problem, demand)
    return _join(opener, problem, demand)


def comment_polite(rng: random.Random) -> str:
    slots = world.sample_slots(rng)
    return _join(world.fill(rng.choice(POLITE_COMMENTS), slots),
                 world.fill(rng.choice(POLITE_COMMENT_TAILS), slots))


def comment_rude(rng: random.Random) -> str:
    slots = world.sample_slots(rng)
    return _join(world.fill(rng.choice(RUDE_COMMENTS), slots),
                 world.fill(rng.choice(RUDE_COMMENT_TAILS), slots))


def hard_polite(rng: random.Random) -> str:
    slots = world.sample_slots(rng)
    return _join(world.fill(rng.choice(HARD_POLITE), slots), rng.choice(HARD_TAILS))


# label -> [(builder, weight)]
BUILDERS = {
    0: [(agent_polite, 52), (writer_polite, 22), (comment_polite, 14), (hard_polite, 12)],
    1: [(agent_rude, 55), (writer_rude, 25), (comment_rude, 20)],
}


def _texts(rng: random.Random, label: int, n: int, taken: set[str]) -> list[str]:
    """``n`` new distinct texts of one label, drawn by builder weight."""
    builders = [b for b, _ in BUILDERS[label]]
    weights = [w for _, w in BUILDERS[label]]
    out: list[str] = []
    misses = 0
    while len(out) < n:
        text = rng.choices(builders, weights)[0](rng)
        if text in taken:
            misses += 1
            if misses > 50 * n:
                raise RuntimeError("toxicity templates ran out of distinct texts")
            continue
        taken.add(text)
        out.append(text)
    return out


def generate() -> dict[str, list[dict]]:
    rng = random.Random(SEED)
    total = sum(SPLIT_SIZES.values())
    taken: set[str] = set()  # one pool for both labels and all splits: no text repeats
    pools = {label: _texts(rng, label, total // 2, taken) for label in (0, 1)}
    splits, start = {}, 0
    for split, size in SPLIT_SIZES.items():
        half = size // 2
        rows = [(t, label) for label in (0, 1) for t in pools[label][start:start + half]]
        rng.shuffle(rows)
        splits[split] = [{"id": f"tox-{split}-{i:05d}", "text": t, "label": label}
                         for i, (t, label) in enumerate(rows)]
        start += half
    return splits


def rl_prompts() -> dict[str, list[dict]]:
    """Prompts for the RL loop: ``{"train": [...], "test": [...]}`` of ``{"id", "prompt"}``.

    Disjoint from every preference split. ``train`` prompts also occur in
    ``preferences.lm_corpus()`` (with polite and rude replies), ``test`` prompts never do. The
    reply the LM writes after ``Agent:`` / ``Tutor:`` / ``Moderator:`` is what the reward
    model scores.
    """
    return {
        split: [{"id": f"rl-{split}-{i:05d}", "prompt": prompt}
                for i, (prompt, _, _) in enumerate(world.prompt_slice(f"rl_{split}"))]
        for split in ("train", "test")
    }
