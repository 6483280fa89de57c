"""Reference data for a fresh database, drawn from the same world as the generator.

Seeding with the generator's ``--seed`` makes ``bronze.customers``,
``bronze.stores`` and ``bronze.blacklist`` agree with the event stream.
Idempotent: existing rows are left alone.
"""

import psycopg

from jobs.events.world import CITIES, World, build_world


def seed(dsn: str, world: World | None = None, *, seed_value: int = 42) -> dict[str, int]:
    """Insert customers, stores and blacklist; return rows inserted per table."""
    world = world or build_world(seed_value)
    inserted = {}
    with psycopg.connect(dsn) as connection, connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO bronze.customers (customer_id, home_city, home_latitude, home_longitude,"
            " favourite_category) VALUES (%s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            [
                (c.customer_id, CITIES[c.city][0], c.latitude, c.longitude, c.favourite.value)
                for c in world.customers
            ],
        )
        inserted["customers"] = cursor.rowcount
        cursor.executemany(
            "INSERT INTO bronze.stores (store_id, city, latitude, longitude, category, online)"
            " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
            [
                (s.store_id, CITIES[s.city][0], s.latitude, s.longitude, s.category.value, s.online)
                for s in world.stores
            ],
        )
        inserted["stores"] = cursor.rowcount
        entries = [("customer", c, "chargeback fraud") for c in world.blacklisted_customers]
        entries += [("store", s, "compromised terminal") for s in world.blacklisted_stores]
        cursor.executemany(
            "INSERT INTO bronze.blacklist (entity_type, entity_id, reason) VALUES (%s, %s, %s)"
            " ON CONFLICT DO NOTHING",
            entries,
        )
        inserted["blacklist"] = cursor.rowcount
    return inserted
