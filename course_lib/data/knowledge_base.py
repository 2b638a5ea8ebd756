"""A fictional knowledge base for the retrieval-augmented generation (RAG) unit.

The Oressa Isles do not exist, so no pretrained model can answer questions about them from
memory: a RAG pipeline only scores if it retrieves the right passage and reads the answer
out of it. The world is built first as plain records (islands, settlements, people,
inventions, festivals, trade goods) and the passages are rendered from those records, so a
fact stated in two passages (a town's founder in the town's passage and in the founder's
own passage) is always the same fact.

Two registered data sets come from this module:

* ``kb_passages``: ``{"corpus": [{"id", "title", "text"}]}``, 30-80 words each, 3-5 facts
  about one entity, self-contained (names, not pronouns, for other entities).
* ``kb_questions``: ``train`` / ``validation`` / ``test`` of ``{"id", "question", "answer",
  "gold_ids"}``. The answer is a 1-4 word span found verbatim in every gold passage; every
  passage that states the fact is gold (one or two). Questions name their entity, so
  retrieval is possible, and are split by fact: a fact asked in test (in any phrasing or
  direction, e.g. "Who founded X?" / "Which town did Y found?") is never asked in train.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from functools import lru_cache

VERSION = 1
SEED = 61_501

ARCHIPELAGO = "Oressa Isles"
QUESTION_SPLITS = {"train": 0.70, "validation": 0.10, "test": 0.20}  # shares of facts

# ---------------------------------------------------------------------------- word lists
# Proper names are assembled from hand-picked parts, so every name is pronounceable, made up,
# and free of unfortunate letter combinations.

ISLAND_NAMES = ["Karesh", "Tolvane", "Imbra", "Ulvenne", "Drasca", "Sefari", "Mornak", "Quellis"]
REGIONS = ["north", "north-east", "east", "south-east", "south", "south-west", "west",
           "north-west"]
SETTLEMENTS_PER_ISLAND = [6, 7, 8, 9, 10, 11, 13, 16]  # 80 in all
PEAK_NAMES = ["Mount Arven", "Mount Sollo", "Mount Thrane", "Mount Keddra", "Mount Ourel",
              "Mount Pellin", "Mount Grannock", "Mount Yssa"]
COUNT_WORDS = {6: "six", 7: "seven", 8: "eight", 9: "nine", 10: "ten", 11: "eleven",
               13: "thirteen", 16: "sixteen"}

TOWN_HEADS = ["Vel", "Tar", "Bri", "Kor", "Mer", "Sal", "Ost", "Fen", "Lun", "Dar", "Hal",
              "Eld", "Gar", "Quil", "Ros", "Tam", "Ves", "Wen", "Yar", "Zel", "Cal", "Nor",
              "Pel", "Sor", "Ith", "Bel", "Fal", "Hest", "Mav", "Oth"]
TOWN_TAILS = ["mora", "sen", "dun", "wick", "holm", "ara", "ith", "ane", "ersk", "fell", "isk",
              "ova", "rin", "voss", "beck", "mouth", "stead"]
TOWN_KINDS = ["fishing town", "market town", "mining village", "harbour town",
              "farming village", "hill town", "river town"]
FLAG_COLOURS = ["red", "blue", "green", "white", "yellow", "black", "grey", "orange", "purple"]

GIVEN_NAMES = {  # name -> pronoun
    **{n: "she" for n in ["Talia", "Maren", "Kesti", "Suvi", "Edda", "Nessa", "Yara", "Hesper",
                          "Ilva", "Fenna", "Solvei", "Brisa", "Delfi", "Isbet", "Kaila",
                          "Merrit", "Oona", "Quintra", "Sabel", "Tamsin", "Veska", "Zorah",
                          "Liora", "Annek"]},
    **{n: "he" for n in ["Orin", "Brenn", "Ansel", "Tobin", "Idris", "Corvin", "Dorran", "Rusk",
                         "Teodor", "Aldo", "Caddo", "Emrys", "Galen", "Hollis", "Jory", "Nils",
                         "Pell", "Rovan", "Ulric", "Wilm", "Bastin", "Evander", "Lorn",
                         "Mattis"]},
}
FAMILY_HEADS = ["Ash", "Bram", "Dask", "Elm", "Far", "Gold", "Harr", "Ivel", "Jass", "Kerr",
                "Lind", "Mott", "Nesh", "Orv", "Penn", "Rall", "Stav", "Thorn", "Ulm", "Varr",
                "Wyn", "Brock", "Dell", "Holt", "Quarr"]
FAMILY_TAILS = ["by", "ett", "iver", "ow", "ane", "ick", "ell", "ard", "ry", "en", "is"]
PROFESSIONS = ["salt trader", "fisher", "shipwright", "weaver", "miner", "farmer", "healer",
               "sailor", "potter", "carpenter", "merchant", "beekeeper", "stonemason",
               "net maker", "clockmaker", "glassblower"]
OBJECT = {"she": "her", "he": "him"}

# good -> (made from, used for)
GOODS = {
    "kelp silk": ("dried seaweed", "making light sails"),
    "saltglass": ("beach sand and salt", "harbour lamps"),
    "amber resin": ("ember pine sap", "sealing boat hulls"),
    "bluefern tea": ("blue fern leaves", "calming an upset stomach"),
    "smoked eel": ("river eels", "winter food"),
    "coral dye": ("crushed red coral", "colouring wool"),
    "pearl thread": ("oyster pearls and flax", "fine embroidery"),
    "storm honey": ("cliff flower nectar", "cough medicine"),
    "driftwood charcoal": ("burnt driftwood", "heating forges"),
    "grey tin": ("mountain ore", "making cooking pots"),
    "goat cheese": ("cliff goat milk", "long sea voyages"),
    "sea salt": ("evaporated sea water", "preserving fish"),
    "shell buttons": ("mussel shells", "fastening coats"),
    "sedge rope": ("marsh sedge", "ship rigging"),
}

INVENTION_HEADS = ["tide", "kelp", "salt", "storm", "reef", "shell", "lantern", "mist", "wind",
                   "rain", "star", "fog", "drift", "cliff", "harbour"]
DEVICE_PURPOSE = {
    "clock": "keeping time at sea", "gauge": "measuring the tide", "loom": "weaving sailcloth",
    "kiln": "firing clay pots", "compass": "finding north in fog", "lamp": "lighting the harbour",
    "pump": "lifting well water", "wheel": "grinding grain", "press": "pressing seed oil",
    "bell": "warning ships of rocks", "sled": "hauling boats over sand",
    "horn": "signalling in fog", "lens": "spotting distant ships", "crane": "lifting cargo",
    "net": "catching eels", "oven": "baking ship bread",
}
REAL_DEVICES = {"fog horn", "tide gauge", "storm lamp", "rain gauge", "fog bell", "star compass"}

FESTIVAL_HEADS = ["Lantern", "Salt", "Amber", "Gull", "Reef", "Kelp", "Ember", "Storm", "Shell",
                  "Moon", "Drum", "Mist", "Herring", "Bell", "Sail", "Ribbon", "Honey", "Star",
                  "Frost", "Tide"]
FESTIVAL_TAILS = ["Night", "Feast", "Fair", "Dance", "Week", "Parade", "Race", "Day"]
CELEBRATES = ["first herring catch", "end of winter", "founding of the town",
              "return of the boats", "first spring flowers", "longest day", "new salt harvest",
              "first snow", "apple harvest", "arrival of the gulls",
              "lighting of the lighthouse", "shortest night"]
FESTIVAL_FOODS = ["smoked eel bread", "honey cakes", "salted plums", "fish soup",
                  "roasted chestnuts", "seaweed pancakes", "sweet barley buns", "grilled mussels",
                  "pepper cheese", "apple dumplings", "crab pies", "oat biscuits"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]

N_FESTIVALS = 40
N_INVENTIONS = 40
N_EXTRA_INVENTORS = 10  # inventors who founded nothing

# ---------------------------------------------------------------------------- the world


@dataclass
class Island:
    name: str
    region: str
    peak: str
    peak_height: int
    settlements: list[str] = field(default_factory=list)
    largest: str = ""


@dataclass
class Settlement:
    name: str
    island: str
    kind: str
    x: float
    y: float
    founded: int
    population: int
    flag: str
    export: str = ""
    founder: str = ""
    nearest: str = ""
    distance: int = 0
    direction: str = ""  # of ``nearest``, seen from this settlement
    festival: str = ""


@dataclass
class Person:
    name: str
    pronoun: str
    born: int
    birthplace: str  # a settlement, or an island for those born before any town existed
    profession: str
    founded: str = ""
    invention: str = ""


@dataclass
class Invention:
    name: str
    inventor: str
    year: int
    purpose: str
    town: str


@dataclass
class Festival:
    name: str
    host: str
    month: str
    celebrates: str
    food: str
    first_year: int


@dataclass
class Good:
    name: str
    material: str
    use: str
    producer: str


@dataclass
class World:
    islands: dict[str, Island]
    settlements: dict[str, Settlement]
    people: dict[str, Person]
    inventions: dict[str, Invention]
    festivals: dict[str, Festival]
    goods: dict[str, Good]


def _compound_names(rng: random.Random, heads: list[str], tails: list[str], n: int,
                    max_per_head: int, joiner: str = "", banned: set[str] = frozenset()) -> list[str]:
    """``n`` distinct head+tail names, no head used more than ``max_per_head`` times."""
    combos = [(h, t) for h in heads for t in tails
              if (h[-1] != t[0] or joiner) and (h + joiner + t).lower() not in banned]
    rng.shuffle(combos)
    used: dict[str, int] = {}
    names = []
    for h, t in combos:
        if used.get(h, 0) < max_per_head:
            used[h] = used.get(h, 0) + 1
            names.append(h + joiner + t)
            if len(names) == n:
                return names
    raise RuntimeError("not enough name parts")


def _direction(dx: float, dy: float) -> str:
    """8-point compass direction of the vector (dx, dy), y pointing north."""
    angle = math.degrees(math.atan2(dx, dy)) % 360  # 0 = north, clockwise
    points = ["north", "north-east", "east", "south-east", "south", "south-west", "west",
              "north-west"]
    return points[int((angle + 22.5) // 45) % 8]


def _place_settlements(rng: random.Random, island: str, names: list[str]) -> list[Settlement]:
    towns: list[Settlement] = []
    for name in names:
        while True:  # keep towns at least 4 km apart so every distance is a clear fact
            x, y = rng.uniform(0, 60), rng.uniform(0, 60)
            if all(math.hypot(x - t.x, y - t.y) >= 4 for t in towns):
                break
        towns.append(Settlement(
            name=name, island=island, kind=rng.choice(TOWN_KINDS), x=x, y=y,
            founded=rng.randint(1150, 1650), population=0,
            flag=" and ".join(rng.sample(FLAG_COLOURS, 2)),
        ))
    pops = rng.sample(range(30, 3000), len(towns))  # distinct, so "largest" is unambiguous
    for town, pop in zip(towns, pops):
        town.population = pop * 10
    for town in towns:
        near = min((t for t in towns if t is not town),
                   key=lambda t: math.hypot(t.x - town.x, t.y - town.y))
        town.nearest = near.name
        town.distance = round(math.hypot(near.x - town.x, near.y - town.y))
        town.direction = _direction(near.x - town.x, near.y - town.y)
    return towns


def _birthplace(rng: random.Random, born: int, island: str, towns: list[Settlement]) -> str:
    """A town that already existed when the person was born, else their home island."""
    older = [t.name for t in towns if t.founded < born]
    return rng.choice(older) if older else island


@lru_cache(maxsize=1)
def build_world() -> World:
    rng = random.Random(SEED)
    town_names = _compound_names(rng, TOWN_HEADS, TOWN_TAILS, sum(SETTLEMENTS_PER_ISLAND), 3,
                                 banned={"salford", "belford", "norwick", "fenwick", "ithith"})
    # -- islands and their towns
    islands, settlements = {}, {}
    regions = rng.sample(REGIONS, len(ISLAND_NAMES))
    counts = rng.sample(SETTLEMENTS_PER_ISLAND, len(ISLAND_NAMES))
    start = 0
    for name, region, peak, count in zip(ISLAND_NAMES, regions, PEAK_NAMES, counts):
        island = Island(name=name, region=region, peak=peak,
                        peak_height=rng.randint(60, 240) * 10)
        towns = _place_settlements(rng, name, town_names[start:start + count])
        start += count
        island.settlements = [t.name for t in towns]
        island.largest = max(towns, key=lambda t: t.population).name
        islands[name] = island
        settlements.update((t.name, t) for t in towns)
    towns = list(settlements.values())

    # -- trade goods: every good has at least one exporter; its biggest exporter is the producer
    good_names = list(GOODS)
    order = rng.sample(towns, len(towns))
    for i, town in enumerate(order):
        town.export = good_names[i] if i < len(good_names) else rng.choice(good_names)
    goods = {}
    for g in good_names:
        producer = max((t for t in towns if t.export == g), key=lambda t: t.population)
        goods[g] = Good(name=g, material=GOODS[g][0], use=GOODS[g][1], producer=producer.name)

    # -- people: one founder per town, plus a few inventors who founded nothing
    full_names = _people_names(rng, len(towns) + N_EXTRA_INVENTORS)
    people = {}
    for town, (name, pronoun) in zip(sorted(towns, key=lambda t: (t.founded, t.name)), full_names):
        born = town.founded - rng.randint(22, 48)
        people[name] = Person(name=name, pronoun=pronoun, born=born,
                              birthplace=_birthplace(rng, born, town.island, towns),
                              profession=rng.choice(PROFESSIONS), founded=town.name)
        town.founder = name
    extra = []
    for name, pronoun in full_names[len(towns):]:
        born = rng.randint(1260, 1700)
        home = rng.choice(ISLAND_NAMES)
        people[name] = Person(name=name, pronoun=pronoun, born=born,
                              birthplace=_birthplace(rng, born, home, towns),
                              profession=rng.choice(PROFESSIONS))
        extra.append(name)

    # -- inventions: the extra people plus some founders, one invention each
    founders = [p for p in people if people[p].founded]
    inventors = extra + rng.sample(founders, N_INVENTIONS - len(extra))
    inventions = {}
    for inv_name, who in zip(_invention_names(rng), inventors):
        person = people[who]
        year = person.born + rng.randint(25, 60)
        inventions[inv_name] = Invention(
            name=inv_name, inventor=who, year=year, purpose=DEVICE_PURPOSE[inv_name.split()[-1]],
            town=_invention_town(rng, person, year, settlements))
        person.invention = inv_name

    # -- festivals, each in its own town, first held after the town existed
    festivals = {}
    hosts = rng.sample(towns, N_FESTIVALS)
    names = _compound_names(rng, FESTIVAL_HEADS, FESTIVAL_TAILS, N_FESTIVALS, 2, joiner=" ")
    for fname, town in zip(names, hosts):
        festivals[fname] = Festival(
            name=fname, host=town.name, month=rng.choice(MONTHS),
            celebrates=rng.choice(CELEBRATES), food=rng.choice(FESTIVAL_FOODS),
            first_year=rng.randint(town.founded + 5, 1800))
        town.festival = fname
    return World(islands, settlements, people, inventions, festivals, goods)


def _people_names(rng: random.Random, n: int) -> list[tuple[str, str]]:
    """``n`` (full name, pronoun); family names are unique, given names used at most twice."""
    families = _compound_names(rng, FAMILY_HEADS, FAMILY_TAILS, n, 4)
    given = list(GIVEN_NAMES) * 2
    rng.shuffle(given)
    return [(f"{g} {f}", GIVEN_NAMES[g]) for g, f in zip(given, families)]


def _invention_names(rng: random.Random) -> list[str]:
    return _compound_names(rng, INVENTION_HEADS, list(DEVICE_PURPOSE), N_INVENTIONS, 3,
                           joiner=" ", banned=REAL_DEVICES)


def _invention_town(rng: random.Random, person: Person, year: int,
                    settlements: dict[str, Settlement]) -> str:
    """Where the first one was built: the inventor's own town if it existed by then."""
    for place in (person.founded, person.birthplace):
        if place in settlements and settlements[place].founded <= year:
            return place
    return rng.choice([s.name for s in settlements.values() if s.founded <= year])


# ---------------------------------------------------------------------------- passages
# A passage is rendered as sentences, each with the claims it states:
# (question type, subject, answer, group). ``group`` identifies the underlying fact, shared by
# its two directions ("X was founded by Y" / "Y founded X"), and decides the question split.

Claim = tuple[str, str, str, tuple[str, str]]

FILLERS = {
    "town": [
        "Its old streets are narrow and paved with grey stone.",
        "Many houses there have red tiled roofs.",
        "A small stone chapel stands near the main square.",
        "Locals say the wind never stops there.",
        "The market square is busy on most mornings.",
        "Old stone walls still surround the centre.",
        "Herb gardens grow behind most of the houses.",
    ],
    "life": [
        "Most families keep a small boat or a vegetable garden.",
        "Traders from other islands visit every summer.",
        "The local school teaches children to swim and to sail.",
        "Evenings are quiet, and most shops close early.",
        "People there are known for their long stories and strong tea.",
    ],
    "person": [
        "{P} travelled widely across the islands.",
        "Stories about {o} are still told by the fire in winter.",
        "{P} was known as a patient and careful worker.",
        "Letters written by {o} are kept in the island archive.",
        "Friends remembered {o} as cheerful and stubborn.",
    ],
    "invention": [
        "Early models were made of wood and brass.",
        "Copies can still be seen in museums across the islands.",
        "Workshops on other islands soon copied the design.",
        "Sailors quickly saw how useful it was.",
        "Later versions were smaller and lighter.",
    ],
    "festival": [
        "Music and dancing continue late into the night.",
        "Children make paper boats for the occasion.",
        "Houses are decorated with ribbons and lamps.",
        "Visitors come from the neighbouring islands.",
        "The celebration ends with a long walk down to the shore.",
    ],
    "good": [
        "Merchants from every island buy it at the spring markets.",
        "Its price rises sharply after a bad storm season.",
        "Small amounts are also made by families at home.",
        "It is packed in wooden crates for the long sea journey.",
    ],
    "island": [
        "Ferries link it with the neighbouring islands.",
        "Its coast is rocky, with many small coves.",
        "Sheep and goats graze on its green hills.",
        "Fog often covers the island in the early morning.",
        "Its inland valleys are used for farming.",
    ],
}
MIN_WORDS, MAX_WORDS = 36, 80


def _c(qtype: str, subject: str, answer: str, group: tuple[str, str] | None = None) -> Claim:
    return (qtype, subject, answer, group or (qtype, subject))


def _passage(rng: random.Random, title: str, sentences: list[tuple[str, list[Claim]]],
             filler: str, pron: str = "") -> tuple[str, str, list[Claim]]:
    """Join the fact sentences, pad with neutral filler up to ``MIN_WORDS`` words."""
    texts = [s for s, _ in sentences]
    claims = [c for _, cs in sentences for c in cs]
    pool = [f.format(P=pron.capitalize(), o=OBJECT.get(pron, "")) for f in FILLERS[filler]]
    rng.shuffle(pool)
    while len(" ".join(texts).split()) < MIN_WORDS:
        # never right before an "It ..." sentence, whose "it" must stay the entity
        spots = [i for i in range(1, len(texts) + 1)
                 if i == len(texts) or not texts[i].startswith(("It ", "Its "))]
        texts.insert(rng.choice(spots), pool.pop())
    text = " ".join(texts)
    if len(text.split()) > MAX_WORDS:
        raise AssertionError(f"passage {title!r} is too long")
    return title, text, claims


def _town_passage(rng: random.Random, w: World, t: Settlement):
    founder = w.people[t.founder]
    island = w.islands[t.island]
    s = [
        (rng.choice([f"{t.name} is a {t.kind} on the island of {t.island}.",
                     f"On the island of {t.island} lies {t.name}, a {t.kind}.",
                     f"{t.name}, a {t.kind}, stands on the island of {t.island}."]),
         [_c("settlement.island", t.name, t.island), _c("settlement.kind", t.name, t.kind)]),
        (rng.choice([f"It was founded in {t.founded} by {founder.name}, a {founder.profession}.",
                     f"{founder.name}, a {founder.profession}, founded it in {t.founded}.",
                     f"The settlement dates from {t.founded}, when {founder.name}, a "
                     f"{founder.profession}, built the first houses there."]),
         [_c("settlement.founded_year", t.name, str(t.founded)),
          _c("settlement.founder", t.name, founder.name, ("founder", t.name)),
          _c("person.founded", founder.name, t.name, ("founder", t.name)),
          _c("person.profession", founder.name, founder.profession)]),
        (rng.choice([f"The flag of {t.name} is {t.flag}.", f"Its flag is {t.flag}.",
                     f"The local flag is {t.flag}."]),
         [_c("settlement.flag", t.name, t.flag)]),
    ]
    if island.largest == t.name:
        s.append((rng.choice([f"It is the largest settlement on {t.island}.",
                              f"No other settlement on {t.island} has as many people."]),
                  [_c("island.largest", t.island, t.name)]))
    return _passage(rng, t.name, s, "town")


def _life_passage(rng: random.Random, w: World, t: Settlement):
    pop = f"{t.population:,}"
    s = [
        (rng.choice([f"About {pop} people live in {t.name}.",
                     f"{t.name} has a population of about {pop}.",
                     f"Around {pop} people call {t.name} home."]),
         [_c("settlement.population", t.name, pop)]),
        (rng.choice([f"Its main export is {t.export}.",
                     f"The settlement earns most of its money by exporting {t.export}.",
                     f"{t.name} is best known for exporting {t.export}."]),
         [_c("settlement.export", t.name, t.export)]),
        (rng.choice([f"The nearest settlement is {t.nearest}, {t.distance} km to the {t.direction}.",
                     f"{t.nearest} is the closest town, about {t.distance} km to the {t.direction}.",
                     f"Its closest neighbour is {t.nearest}, which lies {t.distance} km to the "
                     f"{t.direction}."]),
         [_c("settlement.nearest", t.name, t.nearest),
          _c("settlement.distance", t.name, f"{t.distance} km")]),
    ]
    if t.festival:
        f = w.festivals[t.festival]
        s.append((rng.choice([f"Every {f.month}, {t.name} hosts the {f.name}.",
                              f"Each year in {f.month}, {t.name} holds the {f.name}."]),
                  [_c("settlement.festival", t.name, f.name, ("festival", f.name)),
                   _c("festival.host", f.name, t.name, ("festival", f.name)),
                   _c("festival.month", f.name, f.month)]))
    return _passage(rng, f"{t.name}: economy and customs", s, "life")


def _person_passage(rng: random.Random, w: World, p: Person):
    P = p.pronoun.capitalize()
    where = (f"in {p.birthplace}" if p.birthplace in w.settlements
             else f"on the island of {p.birthplace}")
    s = [
        (rng.choice([f"{p.name} was born in {p.born} {where}.",
                     f"{p.name} was born {where} in {p.born}."]),
         [_c("person.born", p.name, str(p.born)), _c("person.birthplace", p.name, p.birthplace)]),
        (rng.choice([f"{P} worked as a {p.profession}.", f"By trade {p.pronoun} was a {p.profession}."]),
         [_c("person.profession", p.name, p.profession)]),
    ]
    if p.founded:
        t = w.settlements[p.founded]
        s.append((rng.choice([f"In {t.founded} {p.pronoun} founded {t.name} on the island of {t.island}.",
                              f"{P} founded {t.name}, on the island of {t.island}, in {t.founded}."]),
                  [_c("person.founded", p.name, t.name, ("founder", t.name)),
                   _c("settlement.founder", t.name, p.name, ("founder", t.name)),
                   _c("settlement.founded_year", t.name, str(t.founded)),
                   _c("settlement.island", t.name, t.island)]))
    if p.invention:
        inv = w.inventions[p.invention]
        s.append((rng.choice([f"{P} also invented the {inv.name} in {inv.year}.",
                              f"In {inv.year} {p.pronoun} built the first {inv.name}."]),
                  [_c("person.invented", p.name, inv.name, ("inventor", inv.name)),
                   _c("invention.inventor", inv.name, p.name, ("inventor", inv.name)),
                   _c("invention.year", inv.name, str(inv.year))]))
    return _passage(rng, p.name, s, "person", p.pronoun)


def _invention_passage(rng: random.Random, w: World, inv: Invention):
    s = [
        (rng.choice([f"The {inv.name} was invented in {inv.year} by {inv.inventor}.",
                     f"{inv.inventor} invented the {inv.name} in {inv.year}."]),
         [_c("invention.inventor", inv.name, inv.inventor, ("inventor", inv.name)),
          _c("person.invented", inv.inventor, inv.name, ("inventor", inv.name)),
          _c("invention.year", inv.name, str(inv.year))]),
        (rng.choice([f"It is used for {inv.purpose}.", f"People use it for {inv.purpose}."]),
         [_c("invention.purpose", inv.name, inv.purpose)]),
        (rng.choice([f"The first one was built in {inv.town}.",
                     f"The very first {inv.name} was made in {inv.town}."]),
         [_c("invention.town", inv.name, inv.town)]),
    ]
    return _passage(rng, f"The {inv.name}", s, "invention")


def _festival_passage(rng: random.Random, w: World, f: Festival):
    s = [
        (rng.choice([f"The {f.name} is held every {f.month} in {f.host}.",
                     f"Every {f.month}, the people of {f.host} celebrate the {f.name}."]),
         [_c("festival.host", f.name, f.host, ("festival", f.name)),
          _c("settlement.festival", f.host, f.name, ("festival", f.name)),
          _c("festival.month", f.name, f.month)]),
        (rng.choice([f"It celebrates the {f.celebrates}.", f"The festival marks the {f.celebrates}."]),
         [_c("festival.celebrates", f.name, f.celebrates)]),
        (rng.choice([f"It was first held in {f.first_year}.",
                     f"The first {f.name} took place in {f.first_year}."]),
         [_c("festival.first_year", f.name, str(f.first_year))]),
        (rng.choice([f"Visitors traditionally eat {f.food} during the festival.",
                     f"The typical festival food is {f.food}."]),
         [_c("festival.food", f.name, f.food)]),
    ]
    return _passage(rng, f"The {f.name}", s, "festival")


def _good_passage(rng: random.Random, w: World, g: Good):
    G = g.name[0].upper() + g.name[1:]
    s = [
        (rng.choice([f"{G} is made from {g.material}.", f"{G} is produced from {g.material}."]),
         [_c("good.material", g.name, g.material)]),
        (rng.choice([f"It is mainly used for {g.use}.", f"Buyers want it for {g.use}."]),
         [_c("good.use", g.name, g.use)]),
        (rng.choice([f"The largest producer of {g.name} is {g.producer}.",
                     f"Most {g.name} comes from {g.producer}, the largest producer."]),
         [_c("good.producer", g.name, g.producer)]),
    ]
    return _passage(rng, G, s, "good")


def _island_passage(rng: random.Random, w: World, i: Island):
    count = COUNT_WORDS[len(i.settlements)]
    height = f"{i.peak_height:,} metres"
    s = [
        (rng.choice([f"{i.name} is an island in the {i.region} of the {ARCHIPELAGO}.",
                     f"{i.name} lies in the {i.region} of the {ARCHIPELAGO}."]),
         [_c("island.region", i.name, i.region)]),
        (rng.choice([f"It has {count} settlements, and the largest is {i.largest}.",
                     f"There are {count} settlements on {i.name}, and {i.largest} is the biggest."]),
         [_c("island.count", i.name, count), _c("island.largest", i.name, i.largest)]),
        (rng.choice([f"Its highest peak is {i.peak}, which rises {height} above the sea.",
                     f"The highest point of {i.name} is {i.peak}, at {height}."]),
         [_c("island.peak", i.name, i.peak), _c("island.peak_height", i.name, height)]),
    ]
    return _passage(rng, i.name, s, "island")


@lru_cache(maxsize=1)
def _passages() -> tuple[tuple[str, str, str, tuple[Claim, ...]], ...]:
    """(id, title, text, claims) for every passage, in a shuffled, fixed order."""
    w = build_world()
    rng = random.Random(SEED + 1)
    rendered = (
        [_island_passage(rng, w, i) for i in w.islands.values()]
        + [_town_passage(rng, w, t) for t in w.settlements.values()]
        + [_life_passage(rng, w, t) for t in w.settlements.values()]
        + [_person_passage(rng, w, p) for p in w.people.values()]
        + [_invention_passage(rng, w, i) for i in w.inventions.values()]
        + [_festival_passage(rng, w, f) for f in w.festivals.values()]
        + [_good_passage(rng, w, g) for g in w.goods.values()]
    )
    rng.shuffle(rendered)
    return tuple((f"p{k:04d}", title, text, tuple(claims))
                 for k, (title, text, claims) in enumerate(rendered, start=1))


def generate_kb_passages() -> dict[str, list[dict]]:
    return {"corpus": [{"id": pid, "title": title, "text": text}
                       for pid, title, text, _ in _passages()]}


# ---------------------------------------------------------------------------- questions

QUESTIONS = {
    "island.region": ["In which part of the {arch} does {s} lie?", "Where in the {arch} is {s}?",
                      "Which part of the archipelago is {s} in?", "{s} is in which part of the {arch}?"],
    "island.count": ["How many settlements are there on {s}?", "{s} has how many settlements?",
                     "What is the number of settlements on {s}?",
                     "How many towns and villages does {s} have?"],
    "island.largest": ["What is the largest settlement on {s}?", "Which town on {s} has the most people?",
                       "What is the biggest settlement of {s}?", "Which settlement on {s} is the largest?"],
    "island.peak": ["What is the highest peak on {s}?", "Which mountain is the tallest on {s}?",
                    "Name the highest mountain of {s}.", "What is the name of the tallest peak on {s}?"],
    "island.peak_height": ["How high is the highest peak on {s}?",
                           "How tall is the tallest mountain on {s}?",
                           "What is the height of the highest mountain on {s}?"],
    "settlement.island": ["On which island is {s}?", "Which island is {s} on?",
                          "{s} is located on which island?", "On what island can you find {s}?"],
    "settlement.kind": ["What kind of settlement is {s}?", "What type of place is {s}?",
                        "How would you describe the settlement of {s}?"],
    "settlement.founded_year": ["When was {s} founded?", "In what year was {s} founded?",
                                "{s} was founded in which year?", "In which year did {s} begin?"],
    "settlement.founder": ["Who founded {s}?", "Which person established the town of {s}?",
                           "{s} was founded by whom?", "Who is the founder of {s}?"],
    "settlement.flag": ["What colours are on the flag of {s}?", "What are the colours of the flag of {s}?",
                        "Which colours does {s} use on its flag?", "Describe the colours of the {s} flag."],
    "settlement.population": ["How many people live in {s}?", "What is the population of {s}?",
                              "About how many people live in {s}?",
                              "Roughly how many inhabitants does {s} have?"],
    "settlement.export": ["What is the main export of {s}?", "What does {s} mainly export?",
                          "Which product is {s} best known for exporting?",
                          "What is the most important export of {s}?"],
    "settlement.nearest": ["Which settlement is nearest to {s}?", "What is the closest town to {s}?",
                           "Which town lies closest to {s}?", "Name the nearest neighbour of {s}."],
    "settlement.distance": ["How far is {s} from the nearest settlement?",
                            "What is the distance from {s} to its closest neighbour?",
                            "How many kilometres separate {s} from the nearest town?"],
    "settlement.festival": ["Which festival is held in {s}?", "What festival does {s} host?",
                            "{s} is home to which festival?", "Name the yearly festival of {s}."],
    "person.born": ["When was {s} born?", "In what year was {s} born?", "{s} was born in which year?",
                    "What is the birth year of {s}?"],
    "person.birthplace": ["Where was {s} born?", "What was the birthplace of {s}?",
                          "In which place was {s} born?", "Where did {s} come from originally?"],
    "person.profession": ["What was the job of {s}?", "What did {s} do for a living?",
                          "What was the profession of {s}?", "What trade did {s} work in?"],
    "person.founded": ["Which settlement did {s} found?", "What town was established by {s}?",
                       "{s} founded which settlement?", "Which place was founded by {s}?"],
    "person.invented": ["What did {s} invent?", "Which invention is {s} known for?",
                        "{s} is remembered for inventing what?", "What device did {s} create?"],
    "invention.inventor": ["Who invented the {s}?", "Who built the first {s}?",
                           "The {s} was invented by whom?", "Which person created the {s}?"],
    "invention.year": ["When was the {s} invented?", "In what year was the {s} invented?",
                       "The {s} dates from which year?", "In which year was the first {s} built?"],
    "invention.purpose": ["What is the {s} used for?", "What does the {s} help people do?",
                          "For what purpose was the {s} made?", "What job does the {s} do?"],
    "invention.town": ["Where was the first {s} built?", "In which town was the {s} first made?",
                       "The first {s} was built in which settlement?",
                       "In which settlement was the first {s} made?"],
    "festival.host": ["Where is the {s} held?", "Which town hosts the {s}?",
                      "The {s} takes place in which settlement?",
                      "In which settlement do people celebrate the {s}?"],
    "festival.month": ["In which month is the {s} held?", "When does the {s} take place each year?",
                       "What month is the {s} celebrated in?", "During which month is the {s}?"],
    "festival.celebrates": ["What does the {s} celebrate?", "What is the {s} held to celebrate?",
                            "What event does the {s} mark?"],
    "festival.food": ["What food is eaten at the {s}?",
                      "What do visitors traditionally eat during the {s}?",
                      "Which dish is served at the {s}?", "What is the typical food of the {s}?"],
    "festival.first_year": ["When was the {s} first held?", "In what year did the {s} begin?",
                            "The first {s} took place in which year?",
                            "Since which year has the {s} been held?"],
    "good.material": ["What is {s} made from?", "{s} is made of what?",
                      "What raw material is used to make {s}?", "Which material goes into {s}?"],
    "good.use": ["What is {s} used for?", "What do people use {s} for?", "What is the main use of {s}?"],
    "good.producer": ["Which town is the largest producer of {s}?", "Where does most {s} come from?",
                      "Which settlement makes the most {s}?", "What is the biggest producer of {s}?"],
}
TRAIN_PHRASINGS = 2  # per fact in train; validation and test ask each fact once


def _facts() -> dict[tuple[str, str], dict]:
    """(qtype, subject) -> answer, gold passage ids and fact group, over all passages."""
    facts: dict[tuple[str, str], dict] = {}
    for pid, _, _, claims in _passages():
        for qtype, subject, answer, group in claims:
            fact = facts.setdefault((qtype, subject), {"answer": answer, "gold": [], "group": group})
            if fact["answer"] != answer:
                raise AssertionError(f"inconsistent fact {qtype} {subject}: {fact['answer']} / {answer}")
            if pid not in fact["gold"]:
                fact["gold"].append(pid)
    return facts


def _question(template: str, subject: str) -> str:
    text = template.format(s=subject, arch=ARCHIPELAGO)
    return text[0].upper() + text[1:]


def _fact_split(rng: random.Random):
    """(facts, fact groups, split -> groups): every fact group goes to exactly one split."""
    facts = _facts()
    groups: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for key, fact in facts.items():
        groups.setdefault(fact["group"], []).append(key)
    order = list(groups)
    rng.shuffle(order)
    n_train = round(len(order) * QUESTION_SPLITS["train"])
    n_val = round(len(order) * QUESTION_SPLITS["validation"])
    cut = {"train": order[:n_train], "validation": order[n_train:n_train + n_val],
           "test": order[n_train + n_val:]}
    return facts, groups, cut


def held_out_keys() -> set[tuple[str, str]]:
    """Every (question type, subject) asked in validation or test, in either direction."""
    _, groups, cut = _fact_split(random.Random(SEED + 2))
    return {key for split in ("validation", "test") for g in cut[split] for key in groups[g]}


def generate_kb_questions() -> dict[str, list[dict]]:
    rng = random.Random(SEED + 2)
    facts, groups, cut = _fact_split(rng)
    splits = {}
    for split, split_groups in cut.items():
        rows = []
        for g in split_groups:
            # every (direction, phrasing) of the fact; train sees two, the others one
            options = [(key, t) for key in groups[g] for t in QUESTIONS[key[0]]]
            for key, template in rng.sample(options, TRAIN_PHRASINGS if split == "train" else 1):
                fact = facts[key]
                rows.append({"question": _question(template, key[1]), "answer": fact["answer"],
                             "gold_ids": sorted(fact["gold"])})
        rng.shuffle(rows)
        splits[split] = [{"id": f"kbq-{split}-{i:05d}", **r} for i, r in enumerate(rows)]
    return splits


def generate() -> dict[str, list[dict]]:
    """The questions; the registry asks for ``generate_kb_passages`` by name for the corpus."""
    return generate_kb_questions()
