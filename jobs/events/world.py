"""The simulated world: customers with homes and habits, stores with places and categories.

Everything is drawn from one seeded ``random.Random`` so a seed names a world.
"""

import bisect
import itertools
import math
import random
from dataclasses import dataclass

from libs.models.events import Category, Channel

# (city, latitude, longitude, population weight). Far apart on purpose: the
# impossible-travel pattern needs distances no one covers in minutes.
CITIES: tuple[tuple[str, float, float, float], ...] = (
    ("Berlin", 52.52, 13.405, 3.7),
    ("Paris", 48.857, 2.352, 2.2),
    ("Madrid", 40.417, -3.704, 3.3),
    ("Rome", 41.903, 12.496, 2.8),
    ("Warsaw", 52.23, 21.012, 1.8),
    ("Amsterdam", 52.368, 4.904, 0.9),
    ("Stockholm", 59.329, 18.069, 1.0),
    ("Lisbon", 38.722, -9.139, 0.5),
    ("London", 51.507, -0.128, 8.9),
    ("New York", 40.713, -74.006, 8.3),
    ("Chicago", 41.878, -87.63, 2.7),
    ("Singapore", 1.352, 103.82, 5.6),
)

# Typical ticket size (log-normal median, in EUR) per category.
CATEGORY_MEDIAN: dict[Category, float] = {
    Category.GROCERY: 35.0,
    Category.RESTAURANT: 28.0,
    Category.FUEL: 55.0,
    Category.FASHION: 70.0,
    Category.ELECTRONICS: 180.0,
    Category.TRAVEL: 240.0,
    Category.ENTERTAINMENT: 40.0,
    Category.HEALTH: 30.0,
}
CATEGORIES = tuple(CATEGORY_MEDIAN)
CATEGORY_WEIGHTS = (30, 18, 12, 10, 5, 3, 12, 10)
CHANNELS = (Channel.POS, Channel.ONLINE, Channel.MOBILE, Channel.ATM)


@dataclass(frozen=True, slots=True)
class Customer:
    """A card holder: where they live, how much and when they spend."""

    customer_id: str
    key: bytes
    city: int
    latitude: float
    longitude: float
    spend_scale: float
    active_hour: float
    hour_spread: float
    online_share: float
    favourite: Category


@dataclass(frozen=True, slots=True)
class Store:
    """A merchant location (online stores have their company's address)."""

    store_id: str
    city: int
    latitude: float
    longitude: float
    category: Category
    online: bool
    category_text: str  # the category as written on the wire (hot path: no enum access)
    median_ticket: float  # typical amount here before the customer's own scale


@dataclass(frozen=True)
class World:
    """Customers, stores indexed by city, and the blacklist."""

    customers: tuple[Customer, ...]
    stores: tuple[Store, ...]
    stores_by_city: tuple[tuple[Store, ...], ...]
    blacklisted_customers: tuple[str, ...]
    blacklisted_stores: tuple[str, ...]

    def far_city(self, city: int, rng: random.Random) -> int:
        """A city at least 1000 km from ``city`` (always exists among CITIES)."""
        far = [i for i in range(len(CITIES)) if distance_km(city, i) >= 1000.0]
        return rng.choice(far)


def distance_km(a: int, b: int) -> float:
    """Great-circle distance between two cities (haversine)."""
    _, lat1, lon1, _ = CITIES[a]
    _, lat2, lon2, _ = CITIES[b]
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def _active_hour(rng: random.Random) -> float:
    """Peak shopping hour (UTC): mostly daytime, some evening people, a few night shifts."""
    draw = rng.random()
    if draw < 0.8:
        return rng.gauss(13.5, 2.5) % 24
    if draw < 0.96:
        return rng.gauss(20.0, 1.5) % 24
    return rng.gauss(2.0, 1.5) % 24


def _jitter(rng: random.Random, value: float, spread: float) -> float:
    return round(value + rng.uniform(-spread, spread), 5)


def build_world(
    seed: int, customers: int = 10_000, stores: int = 1_000, blacklist_share: float = 0.002
) -> World:
    """Draw a world; the same arguments give the same world."""
    rng = random.Random(f"world-{seed}")
    city_weights = list(itertools.accumulate(c[3] for c in CITIES))
    category_weights = list(itertools.accumulate(CATEGORY_WEIGHTS))
    people = []
    for index in range(customers):
        city = bisect.bisect(city_weights, rng.random() * city_weights[-1])
        _, lat, lon, _ = CITIES[city]
        people.append(
            Customer(
                customer_id=f"C{index:07d}",
                key=f"C{index:07d}".encode(),
                city=city,
                latitude=_jitter(rng, lat, 0.15),
                longitude=_jitter(rng, lon, 0.15),
                spend_scale=rng.lognormvariate(0.0, 0.5),
                active_hour=_active_hour(rng),
                hour_spread=rng.uniform(1.5, 3.0),
                online_share=rng.uniform(0.05, 0.4),
                favourite=CATEGORIES[bisect.bisect(category_weights, rng.random() * 100)],
            )
        )
    shops = []
    for index in range(stores):
        city = bisect.bisect(city_weights, rng.random() * city_weights[-1])
        _, lat, lon, _ = CITIES[city]
        category = CATEGORIES[bisect.bisect(category_weights, rng.random() * 100)]
        shops.append(
            Store(
                store_id=f"S{index:05d}",
                city=city,
                latitude=_jitter(rng, lat, 0.1),
                longitude=_jitter(rng, lon, 0.1),
                category=category,
                online=rng.random() < 0.15,
                category_text=category.value,
                median_ticket=CATEGORY_MEDIAN[category],
            )
        )
    by_city = tuple(
        tuple(s for s in shops if s.city == c) or tuple(shops) for c in range(len(CITIES))
    )
    blocked_customers = rng.sample(
        [c.customer_id for c in people], max(1, int(customers * blacklist_share))
    )
    blocked_stores = rng.sample(
        [s.store_id for s in shops], max(1, int(stores * blacklist_share * 5))
    )
    return World(
        customers=tuple(people),
        stores=tuple(shops),
        stores_by_city=by_city,
        blacklisted_customers=tuple(sorted(blocked_customers)),
        blacklisted_stores=tuple(sorted(blocked_stores)),
    )
