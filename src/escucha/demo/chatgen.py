"""Contact-centre conversations (chats and call transcripts) for the demo."""

from __future__ import annotations

import random
from collections.abc import Mapping

from escucha.demo.textgen import expand, tidy

SPEAKERS = {"es": ("Agente", "Cliente"), "en": ("Agent", "Customer")}

# Lines per language and purpose. Calls use "usted" in Spanish; chats use "tú".
LINES: dict[str, dict[str, list[str]]] = {
    "es": {
        "greet.chat": [
            "Hola, soy {agent} de Lumen Hogar. ¿En qué puedo ayudarte?",
            "¡Hola! Te atiende {agent}. Cuéntame, ¿qué necesitas?",
            "Buenas, soy {agent}, del equipo de atención de Lumen Hogar. ¿Cómo te puedo ayudar?",
        ],
        "greet.call": [
            "Lumen Hogar, buenos días, le atiende {agent}. ¿En qué puedo ayudarle?",
            "Lumen Hogar, buenas tardes, mi nombre es {agent}, ¿en qué le puedo ayudar?",
        ],
        "ask_order": [
            "¿Me {facilitas|puedes dar|pasas} el número de pedido, por favor?",
            "Para revisarlo necesito el número de pedido{, porfa|}.",
        ],
        "give_order": [
            "{Sí, es el|Claro:|Es el} {order}",
            "{order}",
            "Un momento... {sí, |}{order}",
        ],
        "check": [
            "{Dame|Dame un|Un} momento, que lo reviso.",
            "Gracias, lo compruebo ahora mismo.",
            "Vale, estoy mirando el estado del pedido.",
        ],
        "call_filler": ["Eh, mire, ", "Pues mire, ", "Sí, hola, mire, ", "Hola, buenas, ", "A ver, "],
        "wismo": [
            "{Hola, |}{quería saber dónde está mi pedido|¿dónde está mi pedido?|os escribo porque mi pedido no llega}.",
            "{Hola, |}{product} {tenía que llegar ayer|tenía que llegar el {lunes|martes}} y {no ha llegado|sigue sin llegar}.",
        ],
        "damaged": [
            "{Hola, |}{product} me ha llegado {rot{o}|con un golpe|defectuos{o}} y quiero {cambiarl{o}|devolverl{o}}.",
            "{Buenas, |}tengo un problema con {product}: {no funciona|vino dañad{o}|le falta una pieza}.",
        ],
        "charge": [
            "{Hola, |}me habéis cobrado {un cargo extra|el montaje|los gastos de envío} que no {aparecía|ponía} en la web.",
        ],
        "app": [
            "{Hola, |}la app {no me deja pagar|se cierra al pagar|me da error al entrar} y no puedo terminar la compra.",
        ],
        "cancel_plus": [
            "{Hola, |}quiero darme de baja de {plus}{, por favor|}.",
            "{Buenas, |}¿cómo cancelo {plus}? No quiero que me lo renueven.",
        ],
        "question": [
            "{Hola, |}{¿el montaje de {product} está incluido?|¿tenéis {product} en stock en la tienda de {store}?|¿cuánta garantía tiene {product}?}",
            "{Hola, |}quería saber si {puedo cambiar la dirección de entrega|puedo recoger el pedido en tienda}.",
        ],
        "resolve.wismo": [
            "Veo que tu pedido {sale hoy en reparto|está en tu ciudad} y {lo recibirás mañana|llegará antes de las 14:00}. Te envío el enlace de seguimiento.",
            "Lo he reprogramado para {mañana|el jueves} y te he aplicado {un descuento de 10 €|el envío gratis} por las molestias.",
        ],
        "fail.wismo": [
            "Lo siento mucho, {no tengo más información del transportista|el pedido está retenido en {courier}|no puedo darte una fecha}. He abierto una incidencia.",
            "Lamentablemente {depende de {courier}|el transportista no nos da fecha}. {Te escribiremos en 48-72 horas|Tienes que esperar a que lo actualicen}.",
        ],
        "resolve.damaged": [
            "{Lo siento mucho|Qué rabia, lo siento}. Te {envío uno nuevo|programo la recogida y el cambio} {sin coste|esta misma semana}.",
            "He tramitado {la devolución|el reembolso}; lo verás en tu cuenta en {3-5 días|unos días}.",
        ],
        "fail.damaged": [
            "Para {el cambio|la devolución} necesito que {me envíes fotos y esperes la valoración del técnico|vayas a la tienda con el ticket}. El plazo es de {15 días|dos o tres semanas}.",
        ],
        "resolve.charge": [
            "Tienes razón, {es un error|no debía cobrarse}. Te lo devuelvo ahora mismo.",
        ],
        "fail.charge": [
            "Ese importe {es correcto según las condiciones|corresponde al servicio de montaje} y no puedo anularlo.",
        ],
        "resolve.app": [
            "Es un problema conocido de la última versión. Si la actualizas {ya funciona|debería ir bien}; mientras tanto te dejo el pedido hecho desde aquí.",
        ],
        "fail.app": [
            "{Te recomiendo desinstalar y volver a instalar|Prueba desde la web}, no tengo otra solución ahora mismo.",
        ],
        "resolve.cancel_plus": [
            "{Hecho|Listo}, {plus} queda cancelado y no se renovará. {¿Me cuentas el motivo?|Siento que te vayas.}",
            "Antes de darte de baja, te puedo ofrecer {tres meses gratis|un 50 % en la renovación}. {¿Te interesa?|}",
        ],
        "fail.cancel_plus": [
            "La baja solo se puede hacer {desde la web|por correo|en los 15 días previos a la renovación}.",
        ],
        "resolve.question": [
            "{Sí, sin problema|Claro que sí|Sí}, {ya lo tienes gestionado|te lo dejo hecho ahora mismo|te confirmo que sí}. Te llegará un correo con los detalles.",
            "{Te confirmo que sí|Correcto}: {está incluido|lo tienes disponible|tiene tres años de garantía} según lo que me preguntas.",
        ],
        "fail.question": [
            "{No tengo esa información|Eso lo tienes que consultar en tienda}, lo siento.",
        ],
        "react.pos": [
            "{Genial|Perfecto|Estupendo|Vale, genial}, {muchas gracias|gracias por la ayuda|mil gracias}{!|.|}",
            "{Muchas gracias|Gracias}, {muy amable|me has salvado el día|así sí}{ 🙂|}.",
        ],
        "react.neg": [
            "{Esto es una vergüenza|No me vale|Es increíble|Estoy harto de esperar}{.|!|!!}",
            "{Siempre la misma respuesta|Eso mismo me dijeron ayer}. {Quiero una solución ya|Quiero hablar con un responsable}.",
            "{Pues vaya|Genial, otra vez a esperar}{...|.}",
        ],
        "react.mix": [
            "{Vale|De acuerdo|Ok}, {a ver si es verdad|espero que esta vez sí|gracias}.",
        ],
        "apology": [
            "{Entiendo tu enfado|Entiendo perfectamente tu malestar} y lo siento mucho. He dejado nota para {que te llame un responsable|priorizar tu caso}.",
        ],
        "close": [
            "¿Puedo ayudarte en algo más?",
            "¿Hay algo más en lo que te pueda ayudar?",
        ],
        "bye.cust": ["No, gracias.", "Nada más{, gracias|}.", "No.", "Eso es todo."],
        "bye.agent": [
            "Gracias por contactar con Lumen Hogar. ¡Que tengas un buen día!",
            "Un saludo y {buen día|buena tarde}.",
        ],
    },
    "en": {
        "greet.chat": [
            "Hi, I'm {agent} from Lumen Hogar. How can I help?",
            "Hello! You're chatting with {agent}. What can I do for you?",
        ],
        "greet.call": [
            "Lumen Hogar, good morning, {agent} speaking. How can I help you?",
        ],
        "ask_order": ["Could you give me your order number, please?", "Can I have the order number?"],
        "give_order": ["Sure, it's {order}", "{order}"],
        "check": ["One moment while I check.", "Thanks, checking now."],
        "call_filler": ["Hi, um, ", "Yes, hello, ", "Right, so, "],
        "wismo": [
            "{Hi, |}{where is my order?|my order hasn't arrived.|I'm writing because my order is late.}",
            "{Hi, |}{product} was due {yesterday|on Monday} and {it's still not here|nothing yet}.",
        ],
        "damaged": [
            "{Hi, |}{product} arrived {broken|damaged|faulty} and I want to {return|exchange} it.",
        ],
        "charge": ["{Hi, |}you charged me {an extra fee|for assembly|for delivery} that wasn't on the website."],
        "app": ["{Hi, |}the app {won't let me pay|crashes at checkout|won't log me in}."],
        "cancel_plus": ["{Hi, |}I want to cancel my {plus} membership{, please|}."],
        "question": [
            "{Hi, |}{is assembly included for {product}?|do you have {product} in stock in {store}?|what's the warranty on {product}?}",
        ],
        "resolve.wismo": [
            "Your order is {out for delivery today|in your city} and {will arrive tomorrow|should be there before 2 pm}. Here's the tracking link.",
        ],
        "fail.wismo": [
            "I'm sorry, {I have no more information from the courier|the order is held at {courier}}. I've opened a ticket.",
        ],
        "resolve.damaged": ["So sorry about that. I'll {send a replacement|arrange the pickup} free of charge."],
        "fail.damaged": ["For a return I need photos first, and the review takes {15 days|two to three weeks}."],
        "resolve.charge": ["You're right, that shouldn't have been charged. Refunding it now."],
        "fail.charge": ["That amount is correct under the terms and I can't remove it."],
        "resolve.app": ["Known issue with the last version; updating the app fixes it. I'll place the order for you meanwhile."],
        "fail.app": ["Please try reinstalling, or use the website."],
        "resolve.cancel_plus": ["Done, your {plus} membership is cancelled and won't renew."],
        "fail.cancel_plus": ["Cancellations can only be done on the website."],
        "resolve.question": ["{Yes|Sure}, {that's sorted|I can confirm that|all done}. You'll get an email with the details."],
        "fail.question": ["I don't have that information, sorry."],
        "react.pos": ["{Great|Perfect|Brilliant}, {thanks a lot|thank you so much}{!|.}"],
        "react.neg": [
            "{This is ridiculous|Not good enough|Unbelievable}{.|!|!!}",
            "{Same answer as yesterday|That's what they told me last time}. {I want a solution now|I want to speak to a manager}.",
        ],
        "react.mix": ["{Ok|Alright}, {let's see|hope so this time|thanks}."],
        "apology": ["I completely understand and I'm very sorry. I've flagged your case as a priority."],
        "close": ["Anything else I can help with?", "Is there anything else?"],
        "bye.cust": ["No, thanks.", "That's all.", "No."],
        "bye.agent": ["Thanks for contacting Lumen Hogar. Have a nice day!"],
    },
}

INTENT_OF_OUTCOME: dict[str, str] = {
    "delivery.late": "wismo",
    "delivery.late24": "wismo",
    "delivery.noshow": "wismo",
    "delivery.collapse": "wismo",
    "delivery.damaged": "damaged",
    "product.defect": "damaged",
    "product.bad": "damaged",
    "price.hidden": "charge",
    "app.crash": "app",
    "app.slow": "app",
    "plus.cancel": "cancel_plus",
}


def build_conversation(
    lang: str,
    kind: str,
    intent: str,
    resolved: bool,
    ctx: Mapping[str, object],
    rng: random.Random,
    *,
    detail: list[str],
    angry: list[str],
    tail: str = "",
) -> str:
    """A multi-turn transcript: ``Agente: …\\nCliente: …`` (``Agent``/``Customer`` in English).

    ``detail`` are extra customer sentences (from the phrase bank) describing the problem;
    ``angry`` are threats the customer adds when the agent cannot help; ``tail`` is an extra
    customer remark before the goodbye (e.g. a suggestion).
    """
    L = LINES[lang]
    agent_sp, cust_sp = SPEAKERS[lang]
    turns: list[tuple[str, str]] = []

    def say(who: str, key: str) -> None:
        turns.append((who, tidy(expand(rng.choice(L[key]), ctx, rng))))

    say(agent_sp, "greet.call" if kind == "call" else "greet.chat")
    opening = tidy(expand(rng.choice(L[intent]), ctx, rng))
    if kind == "call":
        opening = rng.choice(L["call_filler"]) + opening[:1].lower() + opening[1:]
    first = " ".join([opening, *detail[:1]])
    if rng.random() < 0.4:
        first = f"{first} Pedido {ctx['order']}." if lang == "es" else f"{first} Order {ctx['order']}."
        turns.append((cust_sp, first))
    else:
        turns.append((cust_sp, first))
        say(agent_sp, "ask_order")
        say(cust_sp, "give_order")
    say(agent_sp, "check")
    if len(detail) > 1:
        turns.append((cust_sp, " ".join(detail[1:])))
    say(agent_sp, f"{'resolve' if resolved else 'fail'}.{intent}")
    if resolved:
        say(cust_sp, "react.pos" if rng.random() < 0.85 else "react.mix")
    else:
        say(cust_sp, "react.neg")
        if angry or rng.random() < 0.5:
            say(agent_sp, "apology")
            turns.append((cust_sp, " ".join(angry) if angry else tidy(expand(
                rng.choice(L["react.mix"]), ctx, rng))))
    if tail:
        turns.append((cust_sp, tail))
    say(agent_sp, "close")
    say(cust_sp, "bye.cust")
    if rng.random() < 0.7:
        say(agent_sp, "bye.agent")
    return "\n".join(f"{who}: {text}" for who, text in turns)
