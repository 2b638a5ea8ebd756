"""Word lists shared by the text generators: names, places, numbers, times."""

FIRST_NAMES = [
    "Tom", "Anna", "James", "Maria", "David", "Linda", "Peter", "Susan", "Jack", "Emma",
    "Frank", "Grace", "Henry", "Julia", "Kevin", "Laura", "Mike", "Nancy", "Oliver", "Paula",
    "Ray", "Sarah", "Steve", "Tina", "Victor", "Wendy", "Bill", "Carol", "Daniel", "Helen",
    "Jim", "Karen", "Leo", "Monica", "Nick", "Olivia", "Sam", "Rachel", "Ben", "Lucy",
]
SURNAMES = [
    "Smith", "Brown", "Green", "White", "Black", "Wilson", "Taylor", "Clark", "Lewis", "Hall",
    "Young", "King", "Wright", "Scott", "Baker", "Adams", "Nelson", "Hill", "Moore", "Wood",
]
NUMBER_WORDS = {
    1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight",
    9: "nine", 10: "ten", 12: "twelve", 15: "fifteen", 20: "twenty", 30: "thirty",
}
CLOCK_TIMES = [
    "seven o'clock", "half past seven", "eight o'clock", "six thirty", "nine o'clock",
    "ten in the morning", "noon", "two in the afternoon", "three thirty", "five o'clock",
    "a quarter past six", "eleven o'clock", "four in the afternoon", "eight thirty",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = ["January", "March", "April", "May", "June", "July", "August", "October", "December"]
COLOURS = ["red", "blue", "black", "white", "green", "grey", "yellow", "brown"]
CITIES = [
    "London", "Paris", "Boston", "Sydney", "Tokyo", "Rome", "Madrid", "Berlin", "Dublin",
    "Chicago", "Toronto", "Vienna", "Prague", "Lisbon", "Seattle", "Denver",
]
