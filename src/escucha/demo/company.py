"""The fictional company behind the demo: Lumen Hogar, an omnichannel home-goods retailer.

Everything here is invented. :func:`company_config` returns what a marketing team would write
down (brand promises with their campaigns, and the customer journey); the generator writes it to
``company.yaml`` for the journey and promise features to read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

COMPANY_NAME = "Lumen Hogar"
BRAND_HANDLE = "@LumenHogar"
SUPPORT_HANDLE = "@LumenHogar_Ayuda"
MEMBERSHIP = "Lumen Plus"

STORE_CITIES: tuple[str, ...] = ("Madrid", "Barcelona", "Valencia", "Sevilla", "Ciudad de México")
"""Cities with a physical store (each also serves as a delivery hub)."""

ONLINE = "Online"
APP = "App"

STAFF: dict[str, tuple[str, ...]] = {
    "Madrid": ("Javier", "Marta", "Sergio"),
    "Barcelona": ("Marc", "Laia", "Jordi"),
    "Valencia": ("Lucía", "Vicent", "Paula"),
    "Sevilla": ("Rocío", "Manuel", "Alba"),
    "Ciudad de México": ("Fernanda", "Diego", "Ximena"),
}

AGENTS_ES: tuple[str, ...] = ("Laura", "Carlos", "Nerea", "Iván", "Sonia", "Raúl", "Elena", "Pablo")
AGENTS_MX: tuple[str, ...] = ("Andrea", "Luis", "Mariana", "Emilio")
AGENTS_EN: tuple[str, ...] = ("Emma", "Daniel", "Sarah", "Tom")

COURIER = "RutaExpress"
"""Main parcel partner in Spain (the one that collapses in the demo)."""
COURIER_MX = "EnvíaMX"
OWN_FLEET = "TransLumen"


@dataclass(frozen=True, slots=True)
class Product:
    name: str
    category: str
    price: int
    noun_es: str
    gender: str  # "o" or "a": ending of Spanish adjectives agreeing with noun_es
    noun_en: str
    bulky: bool = False


PRODUCTS: tuple[Product, ...] = (
    Product("Sofá Nube 3 plazas", "muebles", 899, "el sofá", "o", "the sofa", True),
    Product("Sofá cama Brisa", "muebles", 649, "el sofá cama", "o", "the sofa bed", True),
    Product("Colchón Sueño Pro", "descanso", 549, "el colchón", "o", "the mattress", True),
    Product("Canapé abatible Duo", "descanso", 379, "el canapé", "o", "the storage bed", True),
    Product("Mesa extensible Roble", "muebles", 429, "la mesa", "a", "the table", True),
    Product("Silla Nórdica", "muebles", 59, "la silla", "a", "the chair"),
    Product("Estantería Modular Kubo", "muebles", 149, "la estantería", "a", "the shelving unit"),
    Product("Lámpara de pie Aura", "iluminación", 89, "la lámpara", "a", "the floor lamp"),
    Product("Plafón LED Halo", "iluminación", 45, "el plafón", "o", "the ceiling light"),
    Product("Aspiradora robot Lumi R5", "electrodomésticos", 299, "la aspiradora", "a",
            "the robot vacuum"),
    Product("Cafetera Espresso Barista", "electrodomésticos", 199, "la cafetera", "a",
            "the coffee machine"),
    Product("Freidora de aire Crujiente", "electrodomésticos", 119, "la freidora", "a",
            "the air fryer"),
    Product("Batería de cocina Chef 8 piezas", "cocina", 139, "la batería de cocina", "a",
            "the cookware set"),
    Product("Juego de sábanas Algodón 300", "textil", 49, "el juego de sábanas", "o",
            "the bed sheets set"),
    Product("Edredón nórdico Invierno", "textil", 79, "el edredón", "o", "the duvet"),
    Product("Estor opaco Lino", "textil", 39, "el estor", "o", "the blind"),
)

DEPARTMENTS: tuple[tuple[str, str, int], ...] = (
    # (department, location, respondents per pulse wave)
    ("Tiendas", "Madrid", 9),
    ("Tiendas", "Barcelona", 7),
    ("Tiendas", "Valencia", 5),
    ("Tiendas", "Sevilla", 5),
    ("Tiendas", "Ciudad de México", 6),
    ("Atención al cliente", "Madrid", 8),
    ("Atención al cliente", "Ciudad de México", 5),
    ("Logística", "Madrid", 5),
    ("Logística", "Valencia", 3),
    ("Marketing", "Madrid", 3),
    ("Tecnología", "Barcelona", 4),
)


def week_start(start: date, week: int) -> date:
    """First day of 1-based ``week`` counted from ``start``."""
    return start + timedelta(days=7 * (week - 1))


def campaign_week(weeks: int) -> int:
    """Week the 'Entrega en 24 horas' campaign starts (week 9 of 26, scaled)."""
    return max(2, round(9 * weeks / 26))


def company_config(start: date, weeks: int = 26) -> dict[str, Any]:
    """Brand promises and customer journey, as the company's own teams describe them."""
    c24 = week_start(start, campaign_week(weeks))
    return {
        "company": {
            "name": COMPANY_NAME,
            "sector": "retail hogar (omnicanal)",
            "description": (
                "Muebles, descanso, iluminación, pequeño electrodoméstico y textil para el hogar. "
                "Tiendas físicas, web con envío a domicilio y app."
            ),
            "languages": ["es", "en"],
            "locations": [*STORE_CITIES, ONLINE, APP],
            "social_handles": [BRAND_HANDLE, SUPPORT_HANDLE],
            "membership": MEMBERSHIP,
            "products": [
                {"name": p.name, "category": p.category, "price_eur": p.price} for p in PRODUCTS
            ],
        },
        "promises": [
            {
                "id": "entrega_24h",
                "promise": "Entrega en 24 horas",
                "claim": "Pide antes de las 20:00 y mañana lo tienes en casa. Sin esperas.",
                "claim_en": "Order before 8 pm and get it tomorrow. No waiting.",
                "campaign": "Mañana en casa",
                "channels": ["televisión", "redes sociales", "web", "app"],
                "markets": ["España"],
                "start": c24.isoformat(),
                "end": None,
                "journey_stage": "entrega",
                "keywords": ["24 horas", "24h", "mañana en casa", "entrega", "plazo", "next day"],
            },
            {
                "id": "atencion_personalizada",
                "promise": "Atención personalizada",
                "claim": "Expertos en hogar que te asesoran en tienda, por chat y por teléfono.",
                "claim_en": "Home experts who advise you in store, by chat and by phone.",
                "campaign": "Te conocemos",
                "channels": ["tiendas", "contact center", "web"],
                "markets": ["España", "México"],
                "start": (start - timedelta(days=400)).isoformat(),
                "end": None,
                "journey_stage": "soporte",
                "keywords": ["atención", "asesoramiento", "dependiente", "trato", "agente"],
            },
            {
                "id": "sin_costes_ocultos",
                "promise": "Sin costes ocultos",
                "claim": "El precio que ves es el que pagas: envío y montaje incluidos desde 50 €.",
                "claim_en": "The price you see is the price you pay: delivery and assembly included.",
                "campaign": "Precio claro",
                "channels": ["web", "app", "folleto"],
                "markets": ["España", "México"],
                "start": (start - timedelta(days=200)).isoformat(),
                "end": None,
                "journey_stage": "compra",
                "keywords": ["precio", "cargo", "gastos de envío", "montaje", "factura"],
            },
            {
                "id": "devolucion_30",
                "promise": "Devolución gratis en 30 días",
                "claim": "¿No te convence? Lo recogemos gratis en casa durante 30 días.",
                "claim_en": "Not convinced? We pick it up for free within 30 days.",
                "campaign": "Prueba en casa",
                "channels": ["web", "tiendas"],
                "markets": ["España", "México"],
                "start": (start - timedelta(days=600)).isoformat(),
                "end": None,
                "journey_stage": "soporte",
                "keywords": ["devolución", "reembolso", "recogida", "return", "refund"],
            },
            {
                "id": "app_3_clics",
                "promise": "Compra en 3 clics desde la app",
                "claim": "La app más fácil para llenar tu casa de ideas.",
                "claim_en": "Shop in 3 taps with our app.",
                "campaign": "Lumen App",
                "channels": ["app stores", "redes sociales"],
                "markets": ["España", "México"],
                "start": (start - timedelta(days=120)).isoformat(),
                "end": None,
                "journey_stage": "compra",
                "keywords": ["app", "aplicación", "pago", "clics", "checkout"],
            },
        ],
        "journey": {
            "stages": [
                {
                    "id": "descubrimiento",
                    "name": "Descubrimiento",
                    "name_en": "Awareness",
                    "touchpoints": [
                        {
                            "id": "publicidad",
                            "name": "Publicidad y redes",
                            "keywords": ["anuncio", "publicidad", "tele", "instagram", "tiktok",
                                         "ad", "commercial"],
                            "examples": ["Vi el anuncio en la tele", "Saw your ad on Instagram"],
                        },
                        {
                            "id": "recomendacion",
                            "name": "Recomendación",
                            "keywords": ["recomendó", "me hablaron", "amiga", "recommended"],
                            "examples": ["Una amiga me recomendó la tienda"],
                        },
                    ],
                },
                {
                    "id": "compra",
                    "name": "Compra",
                    "name_en": "Purchase",
                    "touchpoints": [
                        {
                            "id": "tienda",
                            "name": "Tienda física",
                            "keywords": ["tienda", "dependiente", "dependienta", "exposición",
                                         "store", "staff", "limpieza", "sucia", "baños"],
                            "examples": ["La dependienta me asesoró genial",
                                         "La tienda estaba sucia"],
                        },
                        {
                            "id": "web",
                            "name": "Web y checkout",
                            "keywords": ["web", "página", "carrito", "pago", "website", "checkout"],
                            "examples": ["La web se colgó al pagar"],
                        },
                        {
                            "id": "app",
                            "name": "App",
                            "keywords": ["app", "aplicación", "se cierra", "actualización"],
                            "examples": ["La app se cierra sola al pagar"],
                        },
                        {
                            "id": "precio",
                            "name": "Precio y promociones",
                            "keywords": ["precio", "caro", "barato", "oferta", "descuento",
                                         "price", "expensive"],
                            "examples": ["Bastante caro para lo que es"],
                        },
                    ],
                },
                {
                    "id": "entrega",
                    "name": "Entrega",
                    "name_en": "Delivery",
                    "touchpoints": [
                        {
                            "id": "reparto",
                            "name": "Reparto a domicilio",
                            "keywords": ["entrega", "pedido", "repartidor", "transportista",
                                         "paquete", "llegó", "tardó", "delivery", "courier",
                                         "parcel"],
                            "examples": ["El pedido llegó en un día",
                                         "Prometían 24 horas y tardó una semana"],
                        },
                        {
                            "id": "seguimiento",
                            "name": "Seguimiento del pedido",
                            "keywords": ["seguimiento", "tracking", "dónde está", "estado del pedido"],
                            "examples": ["El seguimiento no se actualiza"],
                        },
                        {
                            "id": "montaje",
                            "name": "Montaje e instalación",
                            "keywords": ["montaje", "montador", "instalación", "assembly"],
                            "examples": ["Los montadores lo dejaron perfecto"],
                        },
                    ],
                },
                {
                    "id": "uso",
                    "name": "Uso del producto",
                    "name_en": "Usage",
                    "touchpoints": [
                        {
                            "id": "calidad",
                            "name": "Calidad del producto",
                            "keywords": ["calidad", "se rompió", "cómodo", "funciona", "quality"],
                            "examples": ["El colchón es comodísimo"],
                        },
                        {
                            "id": "garantia",
                            "name": "Garantía",
                            "keywords": ["garantía", "avería", "warranty"],
                            "examples": ["Dejó de funcionar a los dos meses"],
                        },
                    ],
                },
                {
                    "id": "soporte",
                    "name": "Soporte y atención",
                    "name_en": "Support",
                    "touchpoints": [
                        {
                            "id": "contact_center",
                            "name": "Chat y teléfono",
                            "keywords": ["chat", "teléfono", "llamé", "agente", "atención al cliente",
                                         "customer service", "esperando"],
                            "examples": ["Estuve 40 minutos esperando al teléfono"],
                        },
                        {
                            "id": "devoluciones",
                            "name": "Devoluciones y reembolsos",
                            "keywords": ["devolución", "devolver", "reembolso", "refund", "return"],
                            "examples": ["Me devolvieron el dinero en dos días"],
                        },
                    ],
                },
                {
                    "id": "renovacion",
                    "name": "Renovación o baja",
                    "name_en": "Renewal / churn",
                    "touchpoints": [
                        {
                            "id": "lumen_plus",
                            "name": f"Suscripción {MEMBERSHIP}",
                            "keywords": ["Lumen Plus", "suscripción", "renovar", "darme de baja",
                                         "cancelar", "membership", "cancel"],
                            "examples": ["Me doy de baja de Lumen Plus",
                                         "Renové Lumen Plus sin dudarlo"],
                        },
                    ],
                },
            ],
        },
        "scales": {
            "nps": "0-10, ¿recomendarías Lumen Hogar?",
            "csat": "1-5 tras el chat o la llamada",
            "ces": "1-7, 'Lumen Hogar me lo puso fácil' (7 = muy fácil)",
            "enps": "0-10, ¿recomendarías Lumen Hogar como lugar de trabajo?",
        },
    }
