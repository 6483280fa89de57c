"""The event stream: seasonal normal traffic plus labelled fraud episodes.

Events are produced in event-time order: injected episodes that span time (a
velocity burst, the second leg of an impossible trip) wait in a small heap
until the clock reaches them, so the stream never jumps backwards or ahead —
important for the aggregator's watermarks. Fraud episodes are started whenever
the labelled share falls below ``fraud_rate``; episode kinds are weighted so
every pattern contributes about the same number of labelled events.

The JSON of a transaction is written by hand from a fixed template: this is
the generator's hot path, and a contract test checks every field against the
``Transaction`` model.
"""

import bisect
import heapq
import itertools
import json
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from statistics import NormalDist
from typing import NamedTuple

from jobs.events.world import Customer, Store, World, build_world
from libs.models.events import Category, Channel, FraudPattern

DEFAULT_START = datetime(2026, 1, 5, tzinfo=UTC)  # a Monday, 00:00 UTC

# Relative traffic by hour of day (UTC) and by weekday (Monday first).
HOURLY = (
    0.15,
    0.08,
    0.05,
    0.04,
    0.05,
    0.12,
    0.35,
    0.7,
    1.0,
    1.1,
    1.2,
    1.5,
    1.8,
    1.6,
    1.3,
    1.2,
    1.3,
    1.6,
    1.9,
    1.8,
    1.4,
    1.0,
    0.6,
    0.3,
)
WEEKLY = (0.9, 0.92, 0.95, 1.0, 1.2, 1.25, 0.78)
_NORMALISER = (sum(HOURLY) / 24) * (sum(WEEKLY) / 7)

# Episode weights: inverse of labelled events per episode, so patterns balance.
EPISODES = (
    (FraudPattern.HIGH_VALUE, 8.0),
    (FraudPattern.VELOCITY_BURST, 1.0),
    (FraudPattern.IMPOSSIBLE_TRAVEL, 8.0),
    (FraudPattern.UNUSUAL_HOUR, 8.0),
    (FraudPattern.BLACKLISTED, 8.0),
)
MALFORMED_KINDS = ("invalid_json", "missing_field", "wrong_type", "oversize", "future_major")

# Normal-distribution quantiles: indexing this table with a uniform draw is a
# normal draw (to 1/4096 resolution) at a fraction of random.gauss's cost.
_NORMAL = tuple(NormalDist().inv_cdf((i + 0.5) / 4096) for i in range(4096))
_EXPONENTIAL = tuple(-math.log(1.0 - (i + 0.5) / 4096) for i in range(4096))
_LOGNORMAL = tuple(math.exp(0.45 * z) for z in _NORMAL)
_UUID_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}
# Plain strings on the hot path (enum member access is a descriptor call).
_POS, _ATM, _ONLINE, _MOBILE = (
    c.value for c in (Channel.POS, Channel.ATM, Channel.ONLINE, Channel.MOBILE)
)
_TEMPLATE = (
    '{{"schema_version":"1.0","transaction_id":"{}","customer_id":"{}","store_id":"{}",'
    '"amount":"{}","currency":"EUR","timestamp":"{}","latitude":{:.5f},"longitude":{:.5f},'
    '"channel":"{}","category":"{}"{}}}'
)


PURCHASES_PER_CUSTOMER_DAY = 2.5


@dataclass(frozen=True)
class GeneratorConfig:
    """What to generate.

    ``events_per_second`` is the arrival rate in *event time* at average
    seasonality; by default each customer buys about 2.5 times a day, which is
    what makes velocity and hour-of-day habits realistic.
    """

    seed: int = 42
    customers: int = 10_000
    stores: int = 1_000
    fraud_rate: float = 0.02
    malformed_rate: float = 0.0
    start: datetime = DEFAULT_START
    events_per_second: float | None = None

    @property
    def arrival_rate(self) -> float:
        """Events per event-time second at average seasonality."""
        if self.events_per_second is not None:
            return self.events_per_second
        return self.customers * PURCHASES_PER_CUSTOMER_DAY / 86_400


class Event(NamedTuple):
    """One Kafka record: key, JSON value and what the generator knows about it.

    A NamedTuple because one is built per event (a frozen dataclass costs twice as much).
    """

    key: bytes
    value: bytes
    timestamp_ms: int
    label: FraudPattern | None = None
    malformed: str | None = None


@dataclass(order=True, slots=True)
class _Pending:
    timestamp_ms: int
    sequence: int
    event: Event = field(compare=False)


class EventStream:
    """An endless, deterministic iterator of events (stop it with ``islice``)."""

    def __init__(self, config: GeneratorConfig, world: World | None = None) -> None:
        self.config = config
        self.world = world or build_world(config.seed, config.customers, config.stores)
        self._rng = random.Random(f"stream-{config.seed}")
        self._clock_ms = int(config.start.timestamp() * 1000)
        self._pending: list[_Pending] = []
        self._sequence = itertools.count()
        self._labelled = 0
        self._emitted = 0
        self._second = -1
        self._second_text = ""
        self._hour_end_ms = -1
        self._rate = config.arrival_rate
        self._blacklisted_stores = frozenset(self.world.blacklisted_stores)
        allowed = [s for s in self.world.stores if s.store_id not in self._blacklisted_stores]
        self._online = tuple(s for s in allowed if s.online)
        self._local = tuple(
            tuple(s for s in allowed if s.city == city) or tuple(allowed)
            for city in range(len(self.world.stores_by_city))
        )
        self._by_city_category: dict[tuple[int, Category], tuple[Store, ...]] = {}
        for store in allowed:
            key = (store.city, store.category)
            self._by_city_category[key] = (*self._by_city_category.get(key, ()), store)
        self._customer_index = {c.customer_id: c for c in self.world.customers}
        self._blacklisted_customers = frozenset(self.world.blacklisted_customers)
        buckets: list[list[Customer]] = [[] for _ in range(24)]
        for customer in self.world.customers:
            if customer.customer_id not in self._blacklisted_customers:
                buckets[int(customer.active_hour) % 24].append(customer)
        self._by_peak_hour = tuple(tuple(bucket) for bucket in buckets)
        self._by_home_city = tuple(
            tuple(c for bucket in buckets for c in bucket if c.city == city)
            for city in range(len(self.world.stores_by_city))
        )
        self._store_index = {s.store_id: s for s in self.world.stores}
        self._episode_weights = list(itertools.accumulate(w for _, w in EPISODES))

    # -- time -----------------------------------------------------------------
    def _iso(self, ms: int) -> str:
        second = ms // 1000
        if second != self._second:
            self._second = second
            moment = datetime.fromtimestamp(second, UTC)
            self._second_text = moment.strftime("%Y-%m-%dT%H:%M:%S")
        return f"{self._second_text}.{ms % 1000:03d}Z"

    def _advance(self) -> None:
        if self._clock_ms >= self._hour_end_ms:
            moment = datetime.fromtimestamp(self._clock_ms // 1000, UTC)
            factor = HOURLY[moment.hour] * WEEKLY[moment.weekday()] / _NORMALISER
            self._rate = self.config.arrival_rate * factor
            self._hour_end_ms = (self._clock_ms // 3_600_000 + 1) * 3_600_000
        gap = _EXPONENTIAL[int(self._rng.random() * 4096)] / self._rate
        self._clock_ms += max(1, int(gap * 1000))

    # -- building blocks ------------------------------------------------------
    def _active_customer(self, hour: float) -> Customer:
        """A customer likely to shop at ``hour``.

        Customers are bucketed by their peak hour; a draw picks an hour near
        ``hour`` (normal spread of 2 h) and then a customer of that bucket, which
        samples the same habit density as rejection sampling at a fraction of
        the cost. Blacklisted customers are not in the buckets: they appear only
        in the blacklisted episode, so every event the blacklist rule fires on
        is labelled.
        """
        rng = self._rng
        target = int(hour + 2.0 * _NORMAL[int(rng.random() * 4096)]) % 24
        for step in range(24):
            bucket = self._by_peak_hour[(target + step) % 24]
            if bucket:
                return bucket[int(rng.random() * len(bucket))]
        raise ValueError("the world has no customer outside the blacklist")

    def _store_for(self, customer: Customer) -> Store:
        """Where the customer shops: online, a favourite-category store, or any local one.

        The lists exclude blacklisted stores, which only the blacklisted episode uses.
        """
        rng = self._rng
        if rng.random() < customer.online_share:
            return self._online[int(rng.random() * len(self._online))]
        if rng.random() < 0.4:
            favourites = self._by_city_category.get((customer.city, customer.favourite))
            if favourites:
                return favourites[int(rng.random() * len(favourites))]
        local = self._local[customer.city]
        return local[int(rng.random() * len(local))]

    def _amount(self, customer: Customer, store: Store, factor: float = 1.0) -> str:
        median = store.median_ticket * customer.spend_scale * factor
        spread = _LOGNORMAL[int(self._rng.random() * 4096)]
        return f"{max(0.5, median * spread):.2f}"

    def _event(
        self,
        customer: Customer,
        store: Store,
        ms: int,
        *,
        amount: str | None = None,
        label: FraudPattern | None = None,
        position: tuple[float, float] | None = None,
    ) -> Event:
        rng = self._rng
        if store.online:
            channel = _MOBILE if rng.random() < 0.4 else _ONLINE
            lat, lon = position or (customer.latitude, customer.longitude)
        else:
            channel = _ATM if rng.random() < 0.04 else _POS
            lat, lon = position or (store.latitude, store.longitude)
        # A version-4 UUID from the seeded generator (uuid.UUID() costs twice as much).
        digits = f"{rng.getrandbits(128):032x}"
        transaction_id = (
            f"{digits[:8]}-{digits[8:12]}-4{digits[13:16]}-"
            f"{_UUID_VARIANT[digits[16]]}{digits[17:20]}-{digits[20:]}"
        )
        value = _TEMPLATE.format(
            transaction_id,
            customer.customer_id,
            store.store_id,
            amount or self._amount(customer, store),
            self._iso(ms),
            lat,
            lon,
            channel,
            store.category_text,
            f',"fraud_label":"{label.value}"' if label else "",
        )
        return Event(customer.key, value.encode(), ms, label)

    def _schedule(self, event: Event) -> None:
        heapq.heappush(self._pending, _Pending(event.timestamp_ms, next(self._sequence), event))

    # -- fraud episodes -------------------------------------------------------
    def _episode(self, now: int, hour: float) -> None:
        rng, world = self._rng, self.world
        choice = bisect.bisect(self._episode_weights, rng.random() * self._episode_weights[-1])
        pattern = EPISODES[choice][0]
        if pattern is FraudPattern.HIGH_VALUE:
            customer = self._active_customer(hour)
            store = self._store_for(customer)
            amount = self._amount(customer, store, factor=rng.uniform(12.0, 30.0))
            self._schedule(self._event(customer, store, now, amount=amount, label=pattern))
        elif pattern is FraudPattern.VELOCITY_BURST:
            customer = self._active_customer(hour)
            moment = now
            for _ in range(rng.randint(6, 10)):
                moment += rng.randint(3_000, 15_000)
                self._schedule(
                    self._event(customer, self._store_for(customer), moment, label=pattern)
                )
        elif pattern is FraudPattern.IMPOSSIBLE_TRAVEL:
            customer = self._active_customer(hour)
            home = [s for s in self._local[customer.city] if not s.online]
            self._schedule(self._event(customer, rng.choice(home), now))
            far = self._local[world.far_city(customer.city, rng)]
            physical = [s for s in far if not s.online]
            later = now + rng.randint(5 * 60_000, 40 * 60_000)
            self._schedule(self._event(customer, rng.choice(physical), later, label=pattern))
        elif pattern is FraudPattern.UNUSUAL_HOUR:
            customer = self._active_customer((hour + 12) % 24)
            self._schedule(self._event(customer, self._store_for(customer), now, label=pattern))
        else:
            if rng.random() < 0.5:
                customer = self._customer_index[rng.choice(world.blacklisted_customers)]
                store = self._store_for(customer)
            else:
                # A local customer, so the blacklisted store is not also a long trip.
                store = self._store_index[rng.choice(world.blacklisted_stores)]
                locals_ = self._by_home_city[store.city] if not store.online else ()
                customer = rng.choice(locals_) if locals_ else self._active_customer(hour)
            self._schedule(self._event(customer, store, now, label=pattern))

    # -- malformed events -----------------------------------------------------
    def _malform(self, event: Event) -> Event:
        kind = MALFORMED_KINDS[int(self._rng.random() * len(MALFORMED_KINDS))]
        text = event.value.decode()
        if kind == "invalid_json":
            value = text[: int(len(text) * self._rng.uniform(0.3, 0.9))].encode()
        else:
            payload = json.loads(text)
            payload.pop("fraud_label", None)
            if kind == "missing_field":
                payload.pop(self._rng.choice(["amount", "customer_id", "timestamp"]))
            elif kind == "wrong_type":
                payload[self._rng.choice(["amount", "latitude"])] = "not-a-number"
            elif kind == "oversize":
                payload["notes"] = "x" * 20_000
            else:
                payload["schema_version"] = "2.0"
            value = json.dumps(payload, separators=(",", ":")).encode()
        return Event(event.key, value, event.timestamp_ms, None, kind)

    # -- the stream -----------------------------------------------------------
    def __iter__(self) -> Iterator[Event]:
        rng, fraud_rate, pending = self._rng, self.config.fraud_rate, self._pending
        malformed_rate = self.config.malformed_rate
        while True:
            self._advance()
            now = self._clock_ms
            while pending and pending[0].timestamp_ms <= now:
                yield self._emit(heapq.heappop(pending).event)
            hour = (now % 86_400_000) / 3_600_000
            if self._labelled < fraud_rate * (self._emitted + 1) and rng.random() < 0.5:
                self._episode(now, hour)
                continue
            # Normal traffic, inlined from _emit: this is the path of 98% of events.
            customer = self._active_customer(hour)
            event = self._event(customer, self._store_for(customer), now)
            self._emitted += 1
            if malformed_rate and rng.random() < malformed_rate:
                event = self._malform(event)
            yield event

    def _emit(self, event: Event) -> Event:
        self._emitted += 1
        if self.config.malformed_rate and self._rng.random() < self.config.malformed_rate:
            return self._malform(event)
        if event.label is not None:
            self._labelled += 1
        return event
