"""Dialogue scenarios: the raw material of the DialogSum-shaped data set.

Each scenario writes one two-person conversation from random slot values (names, times,
items, places) and an outcome (accept / decline / a counter-offer), and the summary that
states them. Wording varies at every turn, so a summariser has to read the dialogue to
get the details right: the topic alone gives only the first few words of the summary.

A scenario is a function ``(Pick) -> Dialogue``; ``SCENARIOS`` lists them by topic.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from course_lib.data._vocab import (
    CITIES, CLOCK_TIMES, COLOURS, DAYS, FIRST_NAMES, MONTHS, NUMBER_WORDS, SURNAMES,
)


@dataclass
class Dialogue:
    topic: str
    turns: list[tuple[int, str]]          # (speaker 1 or 2, text)
    summary: str
    facts: list[tuple[str, str]] = field(default_factory=list)   # (question, short answer)

    def text(self) -> str:
        return "\n".join(f"#Person{s}#: {t}" for s, t in self.turns)


class Pick:
    """A seeded chooser: ``p(a, b, c)`` picks one alternative, ``p.chance(0.3)`` flips a coin."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def __call__(self, *options):
        return self.rng.choice(options)

    def of(self, seq):
        return self.rng.choice(list(seq))

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def two(self, seq):
        a, b = self.rng.sample(list(seq), 2)
        return a, b

    def number(self, lo: int, hi: int) -> str:
        return NUMBER_WORDS[self.of([n for n in NUMBER_WORDS if lo <= n <= hi])]

    def name(self) -> str:
        return self.of(FIRST_NAMES)

    def full_name(self) -> str:
        return f"{self.of(FIRST_NAMES)} {self.of(SURNAMES)}"


def _greet(p: Pick) -> list[tuple[int, str]]:
    """Optional small talk before the point, so the summary cannot just echo turn one."""
    if not p.chance(0.5):
        return []
    return [
        (1, p("Good morning.", "Hello there.", "Hi, do you have a minute?", "Excuse me.", "Hey, how are you?")),
        (2, p("Hello. How can I help you?", "Hi. What can I do for you?", "Sure, go ahead.",
              "Fine, thanks. What's up?", "Good morning. What do you need?")),
    ]


def _close(p: Pick) -> list[tuple[int, str]]:
    if not p.chance(0.5):
        return []
    return [
        (1, p("Thanks a lot.", "Great, thank you.", "Thank you for your help.", "OK, thanks.")),
        (2, p("You're welcome.", "No problem.", "My pleasure.", "Have a nice day.")),
    ]


def restaurant(p: Pick) -> Dialogue:
    place = p("Luigi's", "the Golden Dragon", "the Blue Fish", "Mario's Pizza", "the Corner Cafe", "Bella Roma")
    n, t1 = p.number(2, 8), p.of(CLOCK_TIMES[:9])
    t2 = p.of([t for t in CLOCK_TIMES[:9] if t != t1])
    day = p.of(DAYS)
    turns = _greet(p) + [
        (1, p(f"I'd like to book a table for {n} at {t1} on {day}.",
              f"Can I reserve a table for {n} people on {day} at {t1}?",
              f"We are {n} and we want to have dinner at {place} on {day} at {t1}.")),
    ]
    if p.chance(0.5):
        turns += [(2, p(f"Yes, we have a table at {t1}. May I have your name?", f"No problem, a table for {n} at {t1} is free.")),
                  (1, p("Wonderful.", "Perfect, thanks.", "Great."))]
        summary = p(f"#Person1# books a table for {n} at {place} at {t1} on {day}.",
                    f"#Person1# reserves a table for {n} people at {place} for {day} at {t1}.")
        when = t1
    else:
        turns += [(2, p(f"Sorry, we are fully booked at {t1}. Would {t2} be all right?",
                        f"I'm afraid {t1} is taken. We have a free table at {t2}.")),
                  (1, p(f"OK, {t2} is fine.", f"Fine, we'll come at {t2} then."))]
        summary = p(f"#Person1# wants a table for {n} at {place} at {t1} on {day}, but it is full, so #Person1# books {t2} instead.",
                    f"{place[0].upper() + place[1:]} is full at {t1}, so #Person1# books a table for {n} at {t2} on {day}.")
        when = t2
    if p.chance(0.7):  # the place is often only named by the person who answers the phone
        turns.insert(0, (2, p(f"Thank you for calling {place}.", f"This is {place}, good afternoon.")))
    return Dialogue("restaurant reservation", turns + _close(p), summary,
                    [("How many people is the table for?", n), ("What time is the table booked for?", when)])


def hotel(p: Pick) -> Dialogue:
    nights, room = p.number(2, 7), p("single room", "double room", "twin room", "suite")
    city, month = p.of(CITIES), p.of(MONTHS)
    view = p("a sea view", "a quiet room", "a balcony", "breakfast included")
    turns = _greet(p) + [
        (1, p(f"I need a {room} in {city} for {nights} nights in {month}.",
              f"Do you have a {room} for {nights} nights? I'm coming to {city} in {month}.")),
        (2, p(f"Let me check. Yes, a {room} is available.", f"We have one {room} left for those dates.")),
        (1, p(f"Can I have {view}?", f"Is it possible to get {view}?", f"I would like {view}, please.")),
    ]
    if p.chance(0.5):
        turns.append((2, p(f"Yes, {view} is possible.", f"Of course, I'll note {view}.")))
        summary = f"#Person1# books a {room} in {city} for {nights} nights in {month} with {view}."
    else:
        turns.append((2, p(f"Sorry, {view} is not possible this time.", f"I'm afraid we can't offer {view}.")))
        summary = f"#Person1# books a {room} in {city} for {nights} nights in {month}, but {view} is not available."
    return Dialogue("hotel booking", turns + _close(p), summary,
                    [("How many nights will the guest stay?", nights), ("Which city is the hotel in?", city)])


def job_interview(p: Pick) -> Dialogue:
    job = p("sales manager", "software engineer", "accountant", "teacher", "nurse", "designer", "waiter")
    years = p.number(2, 10)
    firm = p("a bank", "a software company", "a small school", "a hospital", "a travel agency", "a hotel")
    skill = p("speaks French", "can drive", "works well in a team", "knows Excel", "likes working with people")
    turns = _greet(p) + [
        (2, p(f"So you are applying for the {job} position.", f"Tell me why you want to be our new {job}.")),
        (1, p(f"Yes. I worked as a {job} at {firm} for {years} years.", f"I have {years} years of experience as a {job} at {firm}.")),
        (2, p("What else can you offer?", "What are your strengths?")),
        (1, p(f"I {skill}.", f"Well, I {skill}.")),
    ]
    if p.chance(0.5):
        turns.append((2, p(f"Good. Can you start on {p.of(DAYS)}?", "Excellent. We'd like to offer you the job.")))
        summary = f"#Person1# has worked as a {job} at {firm} for {years} years and {skill}. #Person2# offers #Person1# the job."
    else:
        turns.append((2, p("Thank you. We will call you next week.", "Thanks, we will let you know our decision.")))
        summary = f"#Person1# applies to be a {job}, has worked at {firm} for {years} years and {skill}. #Person2# will decide later."
    return Dialogue("job interview", turns + _close(p), summary,
                    [("Which job is the interview for?", job), ("How many years of experience does the candidate have?", years)])


def doctor(p: Pick) -> Dialogue:
    pain = p("a headache", "a sore throat", "a pain in the back", "a bad cough", "a fever", "a stomach ache")
    days = p.number(2, 7)
    cure = p("take some medicine", "drink a lot of water", "stay in bed", "stop working at night", "eat less sugar")
    turns = _greet(p) + [
        (2, p("What seems to be the problem?", "How can I help you today?", "What brings you here?")),
        (1, p(f"I have had {pain} for {days} days.", f"I've got {pain}. It started {days} days ago.")),
        (2, p("Let me have a look.", "I see. Open your mouth, please.", "Do you sleep well?")),
        (2, p(f"It's nothing serious. You should {cure}.", f"I think you need to {cure}.", f"Please {cure} for a week.")),
    ]
    summary = p(f"#Person1# has had {pain} for {days} days. #Person2# tells #Person1# to {cure}.",
                f"#Person1# sees the doctor about {pain}, and #Person2# advises #Person1# to {cure}.")
    return Dialogue("health and doctor visit", turns + _close(p), summary,
                    [("What is the patient's problem?", pain), ("What does the doctor advise?", cure)])


def clothes(p: Pick) -> Dialogue:
    item = p("jacket", "sweater", "dress", "pair of jeans", "shirt", "coat", "skirt")
    c1, c2 = p.two(COLOURS)
    size, price = p("small", "medium", "large"), p.number(20, 30) + " dollars"
    turns = _greet(p) + [
        (1, p(f"I'm looking for a {c1} {item} in {size}.", f"Do you have this {item} in {c1}? I need a {size}.")),
        (2, p(f"Sorry, we only have it in {c2}.", f"The {c1} one is sold out, but there is a {c2} one.")),
        (1, p("How much is it?", "What's the price?")),
        (2, p(f"It's {price}.", f"Only {price}.")),
    ]
    if p.chance(0.5):
        turns.append((1, p(f"OK, I'll take the {c2} one.", "Fine, I'll buy it.")))
        summary = f"#Person1# wants a {c1} {item} in {size}, but only {c2} is left. #Person1# buys the {c2} one for {price}."
    else:
        turns.append((1, p("Hmm, I don't like that colour. Maybe next time.", "No, thanks. I really want it in " + c1 + ".")))
        summary = f"#Person1# wants a {c1} {item} in {size}, but the shop only has {c2}, so #Person1# doesn't buy it."
    return Dialogue("shopping for clothes", turns + _close(p), summary,
                    [("Which colour did the customer want?", c1), ("What does the item cost?", price)])


def phone(p: Pick) -> Dialogue:
    device = p("phone", "laptop", "camera", "tablet", "pair of headphones", "printer")
    feat = p("a long battery life", "a good camera", "a big screen", "a light weight", "a low price")
    brand1, brand2 = p.two(["Zenith", "Nova", "Orbit", "Pixelon", "Aurora", "Vertex"])
    turns = _greet(p) + [
        (1, p(f"I want to buy a new {device}.", f"Can you help me choose a {device}?")),
        (2, p("What is most important to you?", "What are you looking for?")),
        (1, p(f"I need {feat}.", f"Something with {feat}, please.")),
        (2, p(f"Then I'd suggest the {brand1}. The {brand2} is cheaper but not as good.",
              f"The {brand1} has {feat}. The {brand2} doesn't.")),
    ]
    if p.chance(0.5):
        turns.append((1, p(f"OK, I'll take the {brand1}.", f"Great, I'll buy the {brand1}.")))
        summary = f"#Person1# wants a {device} with {feat}. #Person2# recommends the {brand1}, and #Person1# buys it."
    else:
        turns.append((1, p(f"I think I'll buy the {brand2}. It's cheaper.", f"I'll go with the {brand2} anyway.")))
        summary = f"#Person1# wants a {device} with {feat}. #Person2# recommends the {brand1}, but #Person1# chooses the {brand2}."
    return Dialogue("buying electronics", turns + _close(p), summary,
                    [("What does the customer want to buy?", device), ("Which brand does the seller recommend?", brand1)])


def directions(p: Pick) -> Dialogue:
    dest = p("the train station", "the post office", "the museum", "the city hall", "the hospital", "the bus stop", "the bank")
    turn_dir, landmark = p("left", "right"), p("the church", "the big supermarket", "the park", "the traffic lights", "the bridge")
    mins = p.number(3, 20)
    turns = [
        (1, p(f"Excuse me, how can I get to {dest}?", f"Could you tell me the way to {dest}?", f"Where is {dest}, please?")),
        (2, p(f"Go straight and turn {turn_dir} at {landmark}.", f"Walk to {landmark} and then turn {turn_dir}.")),
        (1, p("Is it far?", "How long does it take?")),
        (2, p(f"About {mins} minutes on foot.", f"It's a {mins} minute walk.")),
    ]
    summary = p(f"#Person1# asks the way to {dest}. #Person2# says to turn {turn_dir} at {landmark}; it is {mins} minutes away.",
                f"#Person2# tells #Person1# how to get to {dest}: turn {turn_dir} at {landmark} and walk {mins} minutes.")
    return Dialogue("asking for directions", turns + _close(p), summary,
                    [("Where does the person want to go?", dest), ("Where should they turn?", landmark)])


def apartment(p: Pick) -> Dialogue:
    rooms, rent = p.number(1, 4), p("500", "650", "800", "950", "1200") + " dollars"
    area = p("near the university", "in the city centre", "by the river", "next to the park", "close to the station")
    problem = p("there is no washing machine", "pets are not allowed", "the kitchen is very small", "the heating is old")
    turns = _greet(p) + [
        (1, p(f"I saw your ad for the flat {area}.", f"I'm calling about the apartment {area}.")),
        (2, p(f"Yes, it has {rooms} bedrooms and the rent is {rent} a month.", f"It's a {rooms} bedroom flat for {rent} a month.")),
        (1, p("Is there anything I should know?", "Any problems with it?")),
        (2, p(f"Well, {problem}.", f"Only that {problem}.")),
    ]
    if p.chance(0.5):
        turns.append((1, p("That's fine. Can I see it tomorrow?", "No problem. I'd like to visit it.")))
        summary = f"#Person1# calls about a {rooms} bedroom flat {area} for {rent} a month. Although {problem}, #Person1# wants to see it."
    else:
        turns.append((1, p("Oh, then it's not for me.", "Sorry, that won't work for me.")))
        summary = f"#Person1# asks about a flat {area} for {rent} a month, but {problem}, so #Person1# is not interested."
    return Dialogue("renting an apartment", turns + _close(p), summary,
                    [("How much is the rent?", rent), ("Where is the flat?", area)])


def trip(p: Pick) -> Dialogue:
    city, month = p.of(CITIES), p.of(MONTHS)
    how, weeks = p("by train", "by plane", "by car", "by bus"), p.number(1, 3)
    partner = p.name()
    turns = _greet(p) + [
        (1, p(f"I'm planning a trip to {city} with {partner} in {month}.", f"{partner} and I are going to {city} in {month}.")),
        (2, p("How will you get there?", "Are you flying?")),
        (1, p(f"We'll go {how}.", f"We decided to travel {how}.")),
        (2, p("How long will you stay?", "For how long?")),
        (1, p(f"{weeks.capitalize()} weeks.", f"About {weeks} weeks.")),
    ]
    summary = p(f"#Person1# and {partner} are travelling to {city} {how} in {month} for {weeks} weeks.",
                f"#Person1# tells #Person2# about a {weeks} week trip to {city} {how} with {partner} in {month}.")
    return Dialogue("planning a trip", turns + _close(p), summary,
                    [("Where is the trip to?", city), ("How will they travel?", how)])


def lost_item(p: Pick) -> Dialogue:
    item = p("wallet", "umbrella", "bag", "phone", "key", "passport", "watch")
    colour, place = p.of(COLOURS), p("on the bus", "in the library", "at the cinema", "in a taxi", "in the park", "at the gym")
    day = p.of(DAYS)
    turns = _greet(p) + [
        (1, p(f"I lost my {item} {place} on {day}.", f"I think I left my {item} {place} last {day}.")),
        (2, p("What does it look like?", "Can you describe it?")),
        (1, p(f"It's {colour}.", f"A small {colour} {item}.")),
    ]
    if p.chance(0.5):
        turns.append((2, p(f"Let me check. Yes, someone found a {colour} {item}.", f"You're lucky. We have a {colour} {item} here.")))
        summary = f"#Person1# lost a {colour} {item} {place} on {day}, and #Person2# has found it."
    else:
        turns.append((2, p("Sorry, nobody has handed it in. Leave your number, please.", "I'm afraid we don't have it. Please call again.")))
        summary = f"#Person1# lost a {colour} {item} {place} on {day}, but it has not been found yet."
    return Dialogue("lost and found", turns + _close(p), summary,
                    [("What did the person lose?", item), ("Where was it lost?", place)])


def party(p: Pick) -> Dialogue:
    who, day = p.name(), p.of(DAYS)
    food, guests = p("a chocolate cake", "pizza", "sandwiches", "a barbecue", "ice cream"), p.number(5, 30)
    task = p("send the invitations", "buy the drinks", "book the hall", "bring the music", "decorate the room")
    turns = [
        (1, p(f"{who}'s birthday is on {day}. Let's have a surprise party.", f"Shall we throw a party for {who} on {day}? It's the birthday.")),
        (2, p("Great idea! How many people should we invite?", "Sure! Who should we invite?")),
        (1, p(f"About {guests} friends.", f"Maybe {guests} people.")),
        (2, p(f"I'll get {food}.", f"What about {food}?")),
        (1, p(f"OK. And I will {task}.", f"Good. I can {task}.")),
    ]
    summary = p(f"#Person1# and #Person2# plan a surprise party for {who} on {day} with {guests} guests. #Person2# will get {food}, and #Person1# will {task}.",
                f"#Person1# suggests a birthday party for {who} on {day}. They invite {guests} people; #Person1# will {task}.")
    return Dialogue("party planning", turns + _close(p), summary,
                    [("Whose birthday is it?", who), ("How many guests are invited?", guests)])


def movie(p: Pick) -> Dialogue:
    film = p("a comedy", "a horror film", "an action movie", "a cartoon", "a love story", "a science fiction film")
    t, day = p.of(CLOCK_TIMES[:10]), p.of(DAYS)
    other = p("go bowling", "stay at home", "go to a concert", "have dinner out", "play tennis")
    turns = [
        (1, p(f"Do you want to see {film} on {day}?", f"There's {film} at the cinema on {day}. Are you coming?")),
    ]
    if p.chance(0.5):
        turns += [(2, p(f"Sure! What time does it start?", "I'd love to. When is it?")),
                  (1, p(f"At {t}.", f"It begins at {t}.")), (2, p("Let's meet at the cinema then.", "See you there."))]
        summary = f"#Person1# and #Person2# will watch {film} on {day} at {t}."
    else:
        turns += [(2, p(f"I don't like {film[2:] if film.startswith('a ') else film[3:]}s much. Why don't we {other}?", f"Not really. Let's {other} instead.")),
                  (1, p("OK, fine.", "All right, that sounds good."))]
        summary = f"#Person1# invites #Person2# to see {film} on {day}, but #Person2# suggests they {other} instead."
    return Dialogue("going to the movies", turns + _close(p), summary,
                    [("What kind of film is it?", film), ("On which day?", day)])


def library(p: Pick) -> Dialogue:
    book = p("a history book", "a novel", "a cookbook", "a book about birds", "a maths textbook", "a travel guide")
    days_late, fine = p.number(2, 10), p("one dollar", "two dollars", "five dollars", "fifty cents")
    turns = _greet(p) + [
        (1, p(f"I'd like to return {book}.", f"Here is {book} I borrowed.")),
        (2, p(f"It is {days_late} days late.", f"I see it's {days_late} days overdue.")),
        (2, p(f"You have to pay a fine of {fine}.", f"The fine is {fine}.")),
        (1, p("Sorry, I forgot. Here you are.", "Oh, I'm sorry. Can I pay by card?")),
    ]
    summary = p(f"#Person1# returns {book} {days_late} days late and pays a fine of {fine}.",
                f"#Person1# brings back {book}, which is {days_late} days overdue, so #Person1# must pay {fine}.")
    return Dialogue("library", turns + _close(p), summary,
                    [("How late is the book?", days_late + " days"), ("How much is the fine?", fine)])


def bank(p: Pick) -> Dialogue:
    acct = p("savings account", "student account", "current account", "business account")
    doc = p("passport", "driving licence", "student card", "utility bill")
    amount = p("100", "200", "500", "1000") + " dollars"
    turns = _greet(p) + [
        (1, p(f"I'd like to open a {acct}.", f"Can I open a {acct} here?")),
        (2, p("Do you have any identification?", "I need to see some ID, please.")),
        (1, p(f"Here is my {doc}.", f"I have my {doc} with me.")),
        (2, p(f"Fine. You need to put in at least {amount}.", f"Good. The first deposit is {amount}.")),
    ]
    summary = p(f"#Person1# opens a {acct} with a {doc} and has to deposit {amount}.",
                f"#Person1# wants a {acct}. #Person2# checks the {doc} and asks for a deposit of {amount}.")
    return Dialogue("opening a bank account", turns + _close(p), summary,
                    [("What kind of account is opened?", acct), ("Which document is shown?", doc)])


def car_repair(p: Pick) -> Dialogue:
    part = p("the brakes", "the engine", "a tyre", "the battery", "the lights", "the air conditioning")
    cost, day = p("80", "150", "300", "450") + " dollars", p.of(DAYS)
    turns = _greet(p) + [
        (1, p(f"My car makes a strange noise. I think it's {part}.", f"Could you check my car? There's a problem with {part}.")),
        (2, p(f"Yes, {part} must be replaced.", f"We need to fix {part}.")),
        (1, p("How much will it cost?", "What's the price?")),
        (2, p(f"About {cost}. It will be ready on {day}.", f"{cost}, and you can pick it up on {day}.")),
    ]
    summary = f"#Person2# will repair {part} of #Person1#'s car for {cost}. It will be ready on {day}."
    return Dialogue("car repair", turns + _close(p), summary,
                    [("What is broken?", part), ("When will the car be ready?", day)])


def delivery(p: Pick) -> Dialogue:
    dish = p("a large pizza", "two burgers", "chicken curry", "fried rice", "a salad", "noodle soup")
    drink, mins = p("a cola", "orange juice", "water", "lemonade"), p.number(15, 30)
    street = p("Park Street", "Hill Road", "Lake Avenue", "Green Lane", "King Street")
    turns = [
        (1, p(f"Hello, I'd like to order {dish} and {drink}.", f"Can I get {dish} with {drink}, please?")),
        (2, p("What's your address?", "Where should we deliver it?")),
        (1, p(f"Number {p.number(1, 20)}, {street}.", f"I live on {street}.")),
        (2, p(f"It will be there in {mins} minutes.", f"The driver will arrive in about {mins} minutes.")),
    ]
    summary = p(f"#Person1# orders {dish} and {drink} to {street}. It will arrive in {mins} minutes.",
                f"#Person1# orders food for delivery: {dish} and {drink}, in {mins} minutes.")
    return Dialogue("ordering food", turns + _close(p), summary,
                    [("What food is ordered?", dish), ("How long will the delivery take?", mins + " minutes")])


def gym(p: Pick) -> Dialogue:
    plan = p("a monthly", "a yearly", "a student", "a weekend")
    price, cls = p("30", "25", "300", "15") + " dollars", p("yoga", "swimming", "boxing", "dance", "cycling")
    turns = _greet(p) + [
        (1, p(f"How much is {plan} membership?", f"I'm interested in {plan} membership.")),
        (2, p(f"It's {price}.", f"That costs {price}.")),
        (1, p(f"Does it include {cls} classes?", f"Can I join the {cls} class too?")),
    ]
    if p.chance(0.5):
        turns.append((2, p(f"Yes, {cls} is included.", f"Of course, {cls} classes are free for members.")))
        summary = f"#Person1# asks about {plan} gym membership for {price}, which includes {cls} classes."
    else:
        turns.append((2, p(f"No, {cls} costs extra.", f"I'm afraid {cls} classes are not included.")))
        summary = f"#Person1# asks about {plan} gym membership for {price}; {cls} classes cost extra."
    return Dialogue("gym membership", turns + _close(p), summary,
                    [("How much is the membership?", price), ("Which class is asked about?", cls)])


def picnic(p: Pick) -> Dialogue:
    day, place = p.of(DAYS), p("the beach", "the lake", "the park", "the mountains", "the river")
    weather, plan_b = p("rain", "a storm", "strong wind", "snow"), p("visit a museum", "watch a film at home", "go shopping", "play cards")
    turns = [
        (1, p(f"Shall we have a picnic at {place} on {day}?", f"Let's go to {place} on {day}.")),
        (2, p(f"The forecast says there will be {weather} on {day}.", f"I heard {weather} is coming on {day}.")),
        (1, p(f"Oh no. Then let's {plan_b}.", f"In that case, why don't we {plan_b}?")),
        (2, p("Good idea.", "Sounds good to me.")),
    ]
    summary = p(f"#Person1# wants a picnic at {place} on {day}, but {weather} is expected, so they will {plan_b}.",
                f"Because of {weather} on {day}, #Person1# and #Person2# decide to {plan_b} instead of going to {place}.")
    return Dialogue("weather and plans", turns + _close(p), summary,
                    [("What weather is expected?", weather), ("What will they do instead?", plan_b)])


def homework(p: Pick) -> Dialogue:
    subject = p("maths", "chemistry", "history", "physics", "English", "biology")
    topic = p("the essay", "question five", "the lab report", "the last chapter", "the exercises")
    day, helper = p.of(DAYS), p.name()
    turns = [
        (1, p(f"I don't understand {topic} in our {subject} homework.", f"Can you help me with {topic}? {subject.capitalize()} is so hard.")),
        (2, p(f"When is it due?", "When do we have to hand it in?")),
        (1, p(f"On {day}.", f"It's due on {day}.")),
        (2, p(f"Ask {helper}. {helper} is good at {subject}.", f"Let's study together with {helper}.")),
    ]
    summary = p(f"#Person1# needs help with {topic} in {subject}, due on {day}. #Person2# suggests asking {helper}.",
                f"#Person1# finds {topic} in the {subject} homework difficult; it is due on {day}, and #Person2# mentions {helper}.")
    return Dialogue("homework help", turns + _close(p), summary,
                    [("Which subject is the homework?", subject), ("When is the homework due?", day)])


def noise(p: Pick) -> Dialogue:
    source, t = p("loud music", "a barking dog", "a party", "the television", "drilling"), p("midnight", "two in the morning", "eleven at night", "six in the morning")
    fix = p("turn it down", "keep the windows closed", "stop before ten", "move the speakers")
    turns = [
        (1, p(f"Sorry to bother you, but there was {source} until {t} last night.", f"Excuse me, I couldn't sleep because of {source} at {t}.")),
        (2, p("Oh, I'm so sorry. I didn't know it was that loud.", "Really? I had no idea.")),
        (1, p(f"Could you please {fix}?", f"Would you {fix} next time?")),
    ]
    if p.chance(0.5):
        turns.append((2, p(f"Of course, I'll {fix}.", "Sure, it won't happen again.")))
        summary = f"#Person1# complains about {source} until {t}. #Person2# apologises and promises to {fix}."
    else:
        turns.append((2, p("Well, it's my flat. I can do what I want.", "It wasn't that loud. I won't change anything.")))
        summary = f"#Person1# complains about {source} until {t}, but #Person2# refuses to {fix}."
    return Dialogue("complaining to a neighbour", turns + _close(p), summary,
                    [("What was the noise?", source), ("Until when was it noisy?", t)])


def airport(p: Pick) -> Dialogue:
    city, gate, bags = p.of(CITIES), p("gate four", "gate twelve", "gate nine", "gate two", "gate seven"), p.number(2, 3)
    seat = p("a window seat", "an aisle seat", "a seat near the exit", "a seat at the front")
    turns = _greet(p) + [
        (1, p(f"I'm checking in for the flight to {city}.", f"Is this the check-in for {city}?")),
        (2, p("How many bags do you have?", "Any bags to check?")),
        (1, p(f"{bags.capitalize()}. And can I have {seat}?", f"I have {bags}. I'd like {seat}, please.")),
        (2, p(f"Sure. Your flight boards at {gate}.", f"Here is your boarding pass. Please go to {gate}.")),
    ]
    summary = p(f"#Person1# checks in {bags} bags for the flight to {city}, gets {seat} and boards at {gate}.",
                f"#Person1# checks in for {city} with {bags} bags and asks for {seat}; the flight leaves from {gate}.")
    return Dialogue("airport check-in", turns + _close(p), summary,
                    [("Where is the flight going?", city), ("Which gate?", gate)])


def returns(p: Pick) -> Dialogue:
    item = p("toaster", "lamp", "kettle", "shirt", "pair of shoes", "clock", "radio")
    fault, days = p("it doesn't work", "it is broken", "it is the wrong size", "the colour is wrong"), p.number(2, 15)
    turns = _greet(p) + [
        (1, p(f"I bought this {item} {days} days ago and {fault}.", f"I want to return this {item}. {fault.capitalize()}.")),
        (2, p("Do you have the receipt?", "Have you got your receipt?")),
    ]
    if p.chance(0.5):
        turns += [(1, p("Yes, here it is.", "Yes, I kept it.")), (2, p("Then we can give you your money back.", "OK, here is a full refund."))]
        summary = f"#Person1# returns a {item} because {fault}, shows the receipt and gets a refund."
    else:
        turns += [(1, p("No, I lost it.", "I'm afraid I threw it away.")), (2, p("Without a receipt I can only exchange it.", "Sorry, then we can only offer an exchange."))]
        summary = f"#Person1# wants to return a {item} because {fault}, but without a receipt can only exchange it."
    return Dialogue("returning a product", turns + _close(p), summary,
                    [("What is being returned?", item), ("What is wrong with it?", fault)])


def taxi(p: Pick) -> Dialogue:
    dest, t = p("the airport", "the central station", "the harbour", "the stadium", "the city hospital"), p.of(CLOCK_TIMES)
    street, fare = p("Park Street", "Hill Road", "Lake Avenue", "Green Lane", "King Street"), p("20", "35", "45", "60") + " dollars"
    turns = [
        (1, p(f"I need a taxi to {dest} at {t}.", f"Can you send a car at {t}? I'm going to {dest}.")),
        (2, p("What is the pick-up address?", "Where should the driver pick you up?")),
        (1, p(f"{street}.", f"I'm on {street}.")),
        (2, p(f"Fine. It will cost about {fare}.", f"OK, the fare is around {fare}.")),
    ]
    summary = p(f"#Person1# books a taxi from {street} to {dest} at {t} for about {fare}.",
                f"#Person1# orders a taxi at {t} to go to {dest}; the fare is about {fare}.")
    return Dialogue("booking a taxi", turns + _close(p), summary,
                    [("Where is the taxi going?", dest), ("What is the fare?", fare)])


def cooking(p: Pick) -> Dialogue:
    dish = p("pancakes", "tomato soup", "an apple pie", "fried rice", "a vegetable curry", "lemon cake")
    secret, mins = p("a little honey", "fresh herbs", "more butter", "a pinch of salt", "some cheese"), p.number(10, 30)
    turns = [
        (1, p(f"Your {dish} is delicious. How do you make it?", f"Can you teach me to cook {dish}?")),
        (2, p(f"It's easy. The secret is {secret}.", f"I always add {secret}. That's the trick.")),
        (1, p("How long does it take?", "Is it quick?")),
        (2, p(f"About {mins} minutes.", f"Only {mins} minutes.")),
    ]
    summary = p(f"#Person2# explains how to make {dish}: the secret is {secret}, and it takes {mins} minutes.",
                f"#Person1# asks for the recipe for {dish}. #Person2# adds {secret} and cooks it in {mins} minutes.")
    return Dialogue("cooking", turns + _close(p), summary,
                    [("Which dish is discussed?", dish), ("What is the secret?", secret)])


def phone_plan(p: Pick) -> Dialogue:
    issue = p("my bill is too high", "my internet is slow", "I have no signal at home", "I want more data")
    offer, price = p("a new plan", "a free router", "ten more gigabytes", "a discount"), p("10", "15", "20", "25") + " dollars"
    turns = _greet(p) + [
        (1, p(f"I'm calling because {issue}.", f"Hello, {issue}.")),
        (2, p(f"I'm sorry. We can give you {offer} for {price} a month.", f"Let me see. I can offer {offer} at {price} a month.")),
    ]
    if p.chance(0.5):
        turns.append((1, p("That sounds good. Please do it.", "OK, I'll accept that.")))
        summary = f"#Person1# calls because {issue.replace('my ', 'the ').replace('I have', 'there is').replace('I want', '#Person1# wants')}. #Person1# accepts {offer} for {price} a month."
    else:
        turns.append((1, p("No, that's too expensive. I'll cancel my contract.", "That's not enough. I want to cancel.")))
        summary = f"#Person1# calls because {issue.replace('my ', 'the ').replace('I have', 'there is').replace('I want', '#Person1# wants')}, refuses {offer} for {price} and cancels the contract."
    return Dialogue("phone and internet service", turns + _close(p), summary,
                    [("What is the customer's problem?", issue), ("What is offered?", offer)])


SCENARIOS = {f.__name__: f for f in (
    restaurant, hotel, job_interview, doctor, clothes, phone, directions, apartment, trip,
    lost_item, party, movie, library, bank, car_repair, delivery, gym, picnic, homework,
    noise, airport, returns, taxi, cooking, phone_plan,
)}
TOPICS = sorted({"restaurant reservation", "hotel booking", "job interview", "health and doctor visit",
                 "shopping for clothes", "buying electronics", "asking for directions", "renting an apartment",
                 "planning a trip", "lost and found", "party planning", "going to the movies", "library",
                 "opening a bank account", "car repair", "ordering food", "gym membership", "weather and plans",
                 "homework help", "complaining to a neighbour", "airport check-in", "returning a product",
                 "booking a taxi", "cooking", "phone and internet service"})


def make_dialogue(rng: random.Random, scenario: str | None = None) -> tuple[str, Dialogue]:
    """One dialogue from ``scenario`` (or a random one), with its scenario name."""
    name = scenario or rng.choice(sorted(SCENARIOS))
    return name, SCENARIOS[name](Pick(rng))
