"""Writes resources/example/marisol_quint.csv: tweets we wrote ourselves for a fictional chef."""
import csv
import datetime as dt
import random
from pathlib import Path

TWEETS = [
 # September 2024
 "Ember & Salt turns one year old today. Thank you to every single person who ate with us, washed dishes with us, or cheered from afar ❤️",
 "First figs of the season from @hollowfarm and I am not okay. Roasting them with honey and black pepper tonight 🔥",
 "Prep list for tomorrow: 40 lbs of tomatoes, 12 bunches of basil, one very tired chef.",
 "Someone left a one-star review because we don't serve ketchup. I will be thinking about this for the rest of my life.",
 "New menu goes live Thursday. Three new dishes, two returning favourites, one risky dessert.",
 "Proud of my kitchen team tonight. 210 covers, zero sent-back plates, and everyone still smiling at close 🙌",
 "Burned my forearm on the salamander again. Chef life is glamorous, they said.",
 "Reminder that restaurant workers deserve health insurance. This shouldn't be a controversial opinion.",
 "Recipe for the charred corn salad everyone keeps asking about is up on the blog: https://emberandsalt.example/corn",
 "Live on @morningplatetv at 8:15 tomorrow making a three-ingredient tomato tart. Set your alarms!",
 "That went well!! Thanks @morningplatetv for having me, and sorry to the camera guy for the flour cloud 😂",
 "Our walk-in cooler died overnight. Lost about $3,000 of product. Genuinely heartbreaking morning.",
 "The repair tech says the compressor was fifteen years old. We're closed for dinner tonight, sorry everyone.",
 "Back open tomorrow. Huge thanks to @portbakery for letting us borrow fridge space. This community is incredible.",
 "Market haul: heirloom squash, late peaches, and more chillies than anyone needs 🌶️🌶️🌶️",
 "Booked for the Port Hollis harvest festival on October 12. We'll be doing smoked brisket sandwiches.",
 "Why do tweezers cost $40 when they're sold as 'chef tools' and $4 at the pharmacy? Asking for a friend.",
 "Staff meal today was fried rice made from every leftover in the building. Honestly the best thing we cooked all week.",
 "Delivery apps taking 30% of every order is killing small restaurants. We're ending our contract at the end of the month.",
 "Ok the response to us leaving the delivery apps has been overwhelming. So many of you calling in orders directly 🥹 thank you",
 "The phone has not stopped ringing. Hiring one more host, DM if you're interested.",
 "Tried to make sourdough at home. It's a brick. A beautiful, dense brick.",
 "Hot take: most restaurant bread is better than most restaurant dessert.",
 "Tonight's special: seared scallops, brown butter, crispy sage. Only 30 portions.",
 "Sold out of scallops by 7pm. You people are fast.",
 # October 2024
 "October means the soup menu is back. Butternut, lentil, and a chicken and dumpling I'm very proud of.",
 "Harvest festival was chaos in the best way. 600 sandwiches, one broken tent, a thousand happy faces 🍂",
 "Rain ruined the second day of the festival. We packed up at noon and gave the leftover brisket to the shelter.",
 "Thank you @hollisshelter for taking the food, and thank you to the volunteers who helped us load the van in a downpour.",
 "Reading the comments on the new parking rules downtown. Our lunch trade is going to suffer. Not thrilled.",
 "City council meeting on the parking changes is Tuesday at 6. Small business owners, please come speak.",
 "Spoke at council. They listened, mostly. We'll see what happens.",
 "The council delayed the parking changes by six months! Small win, but a win 🎉",
 "Cookbook update: chapter four is done. It's all about braising and I cried writing the intro about my grandmother.",
 "My grandmother's oxtail recipe will be in the book. She'd have hated the photos, she thought plating was for show-offs.",
 "Someone stole our herb planters from the front patio. Who does that?",
 "Neighbours found the planters two streets over and brought them back. Faith in humanity partially restored 🌿",
 "Pumpkin spice is fine, actually. Let people enjoy things.",
 "We're testing a tasting menu on Sundays. Seven courses, 24 seats. Reservations open Monday.",
 "Tasting menu sold out in four minutes. I don't know what to say except thank you and I'm nervous.",
 "First Sunday tasting menu done. Two courses were great, three were fine, two need work. Honest notes for next week.",
 "Supplier shorted us on beef again. Third time this month. Looking for a new butcher, recommendations welcome.",
 "Met with @kellerbutchery today. Great people, great meat, and they actually answer the phone.",
 "Happy Halloween from the kitchen! The line cooks are dressed as the health inspector 👻",
 "Halloween dinner service was a disaster. Two no-show cooks and a broken dishwasher. We got through it, barely.",
 "Exhausted. Going to sleep for eleven hours.",
 # November 2024
 "November menu: duck confit, celeriac purée, and a pear tarte tatin that took eleven tries to get right.",
 "Just found out we made the Port Hollis Gazette's best new restaurants list. I am screaming into a kitchen towel 😭",
 "Thank you @hollisgazette. Every person on my team earned this.",
 "Got an email from a critic calling our food 'aggressively seasoned'. I'm choosing to take that as a compliment.",
 "Food costs are up 18% since last year. We're raising prices by a dollar on most dishes. I hate doing it.",
 "Some people are upset about the price increase. I understand. I also have to pay my staff a living wage.",
 "Thanksgiving pies: 80 pre-orders open now at https://emberandsalt.example/pies — apple, pecan, and sweet potato.",
 "Pie pre-orders sold out in a day. We'll bake 40 more, but that's truly the limit.",
 "Friendly reminder to wash your cutting boards, folks. I've seen things.",
 "Ran my first cooking class for teenagers at the community center. They were so good. Future chefs right there 👩‍🍳",
 "One of the kids asked if I get to eat all the food I cook. Sadly, no.",
 "Flour delivery got stuck in the snow. Improvising a gluten-free dessert menu tonight.",
 "Gluten-free chocolate torte was a hit. Might keep it on the menu.",
 "Made 400 pies in three days. My hands have stopped working.",
 "Happy Thanksgiving. Grateful for my team, my family, and everyone who eats at our little table.",
 "Worked the Thanksgiving community dinner at the shelter. 350 plates. Best day of the year.",
 "Feeling really low today. Running a restaurant is lonely sometimes and nobody talks about it.",
 "Thank you for all the kind messages yesterday. I read every one of them. Feeling better today 💛",
 "Reminder that it's okay to take a day off. I'm taking one. The kitchen will survive.",
 # December 2024
 "Holiday party bookings are open for December. Private room seats 30.",
 "Our private room has been booked every night for two weeks straight. Holiday season is no joke.",
 "A guest proposed at table 12 tonight and she said yes! We sent out champagne on the house 🥂",
 "The gas line inspection failed. Contractor says it'll take three days. Three days without a stove in December.",
 "We're doing a cold menu while the stove is out: crudo, salads, charcuterie, cheese. Making the best of it.",
 "Honestly the cold menu was kind of fun? Might do a raw bar night once a month.",
 "Stove is fixed! Back to full menu tomorrow 🔥",
 "Our dishwasher Tomas has been with us since day one. Today he got his culinary school acceptance letter. So proud.",
 "Why does every kitchen supply store close at 5pm? Who are they for?",
 "Cookbook manuscript is due in six weeks and I have written exactly none of the dessert chapter.",
 "Wrote the dessert chapter in one sleepless weekend. It's either brilliant or unhinged.",
 "My editor says it's both. I'll take it.",
 "Winter citrus is here. Blood oranges, cara caras, meyer lemons. The kitchen smells amazing 🍊",
 "Frustrated with the new food safety paperwork rules. Another hour a day of forms instead of cooking.",
 "Holiday gift cards are available at the host stand or online at https://emberandsalt.example/gift",
 "Closed Dec 24-26 so the team can be with their families. See you on the 27th!",
 "Merry Christmas from all of us at Ember & Salt 🎄",
 "Spent Christmas cooking for my family and burned the rolls. Some things never change.",
 "Year in review: 48,000 plates, 1 best-new list, 1 broken cooler, 1 broken stove, countless good people.",
 "Happy new year! Here's to fewer broken appliances in 2025.",
 # January 2025
 "January is the slowest month for restaurants. If you want to support a local place, now is the time.",
 "Lunch was empty today. Four tables. It's scary watching the numbers this month.",
 "Launching a weeknight prix fixe: three courses for $35. Trying to get people in the door.",
 "Prix fixe is working! Tuesday was our busiest January night ever 🙏",
 "Heating bill for the restaurant this month is double last year's. Not sure how small places survive winter.",
 "Guest yelled at my host tonight because we wouldn't seat a party of 12 without a reservation. Be kind to hosts, please.",
 "Apparently that guest left a review calling us 'hostile'. My host is nineteen and handled it with more grace than I could.",
 "Our regulars came in tonight with a card for the host. I love this neighbourhood.",
 "Finished the cookbook manuscript. Sent it. Now I'm going to lie on the floor.",
 "Got the cover design for the book. Cannot share it yet but it's gorgeous.",
 "Trying a miso caramel on the ice cream this week. Tell me honestly if it's too weird.",
 "The verdict on miso caramel is in: 80% love it, 20% think I've lost my mind. Keeping it.",
 "Pipe burst in the basement during the freeze. Water everywhere. Closed tonight.",
 "Plumber worked until 2am. We open again at 5pm tomorrow. I need a nap and a miracle.",
 "Tired of insurance companies finding every reason not to cover water damage.",
 "Insurance denied the claim. Appealing. Feeling pretty defeated about it.",
 "Thank you @portbakery for the care package of croissants after a terrible week. You're the best.",
 "Watching old cooking shows on a Sunday night. Nothing better.",
 "Knife skills class this Saturday at the community center, free for anyone over 16. Bring your own knife if you have one.",
 "Twenty-two people at the knife skills class and nobody lost a finger. Success.",
 # February 2025
 "Valentine's menu is up. Oysters, lobster risotto, chocolate pot de crème. Two seatings.",
 "Valentine's bookings full in a day. Adding a third seating at 9:30 for the night owls 💘",
 "Valentine's night: three seatings, two proposals, one very dramatic breakup at table 6. Never a dull night.",
 "The insurance appeal went through! They're covering most of the water damage. Huge relief.",
 "Cookbook pre-orders open today: https://emberandsalt.example/book Signed copies for the first 500.",
 "500 signed copies gone in a morning. I think I have to sign 500 books now. Send help ✍️",
 "Bad news: our long-time fish supplier is closing. Fifteen years in business. The industry is brutal right now.",
 "Feeling sad about losing our fish supplier. They taught me half of what I know about seafood.",
 "Interviewed on @hollisradio about small business and the cost of ingredients. Listen here: https://hollisradio.example/ep88",
 "So many listeners called in after the radio show. People really do care about their local restaurants.",
 "Snowed in. Made chicken soup for the whole block. Come by if you're nearby and hungry.",
 "Sick with the flu. The team is running the kitchen without me tonight and I'm weirdly emotional about how capable they are.",
 "Still sick. Watching service on the kitchen camera like a nervous parent.",
 "Back in the kitchen. Everything is where I left it except my favourite spoon. Someone took my spoon.",
 "The spoon has been found. It was in the walk-in. Nobody will confess.",
 "Rent on our lease is going up 25% next year. Starting to look at what our options are.",
 "Not going to lie, the lease news has me really worried. We put everything into this place.",
 "Thank you all for the support about the lease. We're talking to the landlord and staying hopeful.",
 # March 2025
 "Spring menu planning has begun. Peas, ramps, asparagus, rhubarb. My favourite season to cook.",
 "We negotiated the lease down to a 10% increase with a five-year term. We're staying! 🎉🎉",
 "Relieved beyond words about the lease. Five more years at the little table.",
 "Launching Sunday brunch in April. Yes, there will be a fried chicken biscuit.",
 "Someone called our fried chicken 'overrated' on a food blog. Respectfully, come try it again.",
 "Hosting a fundraiser dinner for the community garden on March 22. All proceeds go to @hollisgarden.",
 "The fundraiser raised $14,200 for the community garden! I'm so grateful to everyone who came 🌱",
 "Dishwasher broke again. Same model, same part. I'm starting to take this personally.",
 "Chef friends: what commercial dishwasher do you actually trust? Ours has betrayed me for the last time.",
 "New dishwasher installed. Named it Gloria. Gloria will not betray us.",
 "Running out of ideas for staff meal. Tomorrow it's breakfast for dinner, no complaints accepted.",
 "Frustrating day. Two deliveries late, one cook quit without notice, and the POS system crashed during the rush.",
 "We muddled through on paper tickets. Old school. Honestly it was kind of calming?",
 "Cookbook proofs arrived. Seeing my grandmother's recipes in print made me cry at the pass 😭",
 "Please stop putting pineapple on the list of things you hate. Grilled pineapple with chilli salt is perfect.",
 "Ramps are in! Ramp butter on everything this week.",
 "Hiring two line cooks and a pastry assistant. Good pay, health insurance, and a chef who tries hard not to yell.",
 "The applications for the line cook jobs have been amazing. Interviews all next week.",
 # April 2025
 "Brunch launches this Sunday at 10. Fried chicken biscuit, shakshuka, and lemon ricotta pancakes.",
 "First brunch done. 160 covers. The biscuits ran out at 12:40. We'll bake double next week.",
 "Not happy with how brunch service ran. Tickets were slow and some plates went out cold. We'll fix it.",
 "Second brunch was so much smoother. The team really turned it around in one week 👏",
 "Cookbook launch party is April 24 at the restaurant. Free to attend, bring your appetite.",
 "Book launch was the best night of my career. Thank you for filling the room and then some ❤️",
 "My mother came to the launch and told everyone the oxtail recipe was hers. It was her mother's. Family drama.",
 "The book hit the regional bestseller list this week. I genuinely can't believe it.",
 "Someone on here said the book is 'just recipes'. Yes. It is a cookbook.",
 "Asparagus season is short and I intend to waste none of it.",
 "Sad news: our neighbour @cornerbooks is closing after 30 years. Downtown won't be the same.",
 "Went to the last day at the bookshop. Bought too many books. Hugged the owner. Cried in the car.",
 "Our health inspection today: perfect score. I've never seen the team so excited about a clipboard.",
 "Spring rain, a full dining room, and a kitchen that hums. Some nights are just good.",
]

def main() -> None:
    rng = random.Random(20250501)
    start = dt.datetime(2024, 9, 2, 9, 0)
    end = dt.datetime(2025, 4, 28, 22, 0)
    n = len(TWEETS)
    span = (end - start).total_seconds()
    rows = []
    for i, text in enumerate(TWEETS):
        base = start + dt.timedelta(seconds=span * i / (n - 1))
        when = base + dt.timedelta(minutes=rng.randint(-600, 600))
        when = when.replace(second=rng.randint(0, 59))
        likes = int(rng.lognormvariate(5.4, 0.9))
        retweets = int(likes * rng.uniform(0.04, 0.25))
        replies = int(likes * rng.uniform(0.01, 0.08))
        rows.append({
            "id": 1830000000000000000 + i * 7919 + rng.randint(0, 999),
            "user_name": "Marisol Quint",
            "handle": "marisolquint",
            "created_at": when.strftime("%Y-%m-%d %H:%M:%S"),
            "text": text,
            "likes": likes,
            "retweets": retweets,
            "replies": replies,
        })
    out = Path(__file__).resolve().parents[2] / "resources" / "example" / "marisol_quint.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    print(out, n)

if __name__ == "__main__":
    main()
