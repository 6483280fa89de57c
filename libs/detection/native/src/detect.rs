//! `libs.detection.core.detect` step by step: signals, rules, features, forest, blend,
//! and the state that follows — the same operations in the same order as the Python
//! (each function names its counterpart), so the results are the same bits.
//! Whatever would leave that envelope (a time gap beyond 2**53 ms in a foreign state,
//! a feature float32 cannot hold) returns `None`: the Python path decides.

use std::collections::{HashMap, HashSet};

use crate::forest::Forest;
use crate::pymath::{self, max, min};
use crate::state::{Last, State, HOUR_CAP, MAX_RECENT};
use crate::transaction::Txn;

const MS_PER_HOUR: i64 = 3_600_000;
const EARTH_RADIUS_KM: f64 = 6371.0088;
const NO_PREVIOUS_SECONDS: f64 = 30.0 * 86_400.0;
const EXACT_INTEGER: i128 = 1 << 53;

/// `rules.toml`, as `RulesConfig` validated it (read at start-up, never compiled in).
#[derive(Debug, Clone)]
pub struct Rules {
    pub alert_threshold: f64,
    pub alpha: f64,
    pub high_min_history: i64,
    pub high_z_start: f64,
    pub high_z_full: f64,
    pub high_min_ratio: f64,
    pub high_std_floor_ratio: f64,
    pub high_population_start: f64,
    pub high_population_full: f64,
    pub high_cold_start_amount: f64,
    pub high_weight: f64,
    pub velocity_window_seconds: i64,
    pub velocity_start_count: i64,
    pub velocity_full_count: i64,
    pub velocity_weight: f64,
    pub travel_min_km: f64,
    pub travel_speed_start_kmh: f64,
    pub travel_speed_full_kmh: f64,
    pub travel_trust_below: f64,
    pub travel_weight: f64,
    pub hour_min_history: i64,
    pub hour_z_start: f64,
    pub hour_z_full: f64,
    pub hour_weight: f64,
    pub blacklist_weight: f64,
}

/// Everything `DetectorContext` holds, plus the hour tables `signals` computes once.
pub struct Context {
    pub rules: Rules,
    pub customers: HashSet<String>,
    pub stores: HashSet<String>,
    pub population: HashMap<String, f64>,
    pub forest: Option<Forest>,
    /// `signals._COS` / `_SIN`, as Python's `math` computed them.
    pub cos: [f64; 24],
    pub sin: [f64; 24],
}

/// `RuleScores`.
#[derive(Debug, Clone, Copy)]
pub struct RuleScores {
    pub scores: [f64; 5],
    pub combined: f64,
}

/// `Decision`.
#[derive(Debug, Clone)]
pub struct Decision {
    pub rules: RuleScores,
    pub features: [f64; 6],
    pub ml_score: Option<f64>,
    pub score: f64,
    pub alert: bool,
}

struct Signals {
    history: i64,
    mean: f64,
    amount_z: f64,
    seconds_since_last: Option<f64>,
    km_from_last: f64,
    events_in_velocity_window: i64,
    events_last_10_min: i64,
    hour_z: f64,
    hour_rarity: f64,
}

/// `history.hour_of`.
pub fn hour_of(timestamp_ms: i64) -> usize {
    timestamp_ms.div_euclid(MS_PER_HOUR).rem_euclid(24) as usize
}

/// `bisect.bisect_left(a, x, lo, hi)`.
fn bisect_left(a: &[i64], x: i128, mut lo: usize, mut hi: usize) -> usize {
    while lo < hi {
        let mid = (lo + hi) / 2;
        if i128::from(a[mid]) < x {
            lo = mid + 1
        } else {
            hi = mid
        }
    }
    lo
}

/// `bisect.bisect_right(a, x, lo, hi)`.
fn bisect_right(a: &[i64], x: i128, mut lo: usize, mut hi: usize) -> usize {
    while lo < hi {
        let mid = (lo + hi) / 2;
        if x < i128::from(a[mid]) {
            hi = mid
        } else {
            lo = mid + 1
        }
    }
    lo
}

/// `signals.densest_window`.
fn densest_window(recent: &[i64], now_ms: i64, window_ms: i128) -> i64 {
    let now = i128::from(now_ms);
    let first = bisect_left(recent, now - window_ms, 0, recent.len());
    let last = bisect_right(recent, now + window_ms, 0, recent.len());
    let mut best = 0usize;
    for start in first..last {
        if i128::from(recent[start]) > now {
            break;
        }
        let reach = bisect_right(recent, i128::from(recent[start]) + window_ms, start, last);
        best = best.max(reach - start);
    }
    let after = bisect_right(recent, now + window_ms, first, last);
    best.max(after - bisect_left(recent, now, first, last)) as i64
}

/// `signals._hour_statistics`.
fn hour_statistics(context: &Context, hours: &[u16; 24], hour: usize) -> (f64, f64) {
    let total: i64 = hours.iter().map(|&h| i64::from(h)).sum();
    let rarity = -((i64::from(hours[hour]) + 1) as f64 / (total + 24) as f64).ln();
    if total == 0 {
        return (0.0, rarity);
    }
    let (mut x, mut y) = (0.0_f64, 0.0_f64);
    for h in 0..24 {
        x += f64::from(hours[h]) * context.cos[h];
        y += f64::from(hours[h]) * context.sin[h];
    }
    let (x, y) = (x / total as f64, y / total as f64);
    let resultant = pymath::hypot(x, y);
    if resultant < 1e-9 {
        return (0.0, rarity);
    }
    let hours_per_radian = 24.0 / (2.0 * std::f64::consts::PI);
    let spread_hours = (-2.0 * min(resultant, 1.0).ln()).sqrt() * hours_per_radian;
    let mean_hour = y.atan2(x) * hours_per_radian;
    let distance = pymath::modulo((hour as f64 - mean_hour).abs(), 24.0);
    let distance = min(distance, 24.0 - distance);
    (distance / max(spread_hours, 1.0), rarity)
}

/// `geo.haversine_km`.
fn haversine_km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (phi1, phi2) = (pymath::radians(lat1), pymath::radians(lat2));
    let (dphi, dlmb) = (phi2 - phi1, pymath::radians(lon2 - lon1));
    let h = pymath::pow((dphi / 2.0).sin(), 2.0)
        + phi1.cos() * phi2.cos() * pymath::pow((dlmb / 2.0).sin(), 2.0);
    2.0 * EARTH_RADIUS_KM * min(1.0, h.sqrt()).asin()
}

/// `signals.measure`.
fn measure(context: &Context, state: &State, txn: &Txn<'_>) -> Option<Signals> {
    let rules = &context.rules;
    let count = i64::from(state.count);
    let mut std = if count > 1 {
        (state.m2 / (count - 1) as f64).sqrt()
    } else {
        0.0
    };
    if count > 1 {
        std = max(std, rules.high_std_floor_ratio * state.mean.abs());
    }
    let amount_z = if std > 0.0 {
        (txn.amount - state.mean) / std
    } else {
        0.0
    };
    let (since, km) = match state.last {
        None => (None, 0.0),
        Some(last) => {
            let gap = (i128::from(txn.timestamp_ms) - i128::from(last.event_ms)).abs();
            if gap > EXACT_INTEGER {
                return None; // Python divides the exact integer; stay out of rounding twice
            }
            let km = haversine_km(last.latitude, last.longitude, txn.latitude, txn.longitude);
            (Some(gap as f64 / 1000.0), km)
        }
    };
    let recent = &state.recent_event_ms;
    let (hour_z, hour_rarity) =
        hour_statistics(context, &state.hour_counts, hour_of(txn.timestamp_ms));
    let velocity_window = i128::from(rules.velocity_window_seconds) * 1000;
    Some(Signals {
        history: count,
        mean: state.mean,
        amount_z,
        seconds_since_last: since,
        km_from_last: km,
        events_in_velocity_window: densest_window(recent, txn.timestamp_ms, velocity_window),
        events_last_10_min: densest_window(recent, txn.timestamp_ms, 600_000),
        hour_z,
        hour_rarity,
    })
}

/// `rules.ramp`.
fn ramp(value: f64, start: f64, full: f64) -> f64 {
    if value <= start {
        0.0
    } else if value >= full {
        1.0
    } else {
        (value - start) / (full - start)
    }
}

/// `rules.ramp` over integers (the velocity counts): Python divides exact integers.
fn ramp_count(value: i64, start: i64, full: i64) -> f64 {
    if value <= start {
        0.0
    } else if value >= full {
        1.0
    } else {
        (value - start) as f64 / (full - start) as f64
    }
}

/// `rules.evaluate` (with `high_value_score`).
fn evaluate(context: &Context, signals: &Signals, txn: &Txn<'_>) -> RuleScores {
    let r = &context.rules;
    let high_value = if signals.history >= r.high_min_history {
        if txn.amount < r.high_min_ratio * signals.mean {
            0.0
        } else {
            ramp(signals.amount_z, r.high_z_start, r.high_z_full)
        }
    } else {
        let reference = context
            .population
            .get(txn.category)
            .copied()
            .unwrap_or(r.high_cold_start_amount);
        ramp(
            txn.amount / reference,
            r.high_population_start,
            r.high_population_full,
        )
    };
    let velocity = ramp_count(
        signals.events_in_velocity_window + 1,
        r.velocity_start_count,
        r.velocity_full_count,
    );
    let mut impossible = 0.0;
    if let Some(since) = signals.seconds_since_last {
        if signals.km_from_last >= r.travel_min_km {
            let hours = max(since, 1.0) / 3600.0;
            impossible = ramp(
                signals.km_from_last / hours,
                r.travel_speed_start_kmh,
                r.travel_speed_full_kmh,
            );
        }
    }
    let unusual = if signals.history >= r.hour_min_history {
        ramp(signals.hour_z, r.hour_z_start, r.hour_z_full)
    } else {
        0.0
    };
    let listed =
        if context.customers.contains(txn.customer_id) || context.stores.contains(txn.store_id) {
            1.0
        } else {
            0.0
        };
    let scores = [high_value, velocity, impossible, unusual, listed];
    let weights = [
        r.high_weight,
        r.velocity_weight,
        r.travel_weight,
        r.hour_weight,
        r.blacklist_weight,
    ];
    let mut keep = 1.0;
    for (weight, score) in weights.iter().zip(scores) {
        keep *= 1.0 - weight * score;
    }
    RuleScores {
        scores,
        combined: 1.0 - keep,
    }
}

/// `rules.blend` with a score.
fn blend(rules: &Rules, rules_score: f64, ml_score: f64) -> f64 {
    rules.alpha * ml_score + (1.0 - rules.alpha) * rules_score
}

/// `features.feature_vector`.
fn feature_vector(signals: &Signals, amount: f64) -> [f64; 6] {
    let since = signals.seconds_since_last.unwrap_or(NO_PREVIOUS_SECONDS);
    [
        min(max(signals.amount_z, -10.0), 100.0),
        amount.ln_1p(),
        since.ln_1p(),
        signals.km_from_last.ln_1p(),
        signals.events_last_10_min as f64,
        signals.hour_rarity,
    ]
}

/// `history.observe`.
fn observe(state: &State, txn: &Txn<'_>, moves: bool, absorbs_amount: bool) -> State {
    let (mut count, mut mean, mut m2) = (state.count, state.mean, state.m2);
    if absorbs_amount {
        count = state.count.saturating_add(1);
        let delta = txn.amount - state.mean;
        mean = state.mean + delta / f64::from(count);
        m2 = state.m2 + delta * (txn.amount - mean);
    }
    let mut hours = state.hour_counts;
    let hour = hour_of(txn.timestamp_ms);
    if hours[hour] >= HOUR_CAP {
        hours.iter_mut().for_each(|h| *h /= 2);
    }
    hours[hour] += 1;
    let mut recent = Vec::with_capacity(state.recent_event_ms.len() + 1);
    recent.extend_from_slice(&state.recent_event_ms);
    recent.push(txn.timestamp_ms);
    recent.sort_unstable();
    let recent = recent[recent.len().saturating_sub(MAX_RECENT)..].to_vec();
    let latest = moves
        && state
            .last
            .map_or(true, |last| txn.timestamp_ms >= last.event_ms);
    let last = if latest {
        Some(Last {
            latitude: txn.latitude,
            longitude: txn.longitude,
            event_ms: txn.timestamp_ms,
        })
    } else {
        state.last
    };
    State {
        count,
        mean,
        m2: max(m2, 0.0),
        last,
        hour_counts: hours,
        recent_event_ms: recent,
    }
}

/// `core.detect`: the decision and the state that follows, or `None` (Python decides).
pub fn detect(context: &Context, state: &State, txn: &Txn<'_>) -> Option<(State, Decision)> {
    let rules = &context.rules;
    let signals = measure(context, state, txn)?;
    let scores = evaluate(context, &signals, txn);
    let features = feature_vector(&signals, txn.amount);
    let could_alert = blend(rules, scores.combined, 1.0) >= rules.alert_threshold;
    let alerts_anyway = blend(rules, scores.combined, 0.0) >= rules.alert_threshold;
    let mut ml_score = None;
    if let Some(forest) = &context.forest {
        if could_alert && !alerts_anyway {
            ml_score = Some(forest.score(&features)?);
        }
    }
    let score = match &context.forest {
        None => scores.combined,
        Some(_) => blend(rules, scores.combined, ml_score.unwrap_or(0.0)),
    };
    let moves = scores.scores[2] < rules.travel_trust_below;
    let next = observe(state, txn, moves, scores.scores[0] == 0.0);
    let alert = score >= rules.alert_threshold;
    Some((
        next,
        Decision {
            rules: scores,
            features,
            ml_score,
            score,
            alert,
        },
    ))
}
