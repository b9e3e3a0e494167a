"""Names, handles, social replies and employee comments for the demo generator."""

from __future__ import annotations

FIRST_ES_F = ("Lucía", "María", "Carmen", "Laura", "Marta", "Ana", "Elena", "Paula", "Sara",
              "Cristina", "Raquel", "Nuria", "Irene", "Beatriz", "Alicia", "Silvia", "Noelia",
              "Rocío", "Inés", "Pilar", "Julia", "Claudia", "Andrea", "Teresa", "Montse")
FIRST_ES_M = ("Javier", "Carlos", "David", "Daniel", "Pablo", "Sergio", "Alberto", "Jorge",
              "Álvaro", "Manuel", "Antonio", "Raúl", "Iván", "Rubén", "Adrián", "Óscar",
              "Miguel", "Alejandro", "Fernando", "Jordi", "Pau", "Vicente", "Hugo", "Marcos")
FIRST_MX_F = ("Guadalupe", "Fernanda", "Ximena", "Valeria", "Daniela", "Mariana", "Regina",
              "Alejandra", "Itzel", "Citlali", "Renata", "Sofía")
FIRST_MX_M = ("José Luis", "Juan Carlos", "Emiliano", "Santiago", "Rodrigo", "Luis Ángel",
              "Diego", "Leonardo", "Arturo", "Ulises", "Jesús", "Héctor")
FIRST_EN_F = ("Emma", "Olivia", "Sophie", "Chloe", "Hannah", "Grace", "Amy", "Rachel", "Megan",
              "Laura", "Kate", "Anna")
FIRST_EN_M = ("James", "Oliver", "Tom", "Harry", "Jack", "Daniel", "Michael", "Ben", "Sam",
              "Chris", "Mark", "Liam")
LAST_ES = ("García", "Martínez", "López", "Sánchez", "Pérez", "Gómez", "Martín", "Jiménez",
           "Ruiz", "Hernández", "Díaz", "Moreno", "Muñoz", "Álvarez", "Romero", "Navarro",
           "Torres", "Domínguez", "Vázquez", "Ramos", "Gil", "Serrano", "Blanco", "Molina",
           "Ortega", "Delgado", "Castro", "Ortiz", "Rubio", "Marín", "Sanz", "Iglesias", "Puig",
           "Ferrer", "Soler", "Vidal", "Roca", "Bosch")
LAST_MX = ("Hernández", "García", "Martínez", "López", "González", "Rodríguez", "Pérez",
           "Sánchez", "Ramírez", "Cruz", "Flores", "Gómez", "Morales", "Vázquez", "Reyes",
           "Jiménez", "Mendoza", "Castillo", "Ortiz", "Aguilar", "Chávez", "Guzmán")
LAST_EN = ("Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies",
           "Evans", "Walker", "Wright", "Thompson", "Clarke", "Hughes", "Green", "Hall",
           "Müller", "Schmidt", "Jansen", "de Vries", "Dubois", "Rossi")
HANDLE_WORDS = ("casa", "home", "deco", "vida", "mama", "papa", "bcn", "mad", "vlc", "sev",
                "cdmx", "style", "ok", "real", "_", "diy", "nest")

# Short replies from other people on a public post (story 4 and background threads).
REPLY_ES: tuple[str, ...] = (
    "{A mí me pasó lo mismo|Me pasó exactamente igual|Igual que a mí} con {el sofá|el colchón|un canapé|una mesa|la lavadora}{. Tres semanas|. Un mes esperando|}",
    "{Lumen cada vez peor|Lumen ya no es lo que era|Qué vergüenza} {@LumenHogar|}",
    "{Ánimo|Mucho ánimo|Fuerza} {Carla|guapa|}{ 💪|}",
    "{Yo esperé|Yo llevo} {tres semanas|diez días|un mes} por {un colchón|el sofá|una estantería}{ y nada|}",
    "{Por eso ya no compro ahí|Yo ya me he pasado a otra tienda|Nunca más Lumen}",
    "{Hazlo|Sube el vídeo|Cuéntalo todo}{, que se sepa|!!|}",
    "{Uff|Buff|Madre mía}, {yo igual|a mi hermana le pasó igual|qué rabia}",
    "{@LumenHogar_Ayuda|@LumenHogar} {respondan ya|dad la cara|¿nadie va a decir nada?}",
    "{Pues yo nunca he tenido problema con ellos|A mí siempre me han cumplido}{, qué raro|}",
    "{Al final me lo trajeron|A mí me lo solucionaron}, {pero tras cuatro llamadas|pero un mes después}",
    "{Esto con RutaExpress|Esto desde lo de RutaExpress} {es un caos|no hay quien lo aguante}",
    "{Y luego anuncian entrega en 24 horas|Lo de mañana en casa es de chiste} 🙄",
    "{Exacto|Totalmente|+1}{, lo mismo digo|}",
    "{Qué fuerte|Increíble|No me lo puedo creer}{ 😱|}",
)
REPLY_EN: tuple[str, ...] = (
    "{Same thing happened to me|Exactly the same with my order}{, three weeks|}",
    "{Lumen keeps getting worse|Shameful} {@LumenHogar|}",
    "{Do it|Post the video}{, people need to know|!!}",
    "{Never again with Lumen|That's why I stopped ordering there}",
)
QUOTE_ES: tuple[str, ...] = (
    "{Esto es lo que pasa con|Ojo con} @LumenHogar 👇",
    "Otra más. #LumenHogar",
    "{Lo de @LumenHogar no tiene nombre|Yo tampoco vuelvo a comprar en Lumen}",
    "{Si una influencer con 128k tiene que montar esto|Si a ella no le hacen caso}, {imagina al resto|qué nos queda a los demás}",
)
BRAND_REPLY_ES: tuple[str, ...] = (
    "Hola{, {name}|}. Sentimos mucho lo ocurrido. Escríbenos por DM con tu número de pedido y lo revisamos ahora mismo.",
    "Hola{, {name}|}, lamentamos las molestias. ¿Nos envías un mensaje privado con el número de pedido? Queremos ayudarte.",
    "¡Muchas gracias{, {name}|}! Nos alegra mucho que estés content{g} 💛",
)
BRAND_REPLY_EN: tuple[str, ...] = (
    "Hi{, {name}|}, we're sorry to hear this. Please DM us your order number and we'll look into it.",
)
HASHTAGS_NEG = ("#LumenHogar", "#fail", "#atencionalcliente", "#nuncamas", "#consumo")
HASHTAGS_POS = ("#LumenHogar", "#deco", "#nuevacasa", "#hogar", "#homedecor")

# Employee pulse comments: (topic, valence) -> templates.
EMPLOYEE: dict[str, list[str]] = {
    "schedule": [
        "{Los cuadrantes|Los horarios|Los turnos} {salen con dos días de antelación|cambian cada semana sin avisar|se publican el domingo por la noche} y así es imposible organizar la vida.",
        "{Nos cambian el turno|Me cambiaron el turno} {de un día para otro|por WhatsApp a las once de la noche}{, sin preguntar|}.",
        "{Llevo|Llevamos} {tres|cuatro} fines de semana seguidos trabajando{ y nadie lo compensa|}.",
        "{Pedimos|Necesitamos} que {los cuadrantes|los turnos} se hagan {con un mes de antelación|de forma justa y rotativa}.",
        "{Imposible conciliar|Cero conciliación} con {estos horarios|los turnos partidos} {en el almacén|en logística}.",
        "Las horas extra {no se pagan|se acumulan y nunca se recuperan} y {el cuadrante|el horario} es un caos.",
    ],
    "workload": [
        "{Mucha carga de trabajo|Vamos desbordados} {estas semanas|desde la campaña de las 24 horas}{ y poca gente|}.",
        "{Con lo de RutaExpress|Esta semana} {hemos recibido insultos todo el día|las colas de llamadas eran infinitas}{, nadie nos dio un guion|}.",
        "{Prometemos|Marketing promete} entregas en 24 horas {que logística no puede cumplir|sin preguntar a operaciones} y {nos comemos las quejas|los clientes nos gritan a nosotros}.",
    ],
    "team.good": [
        "{Muy buen ambiente|Gran equipo|Buen compañerismo} en {la tienda|el equipo|mi departamento}{, da gusto venir|}.",
        "{Mi responsable|La encargada|Mi jefe} {escucha y ayuda|se preocupa por nosotros|es muy cercano}.",
        "{Me gusta|Disfruto} {asesorar a los clientes|mi trabajo} y {la formación de producto es buena|aprendo mucho}.",
    ],
    "pay": [
        "{El sueldo|El salario} {no ha subido en tres años|no llega con el coste de vida|es bajo para la responsabilidad}.",
        "{Los incentivos|Las comisiones} {son poco claros|han bajado}{ y nadie explica por qué|}.",
    ],
    "tools": [
        "{El sistema de pedidos|La TPV|El CRM} {va lentísimo|se cae a menudo|no enseña el estado real del envío}.",
        "No tenemos {información del transportista|visibilidad de los envíos} y {no sabemos qué decir al cliente|tenemos que improvisar}.",
    ],
    "clean": [
        "{Faltan medios de limpieza|La empresa de limpieza viene poco} y la tienda {se ve descuidada|da mala imagen}.",
    ],
    "en.good": ["{Great team|Good culture} and {flexible hours|interesting projects}.",
                "{I like|Enjoy} the work, {the team is great|good tools}."],
    "en.bad": ["{Too many meetings|Priorities change every week} and {releases are rushed|no time for quality}."],
}
