"""Preference pairs and a mixed-politeness corpus for the alignment (RLHF / DPO) unit.

The course's "support desk" world has three settings (a shop's customer service, a tutor's
office hours, a forum's moderators). A prompt is one short message in the chat format the
tiny models use::

    Customer: Hi. My kettle has not arrived yet. Can you help?
    Agent:

``generate()`` gives ``{"prompt", "chosen", "rejected"}`` rows: ``chosen`` is a polite reply
about the very problem in the prompt (same product, subject, day ...), ``rejected`` a rude or
dismissive one. Students train a reward model / run DPO on them.

``lm_corpus()`` gives "prompt + reply" strings with polite and rude replies mixed about
50/50. A tiny causal LM pretrained on it produces both kinds, so RL (with the toxicity
classifier of ``toxicity.py`` as reward) and DPO have a measurable behaviour to fix.

The same world also feeds ``toxicity.py``: its replies and messages are built from the
pieces below, so the classifier judges exactly the kind of text the LM generates.
All prompts come from one pool, cut into disjoint slices: preference train / validation /
test, and the RL prompts' train / test (``toxicity.rl_prompts``).
"""

from __future__ import annotations

import random
from functools import lru_cache

VERSION = 1
SEED = 61_301

# Sizes of the disjoint slices of the prompt pool, in cutting order.
PROMPT_SLICES = {"train": 2400, "validation": 300, "test": 300, "rl_train": 500, "rl_test": 150}
LM_CORPUS_SIZE = 7000

# domain -> (who writes the message, who replies)
ROLES = {
    "shop": ("Customer", "Agent"),
    "class": ("Student", "Tutor"),
    "forum": ("User", "Moderator"),
}

# ---------------------------------------------------------------------------- slot values

PRODUCTS = [
    "kettle", "lamp", "backpack", "phone case", "desk chair", "blender", "rain jacket",
    "coffee mug", "water bottle", "keyboard", "umbrella", "toaster", "board game",
    "bike light", "camera bag", "pair of boots", "wall clock", "sleeping bag", "garden hose",
    "reading lamp", "travel pillow", "lunch box",
]
WHEN = [
    "last week", "two weeks ago", "on Monday", "three days ago", "ten days ago",
    "a month ago", "on Friday", "five days ago",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
FEW = ["two", "three", "four", "five"]
STUDY_TOPICS = [
    "fractions", "long division", "photosynthesis", "the water cycle", "chemical bonds",
    "probability", "linear equations", "essay structure", "the French Revolution",
    "plate tectonics", "loops in Python", "supply and demand", "cell division",
    "Newton's laws", "poetry analysis", "map reading",
]
COURSES = [
    "maths", "biology", "history", "chemistry", "physics", "English", "statistics",
    "programming", "geography", "economics", "art", "music",
]
FORUM_THINGS = ["post", "comment", "photo", "review", "thread", "recipe", "guide", "question"]
SECTIONS = [
    "gaming", "cooking", "travel", "music", "gardening", "books", "sports", "help",
    "photography", "movies", "pets", "cycling",
]
FORUM_SUBJECTS = [
    "a cake recipe", "a hiking trail", "my old camera", "a football match", "my vegetable garden",
    "a new album", "a bike repair", "my cat", "a fantasy novel", "a cheap flight",
]


def _a(noun: str) -> str:
    return ("an " if noun[0] in "aeiou" else "a ") + noun


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def sample_slots(rng: random.Random) -> dict[str, str]:
    """One value for every slot any template may use; a prompt and its replies share them."""
    product, other = rng.sample(PRODUCTS, 2)
    return {
        "product": product, "a_product": _a(product), "other": other, "a_other": _a(other),
        "when": rng.choice(WHEN), "day": rng.choice(DAYS), "few": rng.choice(FEW),
        "topic": rng.choice(STUDY_TOPICS), "course": rng.choice(COURSES),
        "thing": rng.choice(FORUM_THINGS), "section": rng.choice(SECTIONS),
        "forum_subject": rng.choice(FORUM_SUBJECTS),
    }


def fill(template: str, slots: dict[str, str]) -> str:
    return _cap(template.format(**slots))


# ---------------------------------------------------------------------------- topics
# Each topic: the problems a writer reports, a polite reply's topic-aware sympathy and
# help, and rude replies that still mention the topic (so rudeness, not topic, is the signal).

TOPICS: dict[str, dict] = {
    # ---- shop
    "late_delivery": dict(
        domain="shop",
        problems=[
            "My {product} has not arrived yet.",
            "I ordered {a_product} {when} and it is still not here.",
            "The tracking page for my {product} has not changed since {day}.",
            "My parcel never arrived.",
            "Where is my {product}? It was due on {day}.",
            "My {product} is late and I need it this weekend.",
        ],
        sorry=[
            "I am sorry your {product} is late.",
            "I am sorry the order was late.",
            "I am sorry you are still waiting for your {product}.",
            "Sorry for the delay with your parcel.",
        ],
        help=[
            "I will check the tracking number for you.",
            "Let me contact the courier and find out where your {product} is.",
            "If it does not arrive by {day}, I will send a new one for free.",
            "The parcel is at the local depot, so it should reach you soon.",
            "I have asked the courier to deliver it first thing tomorrow.",
        ],
        rude=[
            "Your {product} will get there when it gets there, stop complaining.",
            "I am not your personal courier, so stop asking about your {product}.",
            "Maybe look outside your own door before you cry to us.",
            "Wait like everyone else and stop bothering me about your parcel.",
        ],
    ),
    "damaged_item": dict(
        domain="shop",
        problems=[
            "My {product} arrived broken.",
            "The {product} I received is cracked.",
            "My new {product} stopped working after {few} days.",
            "The box was crushed and my {product} is damaged.",
            "The {product} you sent me has a big scratch on it.",
        ],
        sorry=[
            "I am sorry your {product} arrived damaged.",
            "That is really disappointing, and I apologise.",
            "I am so sorry, that should never happen.",
        ],
        help=[
            "I will send you a replacement right away.",
            "Please send us a photo of the damage and we will refund you in full.",
            "You can return the {product} for free with the label I am emailing you.",
            "I will ask our warehouse to pack the next one more carefully.",
        ],
        rude=[
            "You probably broke the {product} yourself, clumsy.",
            "A broken {product} is not my problem.",
            "Maybe stop dropping things and you will be fine.",
            "We sent it in one piece, so you must have broken it, genius.",
        ],
    ),
    "wrong_item": dict(
        domain="shop",
        problems=[
            "I ordered {a_product} but received {a_other}.",
            "You sent me {a_other} instead of my {product}.",
            "The parcel had the wrong item in it.",
            "There is {a_other} in my box, but I ordered {a_product}.",
        ],
        sorry=[
            "I am sorry we sent the wrong item.",
            "Sorry for the mix-up with your order.",
            "I apologise for the mistake with your {product}.",
        ],
        help=[
            "I will ship the correct {product} today.",
            "Please keep the {other}, and I will send your {product} right away.",
            "I have created a free return label for the wrong item.",
            "Your {product} is on its way, and you will get a tracking number by email.",
        ],
        rude=[
            "Just keep the {other} and stop complaining.",
            "Maybe you clicked the wrong button, clever.",
            "Wrong item? Learn to read your own order.",
            "{a_other} is good enough for someone like you.",
        ],
    ),
    "refund": dict(
        domain="shop",
        problems=[
            "I returned my {product} {when} but I still have no refund.",
            "When will I get my money back for the {product}?",
            "My refund has not shown up in my bank account.",
            "I want a refund for the {product}, it is not what I expected.",
        ],
        sorry=[
            "I am sorry the refund is taking so long.",
            "I understand that waiting for money is stressful.",
            "Thank you for your patience with the refund.",
        ],
        help=[
            "I can see the return, and the refund will reach your account within three days.",
            "I have pushed the refund through today.",
            "I will email you as soon as the money is sent.",
            "I am afraid this item cannot be refunded, but I can offer you store credit.",
        ],
        rude=[
            "You are not getting a refund, so stop asking.",
            "Refunds are for people who read the rules, not for you.",
            "Your money is not my problem.",
            "Stop begging for a refund, it is embarrassing.",
        ],
    ),
    "double_charge": dict(
        domain="shop",
        problems=[
            "I was charged twice for my {product}.",
            "My card shows two payments for one order.",
            "Why did you take money from my account twice?",
            "I paid for the {product} {when} and the payment went through twice.",
        ],
        sorry=[
            "I am sorry about the double payment.",
            "That must be worrying, and I apologise.",
        ],
        help=[
            "I will cancel the second payment right away.",
            "The extra charge will be returned to your card within five days.",
            "I have checked your account and removed the duplicate payment.",
        ],
        rude=[
            "Check your own bank statement, it is not my job.",
            "Maybe learn how to use a card before you shop online.",
            "Two charges? Sounds like your mistake, not ours.",
        ],
    ),
    "account": dict(
        domain="shop",
        problems=[
            "I cannot log in to my account.",
            "My password reset email never came.",
            "The app says my password is wrong, but it is not.",
            "I am locked out of my account since {day}.",
        ],
        sorry=[
            "I am sorry you are locked out.",
            "Sorry for the trouble with your account.",
        ],
        help=[
            "I have sent a new reset link to your email.",
            "Please check your spam folder for the reset email.",
            "I unlocked your account, so you can try again now.",
            "Try clearing the app cache, then log in again.",
        ],
        rude=[
            "If you cannot remember a password, maybe the internet is not for you.",
            "Reset it yourself, it is not hard, genius.",
            "Write your password down next time, it is not rocket science.",
        ],
    ),
    "cancel": dict(
        domain="shop",
        problems=[
            "How do I cancel my subscription?",
            "I want to stop my monthly box.",
            "Please cancel my membership, I do not use it anymore.",
            "I would like to cancel my order for the {product}.",
        ],
        sorry=[
            "I am sorry to see you go.",
            "No problem, I can help with that.",
        ],
        help=[
            "I have cancelled it, and you will not be charged again.",
            "You can cancel under Settings, then Billing.",
            "It will end on {day}, and you will get an email to confirm it.",
        ],
        rude=[
            "Cancel it yourself, the button is right there.",
            "Good, we will not miss you.",
            "Leave then, nobody is stopping you.",
        ],
    ),
    "discount": dict(
        domain="shop",
        problems=[
            "My discount code does not work at checkout.",
            "The coupon from your email says it has expired.",
            "I forgot to use my discount code on the {product}.",
        ],
        sorry=[
            "Thanks for letting me know about the code.",
            "I am sorry about the trouble with the discount.",
        ],
        help=[
            "I have added the discount to your order by hand.",
            "I will refund the difference to your card.",
            "Here is a new code that is valid until {day}.",
        ],
        rude=[
            "No code, no discount, stop whining.",
            "Read the small print yourself, it is not my job to help you.",
            "Pay the full price like everyone else.",
        ],
    ),
    "address": dict(
        domain="shop",
        problems=[
            "I need to change the delivery address for my {product}.",
            "I moved {when} and my order will go to the old address.",
            "Can I send my {product} to my office instead?",
        ],
        sorry=[
            "No problem, thanks for telling us in time.",
            "Thanks for letting me know.",
        ],
        help=[
            "I have updated the address on your order.",
            "Please send me the new address and I will change it.",
            "The {product} has not left the warehouse yet, so I can still change it.",
        ],
        rude=[
            "You should have typed the right address the first time.",
            "Where you live is not my problem.",
            "Go and pick it up yourself.",
        ],
    ),
    # ---- class
    "confused": dict(
        domain="class",
        problems=[
            "I do not understand {topic}.",
            "Can you explain {topic} again? I am lost.",
            "I read the chapter on {topic} twice and I still do not get it.",
            "{topic} makes no sense to me.",
            "I got every {course} exercise on {topic} wrong.",
        ],
        sorry=[
            "That is completely normal, {topic} confuses many students.",
            "Good question, {topic} is tricky at first.",
            "Thanks for asking, many people find {topic} hard.",
        ],
        help=[
            "Let us go through one small example together.",
            "Try drawing a picture of each step, it often helps.",
            "I will post a short summary of {topic} on the course page tonight.",
            "Start with the worked examples at the end of the chapter, then try the exercises.",
        ],
        rude=[
            "If you still do not get {topic}, maybe you should quit.",
            "I explained {topic} already, were you sleeping?",
            "{topic} is easy, you are just lazy.",
            "Read the book yourself, I am not your babysitter.",
        ],
    ),
    "extension": dict(
        domain="class",
        problems=[
            "Can I get more time for my {course} assignment?",
            "I was sick and missed the {course} deadline.",
            "My laptop broke and I lost my {course} homework.",
            "Could I hand in the {course} essay on {day} instead?",
        ],
        sorry=[
            "I am sorry to hear that you were unwell.",
            "Thank you for telling me early.",
            "That sounds stressful, and I understand.",
        ],
        help=[
            "You can hand it in by {day} without losing points.",
            "Please send me a short note from the doctor, and I will give you an extra week.",
            "I can give you two more days, just email me the file when it is ready.",
            "Check if your work was saved online, and we will sort out the rest.",
        ],
        rude=[
            "No extension. Maybe stop being lazy next time.",
            "Your excuses are boring, the deadline stays.",
            "Everyone else managed, so what is wrong with you?",
        ],
    ),
    "grade": dict(
        domain="class",
        problems=[
            "Why did I get a low grade on my {course} test?",
            "I think there is a mistake in my {course} mark.",
            "Can you tell me what I did wrong in the {course} exam?",
        ],
        sorry=[
            "I understand that a low mark is disappointing.",
            "Thanks for asking, that is a fair question.",
        ],
        help=[
            "Let us look at the test together during office hours on {day}.",
            "Most points were lost on the last question, so let us practise {topic}.",
            "I will check the marking again and tell you by {day}.",
            "Your answers were close, you just need to show more steps.",
        ],
        rude=[
            "You got a low grade because you did not study, obviously.",
            "The mark is right, accept it and stop crying.",
            "Maybe {course} is just too hard for you.",
        ],
    ),
    "exam": dict(
        domain="class",
        problems=[
            "How should I prepare for the {course} exam?",
            "What topics will be on the {course} exam?",
            "I am nervous about the {course} exam on {day}.",
        ],
        sorry=[
            "Good question, planning early is smart.",
            "It is normal to feel nervous before an exam.",
        ],
        help=[
            "Start with the practice questions and review {topic} first.",
            "Make a short study plan and do one old exam each day.",
            "The exam covers chapters one to five, with extra focus on {topic}.",
            "Sleep well the night before, it really helps.",
        ],
        rude=[
            "Just study, it is not complicated.",
            "Stop asking me and open the book for once.",
            "If you are nervous, maybe you did not work hard enough.",
        ],
    ),
    "group_work": dict(
        domain="class",
        problems=[
            "My group is not doing their part of the {course} project.",
            "One person in my {course} team never answers messages.",
            "I did most of the work on our {course} project and the others did nothing.",
        ],
        sorry=[
            "I am sorry the group work is difficult.",
            "Thanks for telling me, that is not fair to you.",
        ],
        help=[
            "Let us meet with the whole group on {day} and split the tasks clearly.",
            "Please keep a short list of who did what, and I will take it into account.",
            "I will send a friendly reminder to the whole team.",
        ],
        rude=[
            "Deal with your own group, I am not a referee.",
            "Maybe you are the annoying one in the group.",
            "Stop complaining about others and do the work.",
        ],
    ),
    "missed_class": dict(
        domain="class",
        problems=[
            "I missed the class on {day}. What did I miss?",
            "I was away on {day}, are there any notes?",
            "Did I miss anything important in {course} on {day}?",
        ],
        sorry=[
            "No problem, I hope you are feeling better.",
            "Thanks for asking, it is good to catch up early.",
        ],
        help=[
            "The slides are on the course page, and we covered {topic}.",
            "Ask a classmate for their notes, and come to office hours if something is unclear.",
            "We did a short quiz on {topic}, you can take it next week.",
        ],
        rude=[
            "Not my problem that you skipped class.",
            "You should have been there, figure it out yourself.",
            "Ask someone who cares about your notes.",
        ],
    ),
    # ---- forum
    "post_removed": dict(
        domain="forum",
        problems=[
            "Why was my post about {forum_subject} removed?",
            "My {thing} in the {section} section disappeared.",
            "A moderator deleted my {thing} and I do not know why.",
        ],
        sorry=[
            "Thanks for asking, I understand it is frustrating.",
            "Sorry for the confusion about your {thing}.",
        ],
        help=[
            "It was removed because it had a link to a shop, which our rules do not allow.",
            "You can post it again without the link and it will stay up.",
            "Your {thing} was caught by the spam filter by mistake, and I have restored it.",
            "Please read rule three, and feel free to ask if anything is unclear.",
        ],
        rude=[
            "Your post was junk, that is why it was removed.",
            "Nobody wanted to read your silly {thing} anyway.",
            "Stop posting nonsense and it will not be deleted.",
        ],
    ),
    "report_user": dict(
        domain="forum",
        problems=[
            "Someone keeps leaving mean comments on my {thing}.",
            "A user sends me rude messages every day.",
            "Another member is insulting people in the {section} section.",
        ],
        sorry=[
            "I am sorry you had to deal with that.",
            "Thank you for reporting this, nobody should be treated that way.",
        ],
        help=[
            "I have warned the user and removed the comments.",
            "You can block the member from your profile page, and I will review their messages.",
            "Please send me links to the comments so I can take action.",
        ],
        rude=[
            "Maybe they are right about you.",
            "Grow a thicker skin and stop crying to moderators.",
            "Just log off if you cannot handle it.",
        ],
    ),
    "banned": dict(
        domain="forum",
        problems=[
            "My account was blocked and I do not know why.",
            "I cannot post anymore since {day}.",
            "Why was I banned from the {section} section?",
        ],
        sorry=[
            "I understand that is confusing.",
            "Thanks for writing to us calmly.",
        ],
        help=[
            "Your account was blocked by mistake, and I have unblocked it now.",
            "The block ends on {day}, and it was for posting the same link many times.",
            "I will check the logs and write back to you today.",
        ],
        rude=[
            "You were banned because you are annoying.",
            "Cry about it somewhere else.",
            "Good, the forum is better without you.",
        ],
    ),
    "spam": dict(
        domain="forum",
        problems=[
            "There is a lot of spam in the {section} section.",
            "Someone is posting the same advert in every {section} thread.",
            "The {section} section is full of fake links.",
        ],
        sorry=[
            "Thanks for letting us know.",
            "Thank you for reporting the spam.",
        ],
        help=[
            "I have removed the spam and blocked the account.",
            "We are adding a new filter for links this week.",
            "Please use the report button on each post, it helps us find them fast.",
        ],
        rude=[
            "Just ignore it, I am not your cleaner.",
            "Stop reporting every little thing.",
            "Spam is not my problem, report it to someone else.",
        ],
    ),
    "username": dict(
        domain="forum",
        problems=[
            "How do I change my username?",
            "I want a new username, is that possible?",
            "Can a moderator change my username for me?",
            "My username still shows my old name in the {section} section.",
        ],
        sorry=[
            "Good question.",
            "Sure, that is easy to do.",
        ],
        help=[
            "Go to Settings, then Profile, and click Edit next to your name.",
            "You can change your username once a month in your profile settings.",
            "Send me the new name and I will change it for you.",
        ],
        rude=[
            "Look in the settings yourself, it is not my job to help you.",
            "Who cares what your name is?",
            "Figure it out, it is one button.",
        ],
    ),
    "upload": dict(
        domain="forum",
        problems=[
            "I cannot upload a photo to my {thing}.",
            "The forum says my picture is too large.",
            "Every time I upload an image to the {section} section, the page freezes.",
        ],
        sorry=[
            "Sorry for the trouble with uploads.",
            "Thanks for reporting this.",
        ],
        help=[
            "Photos must be smaller than five megabytes, so try making it smaller first.",
            "Try a different browser, we are fixing a bug with uploads.",
            "You can also share a link to the photo instead.",
        ],
        rude=[
            "Maybe your photo is just too ugly to upload.",
            "Learn how to use a computer first.",
            "Nobody wants to see your photos anyway.",
        ],
    ),
}
TOPIC_KEYS = list(TOPICS)  # fixed order: dicts keep insertion order

# ---------------------------------------------------------------------------- message parts

GREETINGS = [
    "", "", "Hi.", "Hello.", "Good morning.", "Good afternoon.", "Excuse me.", "Hi there.",
    "Sorry to bother you.", "Quick question.", "Hello again.",
]
FOLLOW_UPS = [
    "", "", "Can you help?", "Could you please help me?", "What should I do?",
    "Thank you in advance.", "Any advice would be great.", "Please help.",
    "I am a bit disappointed, but I hope you can fix it.",
    "This is the second time, so I am quite frustrated.", "Is there anything you can do?",
]

# Polite framing of a reply, per domain.
OPENERS = {
    "shop": [
        "Thank you for contacting us.", "Thanks for reaching out.",
        "I understand, and I am happy to help.", "Thank you for your patience.",
        "Hello, and thanks for your message.",
    ],
    "class": [
        "Thanks for asking.", "I am glad you asked.", "Thanks for your message.",
        "Hello, happy to help.",
    ],
    "forum": [
        "Thanks for your message.", "Hello, and thanks for reaching out.",
        "Thanks for contacting the moderators.", "Happy to help.",
    ],
}
CLOSERS = {
    "shop": [
        "Have a nice day.", "Is there anything else I can do for you?",
        "Thank you for shopping with us.", "Please write again if you need more help.",
    ],
    "class": [
        "You are doing fine, keep going.", "Let me know if anything is still unclear.",
        "Good luck!", "You can also come to my office hours on {day}.",
    ],
    "forum": [
        "Thanks for helping keep the forum friendly.", "Let me know if it happens again.",
        "Have a good day.", "Enjoy the {section} section!",
    ],
}

# Rude pieces usable in any domain. Dismissals carry no insult word on purpose: a classifier
# has to learn the dismissive pattern, not just a list of bad words.
RUDE_OPENERS = ["Ugh.", "Seriously?", "Oh please.", "Not this again.", "Wow, really?",
                "Here we go again.", "Oh great, you again."]
DISMISSALS = [
    "Figure it out yourself.", "Stop wasting my time.", "That is your problem, not mine.",
    "Go bother someone else.", "Read the manual yourself, it is not my job to help you.",
    "Ask someone who cares.", "I do not have time for this nonsense.",
    "Do not write to me again.", "Stop whining.", "Whatever, I am not helping you.",
    "Did you even try before asking?", "Deal with it yourself.", "Nobody cares.",
    "Go away and stop complaining.", "I could not care less.",
]
INSULTS = [
    "You are useless and lazy.", "What an idiot.", "You are a clueless fool.",
    "What a dumb question.", "Are you really this clueless?", "Try using your brain for once.",
    "You are hopeless.", "That is the most pathetic thing I have read today.",
    "Honestly, you are a waste of my time.", "Only an idiot would ask that.",
    "Nobody cares about your stupid question.", "Read the manual yourself, idiot.",
    "You must be the slowest person I have ever helped.", "Do you ever think before you type?",
]


def _pick(rng: random.Random, options: list[str], slots: dict[str, str]) -> str:
    return fill(rng.choice(options), slots)


def user_message(rng: random.Random, topic: str, slots: dict[str, str]) -> str:
    """A polite or neutral message reporting the topic's problem (the prompt's content)."""
    parts = [rng.choice(GREETINGS), _pick(rng, TOPICS[topic]["problems"], slots),
             rng.choice(FOLLOW_UPS)]
    return " ".join(p for p in parts if p)


def polite_reply(rng: random.Random, topic: str, slots: dict[str, str]) -> str:
    """A kind, relevant reply: sympathy and/or a greeting, one or two concrete help steps."""
    t, domain = TOPICS[topic], TOPICS[topic]["domain"]
    parts = []
    if rng.random() < 0.35:
        parts.append(_pick(rng, OPENERS[domain], slots))
    if not parts or rng.random() < 0.6:
        parts.append(_pick(rng, t["sorry"], slots))
    helps = rng.sample(t["help"], 2 if rng.random() < 0.3 else 1)
    parts += [fill(h, slots) for h in helps]
    if rng.random() < 0.35:
        parts.append(_pick(rng, CLOSERS[domain], slots))
    return " ".join(parts)


def rude_reply(rng: random.Random, topic: str, slots: dict[str, str]) -> str:
    """A rude or dismissive reply; about half of them still mention the topic."""
    parts = []
    if rng.random() < 0.3:
        parts.append(rng.choice(RUDE_OPENERS))
    core = rng.random()
    if core < 0.5:
        parts.append(_pick(rng, TOPICS[topic]["rude"], slots))
    elif core < 0.75:
        parts.append(rng.choice(DISMISSALS))
    else:
        parts.append(rng.choice(INSULTS))
    if rng.random() < 0.45:
        extra = rng.choice(INSULTS + DISMISSALS)
        if extra not in parts:
            parts.append(extra)
    return " ".join(parts)


# ---------------------------------------------------------------------------- prompt pool


def format_prompt(topic: str, message: str) -> str:
    who, responder = ROLES[TOPICS[topic]["domain"]]
    return f"{who}: {message}\n{responder}:"


@lru_cache(maxsize=1)
def _prompt_pool() -> tuple[tuple[str, str, tuple], ...]:
    """Unique prompts, each with its topic and slot values, in a fixed shuffled order."""
    rng = random.Random(SEED)
    need = sum(PROMPT_SLICES.values())
    seen: set[str] = set()
    pool = []
    while len(pool) < need:
        topic = TOPIC_KEYS[len(pool) % len(TOPIC_KEYS)]  # round robin: every topic equally
        for _ in range(50):
            slots = sample_slots(rng)
            prompt = format_prompt(topic, user_message(rng, topic, slots))
            if prompt not in seen:
                break
        else:
            raise RuntimeError(f"topic {topic!r} ran out of distinct prompts")
        seen.add(prompt)
        pool.append((prompt, topic, tuple(sorted(slots.items()))))
    rng.shuffle(pool)
    return tuple(pool)


def prompt_slice(name: str) -> list[tuple[str, str, dict[str, str]]]:
    """``(prompt, topic, slots)`` for one disjoint slice of the pool (see ``PROMPT_SLICES``)."""
    start = 0
    for key, size in PROMPT_SLICES.items():
        if key == name:
            return [(p, t, dict(s)) for p, t, s in _prompt_pool()[start:start + size]]
        start += size
    raise KeyError(name)


# ---------------------------------------------------------------------------- data sets


def generate() -> dict[str, list[dict]]:
    rng = random.Random(SEED + 1)
    splits = {}
    for split in ("train", "validation", "test"):
        rows = []
        for i, (prompt, topic, slots) in enumerate(prompt_slice(split)):
            rows.append({
                "id": f"pref-{split}-{i:05d}",
                "prompt": prompt,
                "chosen": " " + polite_reply(rng, topic, slots),
                "rejected": " " + rude_reply(rng, topic, slots),
            })
        splits[split] = rows
    return splits


def lm_corpus() -> list[str]:
    """``LM_CORPUS_SIZE`` distinct "prompt + reply" strings, polite or rude by a fair coin.

    Only the train and rl_train prompts are used, so preference validation/test prompts and
    RL test prompts stay unseen by the pretrained LM.
    """
    rng = random.Random(SEED + 2)
    prompts = prompt_slice("train") + prompt_slice("rl_train")
    seen: set[str] = set()
    corpus = []
    i = 0
    while len(corpus) < LM_CORPUS_SIZE:
        prompt, topic, slots = prompts[i % len(prompts)]
        i += 1
        make = polite_reply if rng.random() < 0.5 else rude_reply
        text = prompt + " " + make(rng, topic, slots)
        if text not in seen:
            seen.add(text)
            corpus.append(text)
    return corpus
