"""Spanish phrase bank for the demo generator.

Templates use ``{a|b|c}`` for inline alternatives (nestable, ``{x|}`` means optional) and
``{name}`` for slots filled per voice: product (noun with article), o (gender ending of the
product), Product (catalogue name), store, staff, courier, days, order, plus, price, agent.
"""

from __future__ import annotations

BANK: dict[str, list[str]] = {
    # ------------------------------------------------------------------ delivery
    "delivery.fast": [
        "{El pedido|Mi pedido|El paquete|{product}} {llegó|me llegó} {al día siguiente|en menos de 24 horas|en un día|antes de lo previsto}.",
        "Entrega {rapidísima|súper rápida|puntual|de diez}, {el repartidor muy amable|todo perfecto|sin ningún problema}.",
        "{Pedí|Compré} {product} el {lunes|martes|miércoles|jueves} y {al día siguiente|el mismo día por la tarde} ya l{o} tenía en casa.",
        "{Me sorprendió|Me encantó} lo rápido que {llegó|llegó todo}, {y bien embalado|y en perfecto estado|sin un rasguño}.",
        "El {repartidor|transportista|chico del reparto} {fue muy amable|me avisó antes de venir|lo subió hasta el {tercero|cuarto|quinto} sin ascensor}{, un crack|}.",
        "{Todo llegó|Llegó} {en plazo|en la fecha indicada|cuando dijeron} y con seguimiento en todo momento.",
        "{Rapidez en la entrega|Entrega en tiempo récord}{, nada que objetar|, así sí|}.",
    ],
    "delivery.ok": [
        "La entrega {fue correcta|bien|sin incidencias|normal}{, en la fecha prevista|}.",
        "{El pedido|El envío} llegó {en unos días|en el plazo que ponía|a los {dos|tres} días}, {sin problema|correcto}.",
        "{Nada que destacar de|Correcto} el reparto{, llegó cuando tenía que llegar|}.",
        "El seguimiento del pedido {funciona bien|está bien}, sabes en todo momento dónde está.",
    ],
    "delivery.late": [
        "{El pedido|Mi pedido|{product}} tardó {days} en llegar{, sin ninguna explicación|, y nadie avisó de nada|}.",
        "{Llevo|Llevaba} {days} esperando {el pedido|{product}|el paquete} y {el seguimiento no se actualiza|nadie me dice nada|sigue \"en preparación\"}.",
        "{La entrega|El envío} {se retrasó|se retrasó muchísimo|fue un desastre}: {me dieron tres fechas distintas|cambiaron la fecha dos veces|me tuvieron {days} esperando}.",
        "{Muy lentos|Lentísimos|Súper lentos} con el envío, {days} para {un paquete|una {silla|lámpara} de nada|{product}}.",
        "{Tardaron|Tardasteis} {days} en {entregar|traer} {el pedido|{product}}{. Inaceptable|, fatal|. Así no|}.",
        "Pedí {product} para {un cumpleaños|el fin de semana|una fecha concreta} y llegó {tarde|después|{days} más tarde}{, ya no me servía|, un chasco|}.",
    ],
    "delivery.late24": [
        "{Prometían|Prometéis|Anunciáis} {entrega en 24 horas|24 horas|\"mañana en casa\"} y {tardó|tardasteis|me llegó en} {days}.",
        "{De 24 horas nada|Lo de las 24 horas es mentira|24h dicen en el anuncio}: {days} {esperando|para recibir} {el pedido|{product}}.",
        "{Compré|Pedí} {product} por lo de {la entrega en 24 horas|las 24h|\"mañana en casa\"} y {llegó a los {days}|tardó {days}}{. Publicidad engañosa|. Vaya timo|, no lo entiendo|}.",
        "{En el anuncio de la tele|En la publicidad|En la web} {dice|pone} {24 horas|entrega al día siguiente} {pero|y} {han sido|fueron} {days}{. No prometáis lo que no podéis cumplir|. Que quiten ese anuncio|}.",
        "{Mañana en casa dicen|\"Mañana en casa\"}... {mañana de la semana que viene|{days} después sigo esperando|llegó {days} más tarde}{ 🙄|}.",
        "Si vais a tardar {days} no {pongáis|anunciéis} entrega en 24 horas{, es lo que me molesta|. Te haces ilusiones y luego nada|}.",
        "{La entrega en 24 horas|Lo de las 24 horas} {no se cumplió|fue un cuento|brilla por su ausencia}: {pedido el {lunes|martes} y recibido el {viernes|sábado}|{days} de espera}.",
    ],
    "delivery.damaged": [
        "{{Product}|{product}} llegó {rot{o}|golpead{o}|con un golpe enorme|con la caja destrozada}{, una pena|. Vaya disgusto|}.",
        "{La caja venía|El embalaje venía} {destrozada|abierta|mojada} y {product} {rayad{o}|con una pata rota|con piezas que faltaban}.",
        "{Faltaban piezas|Faltaban tornillos|Venía una pieza equivocada} y {no se podía montar|tuve que esperar otra semana}.",
        "{El repartidor|El transportista} {lo dejó tirado en el portal|lo dejó sin avisar en la puerta|no tuvo ningún cuidado} y {product} {se golpeó|se rayó}.",
    ],
    "delivery.noshow": [
        "{Me quedé|Estuve} {toda la mañana|todo el día|de 9 a 14} en casa esperando y {el transportista|el repartidor|nadie} {no apareció|no vino}.",
        "{Marcaron|Pusieron} {\"ausente\"|\"destinatario ausente\"|entrega fallida} {cuando estaba en casa|y yo estaba en casa toda la tarde|sin ni siquiera llamar al timbre}.",
        "{Dos|Tres} citas de entrega y {ninguna cumplida|no se presentaron ni una vez|ni rastro de {product}}{. Pedí el día libre para nada|. He perdido dos días de trabajo|}.",
        "Me {pidieron|hicieron} {cogerme|tomarme} la mañana libre para {la entrega|el reparto} y {nadie vino|no se presentaron}.",
    ],
    "delivery.collapse": [
        "{Mi pedido|El paquete|{product}} lleva {parado|bloqueado|atascado} en el almacén de {courier} desde el {lunes|martes|miércoles} y nadie sabe nada.",
        "{Imposible|Es imposible} contactar con {courier}: {el teléfono no lo coge nadie|no contestan|el chat está caído} y {el seguimiento no se mueve|el tracking lleva días igual}.",
        "¿Qué pasa con {courier}? {Toda la semana|Cinco días} sin noticias de {mi pedido|{product}} y {vosotros|Lumen} {no dais ninguna explicación|decís que es cosa del transportista}.",
        "{He visto en redes|Dicen en las noticias|Me entero por Twitter} que {courier} {está en huelga|ha quebrado|se ha hundido} y {mi pedido|{product}} está ahí dentro{. ¿Y ahora qué?|. Genial.|}",
        "Pedido pagado hace {days} y {atrapado|retenido} en {courier}. {Que me devuelvan el dinero YA|Quiero una solución hoy|No es mi problema con quién trabajáis}.",
        "{El seguimiento dice|Pone} \"en reparto\" desde hace {days} y {courier} no {responde|da señales de vida}{, esto es un caos|, qué desastre|}.",
        "{Tengo|Tenemos} {la casa vacía|el piso sin {product}|a los niños sin cama} esperando {product} que {sigue|está} perdid{o} en {courier}.",
        "Todo el barrio igual: {pedidos|paquetes} de Lumen {bloqueados|atascados} en {courier} {toda la semana|desde el lunes}.",
    ],
    "delivery.rude": [
        "El {repartidor|transportista} {fue bastante borde|me habló fatal|ni saludó} y {se negó a subirlo|lo dejó en el portal}.",
        "{Los de la entrega|Los repartidores} {muy maleducados|con muy malas formas}{, una pena porque el producto está bien|}.",
    ],
    # ------------------------------------------------------------------ product
    "product.good": [
        "{{Product}|{product}} es {una maravilla|precios{o}|comodísim{o}|de muy buena calidad|justo lo que buscaba}.",
        "{Calidad|La calidad} {muy buena|excelente|mejor de lo esperado} {para el precio|y muy bonit{o}|}.",
        "Estoy {encantad{g}|muy content{g}|feliz} con {product}, {lo uso a diario|se nota la calidad|queda genial en el salón|ha cambiado mi casa}.",
        "{{Product}|{product}} {funciona perfectamente|cumple de sobra|es tal cual las fotos}{, lo recomiendo|, muy recomendable|}.",
        "{Después de {dos|tres} meses|Tras unas semanas de uso} {product} sigue como el primer día.",
        "{Bonit{o}|Precios{o}|Cómod{o}}, {resistente|bien acabad{o}|de buen material}{ y fácil de limpiar|}. {Repetiría|Volvería a comprarlo|}.",
        "{{Product}|{product}} {mola mucho|está genial|es top}{, súper happy|, top calidad|}.",
    ],
    "product.bad": [
        "{La calidad|El acabado} de {product} {deja mucho que desear|es bastante pobre|no es lo que esperaba}.",
        "{{Product}|{product}} {no es como en las fotos|parece más barat{o} de lo que cuesta|se ve endeble}{, decepcionante|}.",
        "{A las dos semanas|Al mes|A los pocos días} {product} ya {estaba {hundid{o}|descolorid{o}|torcid{o}}|hacía un ruido raro|se había estropeado}.",
        "{Muy incómod{o}|Nada cómod{o}|Pequeñ{o} para lo que anunciaban}{, no lo volvería a comprar|, me arrepiento|}.",
        "{El material|La tela|El plástico} {es malísimo|se nota barato|se rompe con mirarlo}.",
    ],
    "product.defect": [
        "{{Product}|{product}} dejó de funcionar {a los {dos|tres} meses|a las pocas semanas|al segundo uso}{ y la garantía es un laberinto|}.",
        "{{Product}|{product}} {vino defectuos{o}|tenía un defecto de fábrica|no encendía} desde el primer día.",
        "{Tuve que|He tenido que} {cambiar|devolver} {product} {dos veces|por un defecto|porque no funcionaba}.",
    ],
    # ------------------------------------------------------------------ store & staff
    "staff.good": [
        "{La dependienta|La chica de la tienda|{staff}, de la tienda de {store},} {me asesoró genial|fue encantadora|nos ayudó muchísimo|tuvo una paciencia infinita}.",
        "{Gran atención|Un trato estupendo|Atención de diez} en la tienda de {store}{, sobre todo {staff}|, gracias {staff}|}.",
        "{Quiero destacar|Mención especial para} {a|} {staff}, que {nos explicó todas las opciones|nos buscó el mejor precio|se ofreció a mirar el stock de otras tiendas}.",
        "El personal de {la tienda|Lumen {store}} {muy profesional|muy atento|súper majo} y {sin agobiar|sin presionar para vender|con mucho conocimiento}.",
        "{Da gusto|Qué gusto} que te atiendan {así|con tanta amabilidad}{, {staff} es un sol|}.",
        "{En la tienda de {store}|En tienda} {me atendieron de maravilla|el trato fue excelente}{, se nota que les gusta lo que hacen|}.",
    ],
    "staff.bad": [
        "En la tienda {nadie te atiende|no había nadie para atender|estaban más pendientes del móvil que de los clientes}.",
        "{El dependiente|La dependienta|El encargado} {fue bastante borde|no tenía ni idea|me trató con desgana}{, una pena|}.",
        "{Esperé|Estuve} {veinte|media hora|un buen rato} para que alguien me atendiera en {la tienda|caja}.",
        "{Poco personal|Muy poca gente trabajando} y {colas enormes en caja|nadie en la sección de muebles}.",
    ],
    "store.dirty": [
        "La tienda de {store} {estaba bastante sucia|da un poco de asco|está muy descuidada}{, con polvo en todas las exposiciones|, con cajas por el suelo|}.",
        "{Los baños|Los aseos|El baño} de la tienda {estaban asquerosos|sin papel y sucísimos|daban pena}.",
        "{Suelo pegajoso|Polvo por todas partes|Papeleras a rebosar} y {los sofás de exposición manchados|las camas de muestra con manchas|cajas abiertas por los pasillos}.",
        "{Deberían|Deberíais} {limpiar un poco más|cuidar la limpieza de} la tienda de {store}, {no invita a comprar|da muy mala imagen}.",
        "{La limpieza|Limpieza} de la tienda {muy mejorable|fatal|un desastre}{, y huele a humedad|}.",
    ],
    "store.clean": [
        "La tienda {muy bonita|preciosa|súper cuidada} y {limpia|ordenada}{, da gusto pasear|}.",
        "{Exposición muy bien montada|Todo muy ordenado} en la tienda de {store}.",
    ],
    # ------------------------------------------------------------------ price
    "price.high": [
        "{Bastante caro|Un poco caro|Carísimo} para lo que es{, la verdad|}.",
        "Los precios {han subido mucho|están por las nubes|ya no son lo que eran}{ últimamente|}.",
        "{Por ese precio|Por {price} €} {esperaba más calidad|lo encuentras más barato en otras tiendas|me parece excesivo}.",
        "{Precio elevado|Precios altos} {comparado con la competencia|para la calidad que ofrecen}.",
        "{He visto|Vi} {product} {{price}|casi 100} € más barato en {otra web|Amazon|otra tienda}{, no entiendo esos precios|}.",
    ],
    "price.good": [
        "{Muy buena relación calidad-precio|Calidad-precio inmejorable|Buen precio}{, sin duda|}.",
        "{Lo pillé|Lo compré} en {oferta|rebajas|el Black Friday} y {fue un chollo|me salió genial de precio}.",
        "{Por {price} €|Por ese precio} {no se puede pedir más|está genial}.",
    ],
    "price.hidden": [
        "{Al final|En la factura} me cobraron {el montaje|los gastos de envío|la subida al piso} {aparte|que no aparecía en ningún sitio}{. ¿No era sin costes ocultos?|}.",
        "{Sin costes ocultos dicen|\"Sin costes ocultos\"}... {y me cobran 29 € de montaje|y luego 15 € de envío que no ponía en la web|y aparece un cargo extra en la tarjeta}.",
        "Me {aparecieron|salieron} {cargos|cobros} {que no esperaba|extra} en la factura{, sin avisar|}.",
    ],
    # ------------------------------------------------------------------ app & web
    "app.good": [
        "La app {funciona muy bien|es muy cómoda|va fina}, {compré en un momento|el pago es rapidísimo|todo muy intuitivo}.",
        "{Comprar desde la app|Pedir desde el móvil} {es facilísimo|es súper sencillo|es un gustazo}.",
        "{Me gusta mucho|Me encanta} la app{, sobre todo la lista de deseos|, el seguimiento del pedido es muy claro|}.",
    ],
    "app.crash": [
        "La app {se cierra sola|se queda colgada|peta} {al pagar|al meter la tarjeta|cada vez que abro el carrito}.",
        "{Desde la última actualización|Con la nueva versión} la app {no funciona|no me deja entrar|da error al iniciar sesión}.",
        "{Intenté|Intenté tres veces} pagar en la app y {me dio error|me cobró dos veces|se quedó cargando}{, al final lo hice por la web|}.",
        "La app {es un desastre|da pena|es lentísima}{, siempre falla algo|}.",
    ],
    "app.slow": [
        "La app {va muy lenta|tarda muchísimo en cargar|se atasca con las fotos}.",
        "{La web|La página} {se colgó|se quedó pillada|dio error} {al pagar|en el carrito|al aplicar el cupón}.",
    ],
    # ------------------------------------------------------------------ support
    "support.good": [
        "{Escribí|Hablé} {al chat|con atención al cliente|por teléfono} y {me lo solucionaron en el momento|me atendieron genial|resolvieron todo en cinco minutos}.",
        "{La chica|El chico|{agent}} {del chat|de atención al cliente|del teléfono} {fue muy amable|se portó genial|me ayudó un montón}{, gracias|}.",
        "{Atención al cliente|El servicio de atención} {de diez|impecable|muy resolutivo}.",
    ],
    "support.bad": [
        "{Estuve|Pasé} {40 minutos|una hora|media hora} {esperando al teléfono|en espera|con la musiquita} para {nada|que me colgaran|que no me solucionaran nada}.",
        "{Atención al cliente|El servicio de atención} {nefasta|inexistente|lamentable}: {te pasan de uno a otro|nadie sabe nada|solo copian y pegan respuestas}.",
        "{He escrito|He llamado} {tres|cuatro|cinco} veces y {cada uno me dice una cosa|nadie me soluciona nada|todavía estoy esperando respuesta}.",
        "{Abrí|Tengo abierta} una {incidencia|reclamación} hace {days} y {nadie me ha contestado|sigue sin resolver}.",
    ],
    "returns.good": [
        "{La devolución|Devolverlo} fue {muy fácil|rapidísima|sin preguntas}, {vinieron a recogerlo a casa|me devolvieron el dinero en dos días}.",
        "{Lo devolví|Hice la devolución} {en tienda|por la web} y {cero problemas|el reembolso llegó enseguida}.",
    ],
    "returns.bad": [
        "{Pedí la devolución|Solicité el reembolso} hace {days} y {todavía no me han devuelto el dinero|nadie ha venido a recogerlo}.",
        "{Devolver|La devolución de} {product} {es una odisea|ha sido un infierno|está siendo imposible}{, mil trámites|}.",
    ],
    "assembly.good": [
        "{Los montadores|El montador|Los chicos del montaje} {muy profesionales|rapidísimos|lo dejaron todo perfecto} y {se llevaron el embalaje|recogieron todo|muy limpios}.",
        "El montaje {incluido y bien hecho|impecable|en media hora}.",
    ],
    "assembly.bad": [
        "{Los montadores|El montador} {dejaron|dejó} {product} {mal montad{o}|cojo|con tornillos sobrantes}{ y se fueron corriendo|}.",
        "{Para el montaje|El montaje} {me dieron cita para dentro de {dos semanas|diez días}|no se presentaron}{, con {product} en cajas en el salón|}.",
    ],
    # ------------------------------------------------------------------ membership
    "plus.renew": [
        "{Renové|He renovado} {plus} {sin dudarlo|otro año}, {el envío gratis compensa|merece la pena|me sale muy a cuenta}.",
        "Con {plus} {los envíos gratis y las ofertas|las ventajas} {están muy bien|compensan}.",
    ],
    "plus.cancel": [
        "{Me doy|Me he dado} de baja de {plus}{, no me compensa|, para qué pagar si no cumplen|}.",
        "{Voy a cancelar|He cancelado} {plus}: {pagar por envíos rápidos que no llegan|para esto|no pienso renovar}{, no tiene sentido|}.",
        "{No pienso renovar|No renovaré} {plus} {después de esto|el año que viene}.",
    ],
    # ------------------------------------------------------------------ awareness
    "awareness.ad": [
        "{Vi el anuncio|Vi la publicidad} {en la tele|en Instagram|en TikTok|en YouTube} y {me animé a probar|decidí entrar en la web|fui a la tienda}.",
        "{Os descubrí|Os conocí} por {un anuncio|una campaña en redes|un reel}{ y la verdad es que bien|}.",
    ],
    "awareness.friend": [
        "{Una amiga|Mi cuñada|Un compañero de trabajo|Mi hermana} me {recomendó|habló bien de} Lumen {y no se equivocó|y acerté|}.",
        "{Vine por recomendación|Me lo recomendaron} {y repetiré|y genial|}.",
    ],
    # ------------------------------------------------------------------ ideas
    "idea.other": [
        "{Estaría bien|Molaría|Sería genial} {un modo oscuro en la app|poder pagar a plazos sin intereses|tener más tiendas en {Bilbao|Málaga|Zaragoza}}.",
        "{Sugerencia|Una idea}: {poned|podríais poner} {más fotos reales de los productos|medidas más claras en la web|un chat por WhatsApp}.",
    ],
    # ------------------------------------------------------------------ threats and framing
    "churn": [
        "{No vuelvo a comprar aquí|No pienso volver a comprar en Lumen|Es la última vez que compro aquí}.",
        "{Me voy a la competencia|Me paso a la competencia|Me voy a IKEA} {y punto|sin pensarlo|}.",
        "{Cancelo el pedido|Voy a cancelar el pedido} {y quiero mi dinero|si no llega {mañana|el viernes}|}.",
        "{Si no me lo solucionáis|Como no me lo solucionéis} {hoy|esta semana} {me doy de baja|os pido la devolución de todo|cancelo todo}.",
        "{Me doy de baja|Me borro} {de todo|de la app y de {plus}|}{. Adiós|}.",
    ],
    "public": [
        "{Voy a contarlo|Lo voy a contar} en {todas las redes|Twitter|Instagram} {para que la gente lo sepa|a ver si así os movéis|}.",
        "{Pondré|Voy a poner} una reclamación en {consumo|la OCU|la oficina del consumidor}{ y lo contaré en redes|}.",
        "{Que se entere todo el mundo|Que la gente sepa} cómo {tratáis|trata Lumen} a sus clientes.",
    ],
    "open.pos": [
        "{Muy content{g}|Encantad{g}|Todo genial|Experiencia de diez}.",
        "{Primera vez que compro en Lumen|Segunda compra en Lumen|Cliente desde hace años} y {repetiré|encantad{g}|nunca falla}.",
        "{Qué gusto|Da gusto} comprar así.",
        "",
    ],
    "open.neg": [
        "{Muy decepcionad{g}|Fatal|Qué desastre|Indignad{g}|Harta|Lamentable}.",
        "{Nunca había tenido|Nunca me había pasado} {una experiencia tan mala|algo así} {con una tienda|comprando online}.",
        "{Vaya experiencia|Menuda experiencia}{...|.}",
        "",
    ],
    "open.mixed": [
        "{Sensaciones encontradas|Ni fu ni fa|Regular|Tiene cosas buenas y malas}.",
        "",
    ],
    "close.pos": [
        "{Lo recomiendo|Muy recomendable|Repetiré seguro|100% recomendable}{!|.|!!}",
        "{Gracias|Mil gracias|Gracias, Lumen}{!|.}",
        "{Seguiré comprando aquí|Volveré|Cliente fiel}.",
        "",
    ],
    "close.neg": [
        "{No lo recomiendo|No recomendable|Evitad esta tienda|Cuidado con Lumen}.",
        "{Espero una solución|Espero que lo arreglen|A ver si mejoran}.",
        "{Una pena|Qué pena}, {antes erais otra cosa|con lo que me gustaba esta tienda}.",
        "",
    ],
    "close.mixed": [
        "{A mejorar|Hay cosas que mejorar|Volvería, pero con dudas}.",
        "",
    ],
    "title.pos": [
        "{Genial|Muy content{g}|Recomendable|Perfecto|Todo bien|Buena compra|Encantad{g}|Diez|Me encanta}",
        "{Rápido y bien|Calidad-precio top|Gran atención|Repetiré}",
    ],
    "title.neg": [
        "{Decepcionante|Fatal|No lo recomiendo|Nunca más|Pésimo|Muy mal|Desastre|Una vergüenza}",
        "{Entrega horrible|Mala experiencia|Cuidado|Estafa}",
    ],
    "title.mixed": [
        "{Regular|Bien, pero...|Mejorable|Correcto|Ni fu ni fa|Aceptable}",
    ],
    "nps.pos": [
        "{Todo bien|Muy bien|Bien|Genial|Perfecto|Buen servicio|Muy buena experiencia}",
        "{Buenos productos|Buena atención|Rápidos|Calidad precio}{ y buen trato|}",
    ],
    "nps.neg": [
        "{Mal servicio|Muy mal|Nada que decir, mal|Mejorad|No cumplen}",
    ],
    "nps.mixed": [
        "{Normal|Regular|Correcto|Podría mejorar|Sin más|ok}",
    ],
}


# ---------------------------------------------------------------- story 3: the delivery-slot idea
IDEA_ASK: list[str] = [
    "Estaría genial poder",
    "Ojalá se pudiera",
    "¿Por qué no dejáis",
    "Deberíais dejar",
    "Sugerencia: dejad",
    "Echo de menos poder",
    "Me encantaría poder",
    "Lo único que pediría es poder",
    "Sería un puntazo poder",
    "Una mejora: que se pueda",
    "Por favor, permitid",
    "Haría falta poder",
    "Pediría una cosa:",
    "Os lo pido por favor:",
]
IDEA_OBJ: list[str] = [
    "elegir la franja horaria de entrega",
    "escoger la hora de entrega",
    "elegir a qué hora llega el pedido",
    "seleccionar un horario de entrega",
    "elegir entrega de mañana o de tarde",
    "elegir una franja para el reparto",
    "decir a qué hora me viene bien recibir el pedido",
    "reservar un tramo horario para la entrega",
    "marcar en qué horas estoy en casa para el reparto",
    "escoger franja horaria al comprar",
    "pedir que me lo traigan por la tarde",
    "elegir el horario del repartidor",
]
IDEA_WHY: list[str] = [
    "porque trabajo hasta las siete y nunca estoy en casa",
    "así no tengo que quedarme todo el día esperando",
    "que no todos podemos pedir el día libre",
    "como hacen los supermercados online",
    "porque me pasé toda la mañana esperando",
    "con una ventana de dos horas me basta",
    "aunque haya que pagar un poco más",
    "para no tener que dejarlo en el bar de abajo",
    "",
    "",
    "",
]
IDEA_FIRST = (
    "Os doy una idea que creo que os ahorraría muchas entregas fallidas: al hacer el pedido, "
    "dejad elegir una franja horaria de entrega (por ejemplo 9-12, 12-15, 15-18 o 18-21). "
    "Yo trabajo fuera todo el día y el transportista siempre viene cuando no estoy. "
    "Por lo demás, muy contenta con el sofá."
)
