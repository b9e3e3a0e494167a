"""English phrase bank for the demo generator (same keys and slots as :mod:`bank_es`)."""

from __future__ import annotations

BANK: dict[str, list[str]] = {
    "delivery.fast": [
        "{My order|The parcel|{product}} {arrived|showed up|was delivered} {the next day|in less than 24 hours|earlier than expected}.",
        "{Super fast|Lightning fast|Very quick} delivery, {the driver was lovely|everything perfect|no issues at all}.",
        "Ordered {product} on {Monday|Tuesday|Wednesday} and {it was at my door the next morning|had it the same evening}.",
        "{Really impressed|Impressed} by how fast it {came|arrived}{, well packed too|, in perfect condition|}.",
        "The {driver|delivery guy|courier} {was really friendly|called ahead|carried it up four floors with no lift}{, legend|}.",
    ],
    "delivery.ok": [
        "Delivery was {fine|ok|on time|as expected}{, no complaints|}.",
        "{The order|It} {arrived|came} within {a few days|the window they gave me}, {all good|no drama}.",
        "Tracking {works well|was clear}, you always know where your order is.",
    ],
    "delivery.late": [
        "{My order|{product}|The parcel} took {days} to arrive{, with zero explanation|, nobody told me anything|}.",
        "{Been waiting|I've been waiting} {days} for {my order|{product}} and {the tracking hasn't moved|nobody can tell me anything|it still says \"processing\"}.",
        "Delivery {was delayed|got pushed back|was a mess}: {they gave me three different dates|rescheduled twice|{days} of waiting}.",
        "{So slow|Painfully slow} with shipping, {days} for {a tiny parcel|{product}}.",
        "Ordered {product} for {a birthday|the weekend} and it came {late|{days} later}{, useless by then|}.",
    ],
    "delivery.late24": [
        "{You promise|They advertise|The ad says} {24-hour delivery|next-day delivery|\"tomorrow at home\"} and it took {days}.",
        "{24 hours my foot|So much for 24 hour delivery|24h they said}: {days} waiting for {my order|{product}}.",
        "{I bought|Ordered} {product} because of the {24h delivery promise|next-day promise} and it {arrived after {days}|took {days}}{. Misleading advertising|. What a joke|}.",
        "If it's going to take {days}, don't advertise 24-hour delivery{, that's what annoys me|}.",
        "Your \"next day delivery\" {isn't a thing|is fiction}: {ordered Monday, got it Friday|{days} of waiting}.",
    ],
    "delivery.damaged": [
        "{{Product}|{product}} arrived {broken|damaged|with a huge dent}{, gutted|. Not happy|}.",
        "The box {was crushed|was soaking wet|came open} and {product} {was scratched|had a broken leg|was missing parts}.",
        "{Missing screws|Parts were missing|Wrong part in the box} so I {couldn't assemble it|had to wait another week}.",
    ],
    "delivery.noshow": [
        "{Stayed home|Waited in} {all morning|all day} and {the courier|the driver|nobody} {never showed up|didn't turn up}.",
        "They marked it as {\"failed delivery\"|\"recipient absent\"} {while I was at home|without even ringing the bell}.",
        "{Two|Three} delivery appointments and {no-shows every time|nobody came}{. Took a day off for nothing|}.",
    ],
    "delivery.collapse": [
        "{My order|{product}} has been {stuck|sitting} in the {courier} warehouse since {Monday|Tuesday} and nobody knows anything.",
        "{Impossible|It's impossible} to reach {courier}: {phone rings out|no one answers|their chat is down} and the tracking {hasn't moved|is frozen}.",
        "What's going on with {courier}? {A whole week|Five days} with no news on {my order|{product}} and you just say {it's the courier's fault|to wait}.",
        "{Just read|Saw on Twitter} that {courier} {is on strike|went bust|collapsed} and my order is in there{. Now what?|. Great.|}",
        "Paid {days} ago and my order is {stuck|held} at {courier}. {I want a refund NOW|I need a solution today|Not my problem who you work with}.",
    ],
    "delivery.rude": [
        "The {driver|courier} {was really rude|barely spoke} and {refused to bring it upstairs|left it in the lobby}.",
    ],
    "product.good": [
        "{{Product}|{product}} is {amazing|gorgeous|super comfy|great quality|exactly what I wanted}.",
        "{Quality is|Really good quality,} {excellent|better than expected} {for the price|and looks lovely|}.",
        "{Really happy|Very pleased|Love it} with {product}, {use it every day|you can tell it's well made|looks great in the living room}.",
        "{{Product}|{product}} {works perfectly|does the job|looks just like the photos}{, would recommend|}.",
        "{After two months|A few weeks in}, {product} still looks brand new.",
    ],
    "product.bad": [
        "{The quality|The finish} of {product} {is pretty poor|isn't what I expected|leaves a lot to be desired}.",
        "{{Product}|{product}} {looks nothing like the photos|feels cheap for the price|is flimsy}{, disappointing|}.",
        "{After two weeks|Within a month} {product} was already {sagging|faded|making a weird noise}.",
        "{Not comfortable at all|Smaller than advertised}{, wouldn't buy again|, regret it|}.",
    ],
    "product.defect": [
        "{{Product}|{product}} stopped working {after two months|after a few weeks|on the second use}{ and the warranty process is a maze|}.",
        "{{Product}|{product}} {was faulty|had a manufacturing defect|wouldn't turn on} from day one.",
    ],
    "staff.good": [
        "{The sales assistant|The lady in the store|{staff} at the {store} store} {was so helpful|was lovely|gave great advice|had endless patience}.",
        "{Great service|Amazing service} at the {store} store{, especially {staff}|, thanks {staff}|}.",
        "{Shout out to|Special mention for} {staff}, who {explained every option|found us a better price|checked stock in other stores}.",
        "Staff {very knowledgeable|super friendly} and {not pushy at all|really know their stuff}.",
    ],
    "staff.bad": [
        "{Nobody|No one} in the store {to help|seemed to care|looked up from their phone}.",
        "{The sales guy|The assistant|The manager} {was quite rude|had no idea|couldn't be bothered}.",
        "{Waited|Queued} {twenty minutes|half an hour} to get served.",
    ],
    "store.dirty": [
        "The {store} store {was pretty dirty|looked neglected|was a mess}{, dust on every display|, boxes everywhere|}.",
        "{The toilets|The restrooms} {were disgusting|had no paper and were filthy}.",
        "{Sticky floors|Dust everywhere} and {stained display sofas|stains on the display beds}.",
        "{You should|They should} clean the {store} store {more often|properly}, {bad look|not inviting at all}.",
    ],
    "store.clean": [
        "The store is {lovely|beautiful|spotless} and {well organised|tidy}.",
    ],
    "price.high": [
        "{Quite|Pretty|Way too} expensive for what it is{, honestly|}.",
        "Prices {have gone up a lot|are through the roof} {lately|}.",
        "{For that price|For {price} euros} {I expected better quality|you can find it cheaper elsewhere}.",
        "Saw {product} {cheaper|about 80 euros cheaper} on {Amazon|another site}{, not sure why it costs so much here|}.",
    ],
    "price.good": [
        "{Great value for money|Really good value|Good price}{, no doubt|}.",
        "Got it {on sale|in the sales|on Black Friday} and {it was a steal|great price}.",
    ],
    "price.hidden": [
        "{In the end|On the invoice} they charged {for assembly|delivery|for carrying it upstairs} {separately|which wasn't shown anywhere}{. \"No hidden costs\", right?|}.",
        "\"No hidden costs\"... {and then a 29 euro assembly fee|and then a delivery charge that wasn't on the site}.",
    ],
    "app.good": [
        "The app {works really well|is great|is smooth}, {checkout takes seconds|super intuitive}.",
        "{Ordering from the app|Shopping on the phone} is {so easy|a breeze}.",
    ],
    "app.crash": [
        "The app {keeps crashing|freezes|closes itself} {at checkout|when I add my card|every time I open the basket}.",
        "{Since the last update|With the new version} the app {won't let me log in|doesn't work|throws an error}.",
        "{Tried|Tried three times} to pay in the app and {got an error|it charged me twice|it just kept loading}.",
    ],
    "app.slow": [
        "The app is {really slow|sluggish|painfully slow to load}.",
        "The website {froze|crashed} {at checkout|when applying the voucher}.",
    ],
    "support.good": [
        "{Contacted|Spoke to} {customer service|the chat|support} and {they sorted it straight away|they were brilliant|fixed it in five minutes}.",
        "{{agent} from support|The chat agent} was {super helpful|really kind}{, thank you|}.",
    ],
    "support.bad": [
        "{Spent|Waited} {40 minutes|an hour} on hold {for nothing|and got cut off|and nothing was solved}.",
        "Customer service is {useless|non-existent|a joke}: {they pass you around|copy-paste replies|nobody knows anything}.",
        "{Called|Wrote} {three|four} times and {got a different answer each time|still no solution}.",
    ],
    "returns.good": [
        "Returning it was {so easy|quick|painless}, {they picked it up at home|refund in two days}.",
    ],
    "returns.bad": [
        "{Asked for a refund|Requested a return} {days} ago and {still no money|nobody came to collect it}.",
        "Returning {product} {is a nightmare|has been impossible}.",
    ],
    "assembly.good": [
        "The {fitters|assembly team} {were very professional|were quick|left everything perfect} and {took the packaging away|cleaned up}.",
    ],
    "assembly.bad": [
        "The {fitters|assembly guy} left {product} {wobbly|badly assembled|with leftover screws}.",
        "Assembly {appointment was two weeks away|never happened}{, boxes all over my living room|}.",
    ],
    "plus.renew": [
        "{Renewed|Just renewed} {plus} {without thinking|for another year}, free delivery {is worth it|pays off}.",
    ],
    "plus.cancel": [
        "{Cancelling|I've cancelled} my {plus} membership{, not worth it|, paying for fast delivery that never arrives|}.",
        "{Won't renew|Not renewing} {plus} {after this|next year}.",
    ],
    "awareness.ad": [
        "{Saw your ad|Saw the commercial} {on TV|on Instagram|on YouTube} and {gave it a try|checked the website}.",
    ],
    "awareness.friend": [
        "{A friend|My sister|A colleague} recommended Lumen {and she was right|and glad I listened|}.",
    ],
    "idea.other": [
        "{Would be nice|It'd be great} to have {a dark mode in the app|interest-free instalments|a store in Málaga}.",
        "{Suggestion|Idea}: {add real customer photos|show dimensions more clearly|offer WhatsApp support}.",
    ],
    "churn": [
        "{Never buying from here again|Last time I order from Lumen|Done with this company}.",
        "{Going to the competition|Switching to IKEA} {from now on|, no question|}.",
        "{Cancel my order|I'm cancelling the order} {and refund me|if it's not here by Friday|}.",
        "If you don't sort this out {today|this week} {I'm cancelling everything|I want my money back}.",
    ],
    "public": [
        "{I'll be posting about this|Going to share this} {everywhere|on every platform} {so people know|}.",
        "{Filing a complaint|I'll report this} {with consumer protection|to the consumer office}.",
    ],
    "open.pos": [
        "{Very happy|Love it|All great|Ten out of ten}.",
        "{First time ordering from Lumen|Second order with Lumen|Long-time customer} and {will be back|delighted|never disappoints}.",
        "",
    ],
    "open.neg": [
        "{Really disappointed|Awful|What a mess|Furious|Unacceptable}.",
        "{Never had|Never had such} {a worse experience|a bad experience like this} {with a shop|ordering online}.",
        "",
    ],
    "open.mixed": [
        "{Mixed feelings|It's ok|Meh|Good and bad}.",
        "",
    ],
    "close.pos": [
        "{Highly recommend|Would recommend|Will order again}{!|.|!!}",
        "{Thanks|Thank you, Lumen}{!|.}",
        "",
    ],
    "close.neg": [
        "{Wouldn't recommend|Avoid|Stay away}.",
        "{Hoping for a fix|Waiting for a solution|Do better}.",
        "",
    ],
    "close.mixed": [
        "{Room for improvement|Might come back, not sure}.",
        "",
    ],
    "title.pos": [
        "{Great|Love it|Recommended|Perfect|All good|Great buy|Fast and easy|Top quality}",
    ],
    "title.neg": [
        "{Disappointing|Awful|Not recommended|Never again|Terrible|Avoid|Shocking delivery}",
    ],
    "title.mixed": [
        "{OK|Fine, but...|Could be better|Average|Decent}",
    ],
    "nps.pos": [
        "{All good|Great|Great service|Good products|Fast|Love the store}",
    ],
    "nps.neg": [
        "{Poor service|Bad|Do better|Not reliable}",
    ],
    "nps.mixed": [
        "{OK|Fine|Average|Could improve|meh}",
    ],
}

IDEA_ASK: list[str] = [
    "Would be great to be able to",
    "Please let us",
    "Why can't I",
    "Wish I could",
    "Suggestion: let customers",
    "It would really help to",
    "One request:",
    "You should let people",
]
IDEA_OBJ: list[str] = [
    "choose a delivery time slot",
    "pick a delivery window",
    "select a time slot for delivery",
    "choose morning or afternoon delivery",
    "book a delivery slot when ordering",
    "pick what time the courier comes",
]
IDEA_WHY: list[str] = [
    "because I work until 7 and I'm never home",
    "so I don't have to wait in all day",
    "like the supermarkets do",
    "even if it costs a bit more",
    "",
    "",
]
