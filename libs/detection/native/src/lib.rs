//! `streamflow_scoring`: the fraud detector's per-event work, compiled (issue #29).
//!
//! One call per event: the raw transaction JSON and the customer's stored state
//! bytes in, the next state's bytes and (when it alerts) the alert's JSON and bronze row out.
//! `libs/detection` (Python) stays the reference: every function here names its
//! Python counterpart and computes the same bits, and anything outside the cases
//! it is sure of returns `None`, for the Python path to decide
//! (docs/adr/0021-compiled-scoring-core.md, tests/libs/detection/test_compiled.py).

mod alert;
mod detect;
mod forest;
mod pymath;
mod state;
mod transaction;

use std::collections::{HashMap, HashSet};
use std::time::{SystemTime, UNIX_EPOCH};

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString, PyTuple};

use detect::{Context, Rules};
use forest::Forest;
use state::State;

#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct HighValueArgs {
    min_history: i64,
    z_start: f64,
    z_full: f64,
    min_ratio: f64,
    std_floor_ratio: f64,
    population_start: f64,
    population_full: f64,
    cold_start_amount: f64,
    weight: f64,
}

#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct VelocityArgs {
    window_seconds: i64,
    start_count: i64,
    full_count: i64,
    weight: f64,
}

#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct TravelArgs {
    min_km: f64,
    speed_start_kmh: f64,
    speed_full_kmh: f64,
    trust_below: f64,
    weight: f64,
}

#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct HourArgs {
    min_history: i64,
    z_start: f64,
    z_full: f64,
    weight: f64,
}

#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct BlacklistArgs {
    weight: f64,
}

/// `RulesConfig.model_dump()`: the rules file's values, read when the job starts.
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
struct RulesArgs {
    alert_threshold: f64,
    alpha: f64,
    high_value: HighValueArgs,
    velocity: VelocityArgs,
    impossible_travel: TravelArgs,
    unusual_hour: HourArgs,
    blacklist: BlacklistArgs,
}

impl From<RulesArgs> for Rules {
    fn from(a: RulesArgs) -> Self {
        Rules {
            alert_threshold: a.alert_threshold,
            alpha: a.alpha,
            high_min_history: a.high_value.min_history,
            high_z_start: a.high_value.z_start,
            high_z_full: a.high_value.z_full,
            high_min_ratio: a.high_value.min_ratio,
            high_std_floor_ratio: a.high_value.std_floor_ratio,
            high_population_start: a.high_value.population_start,
            high_population_full: a.high_value.population_full,
            high_cold_start_amount: a.high_value.cold_start_amount,
            high_weight: a.high_value.weight,
            velocity_window_seconds: a.velocity.window_seconds,
            velocity_start_count: a.velocity.start_count,
            velocity_full_count: a.velocity.full_count,
            velocity_weight: a.velocity.weight,
            travel_min_km: a.impossible_travel.min_km,
            travel_speed_start_kmh: a.impossible_travel.speed_start_kmh,
            travel_speed_full_kmh: a.impossible_travel.speed_full_kmh,
            travel_trust_below: a.impossible_travel.trust_below,
            travel_weight: a.impossible_travel.weight,
            hour_min_history: a.unusual_hour.min_history,
            hour_z_start: a.unusual_hour.z_start,
            hour_z_full: a.unusual_hour.z_full,
            hour_weight: a.unusual_hour.weight,
            blacklist_weight: a.blacklist.weight,
        }
    }
}

/// `ForestArrays` as lists: left, right, feature, threshold, value, roots, denominator.
type ForestArgs = (
    Vec<i32>,
    Vec<i32>,
    Vec<i32>,
    Vec<f64>,
    Vec<f64>,
    Vec<i32>,
    f64,
);

fn checked_forest(args: ForestArgs) -> PyResult<Forest> {
    let (left, right, feature, threshold, value, roots, denominator) = args;
    let nodes = left.len();
    let inside = |i: i32| i >= 0 && (i as usize) < nodes;
    let shapes = [right.len(), feature.len(), threshold.len(), value.len()];
    if shapes.iter().any(|&n| n != nodes)
        || roots.is_empty()
        || !roots.iter().chain(&left).chain(&right).all(|&i| inside(i))
        || (0..nodes).any(|n| left[n] as usize != n && !(0..6).contains(&feature[n]))
    {
        return Err(PyValueError::new_err(
            "forest arrays are not a six-feature forest",
        ));
    }
    Ok(Forest {
        left,
        right,
        feature,
        threshold,
        value,
        roots,
        denominator,
    })
}

/// The detector's context, compiled: rules, blacklist, population amounts, forest.
#[pyclass(module = "streamflow_scoring")]
struct Detector {
    context: Context,
    namespace: [u8; 16],
    model_version: Option<String>,
}

/// What one event produced: next state bytes, event time (ms), the alert row (`alert_row`), rule bits.
type Outcome<'py> = (Bound<'py, PyBytes>, i64, Option<Bound<'py, PyTuple>>, u8);

/// The fields the job's alert `Row` takes, in `fraud_detector.ALERT_TYPE`'s order:
/// the JSON, the bronze row's sixteen values, the event time (epoch ms).
fn alert_row<'py>(
    py: Python<'py>,
    record: alert::AlertRecord,
    event_ms: i64,
) -> Option<Bound<'py, PyTuple>> {
    let mut fields: Vec<Bound<'py, PyAny>> = Vec::with_capacity(18);
    fields.push(PyString::new(py, &record.json).into_any());
    for column in record.columns {
        fields.push(match column {
            Some(text) => PyString::new(py, &text).into_any(),
            None => py.None().into_bound(py),
        });
    }
    fields.push(event_ms.into_pyobject(py).ok()?.into_any());
    PyTuple::new(py, fields).ok()
}

#[pymethods]
impl Detector {
    #[new]
    #[pyo3(signature = (rules, cos, sin, namespace, population, forest=None, model_version=None))]
    fn new(
        rules: RulesArgs,
        cos: [f64; 24],
        sin: [f64; 24],
        namespace: [u8; 16],
        population: HashMap<String, f64>,
        forest: Option<ForestArgs>,
        model_version: Option<String>,
    ) -> PyResult<Self> {
        let forest = forest.map(checked_forest).transpose()?;
        let context = Context {
            rules: rules.into(),
            customers: HashSet::new(),
            stores: HashSet::new(),
            population,
            forest,
            cos,
            sin,
        };
        Ok(Detector {
            context,
            namespace,
            model_version,
        })
    }

    /// Replace the blacklist (the job re-reads it every `--blacklist-refresh-s`).
    fn set_blacklist(&mut self, customers: HashSet<String>, stores: HashSet<String>) {
        self.context.customers = customers;
        self.context.stores = stores;
    }

    /// Score one event: `None` when the Python path must decide (see the module doc).
    /// The rule bits (bit i = rule FR-00{i+1}) are those of an alerting decision.
    /// A string that is not UTF-8 (a lone surrogate) is declined, not raised: no event
    /// may crash the job, and the Python path sends it where invalid JSON goes.
    #[pyo3(signature = (raw, stored, detected_at_us=None))]
    fn process<'py>(
        &self,
        py: Python<'py>,
        raw: &Bound<'py, PyString>,
        stored: Option<&Bound<'py, PyAny>>,
        detected_at_us: Option<i64>,
    ) -> Option<Outcome<'py>> {
        let txn = transaction::parse(raw.to_str().ok()?)?;
        let state = decode(stored)?;
        let (next, decision) = detect::detect(&self.context, &state, &txn)?;
        let (alert, bits) = if decision.alert {
            let at = detected_at_us.unwrap_or_else(now_us);
            let record = alert::alert_record(
                &self.namespace,
                &txn,
                &decision,
                &self.context.rules,
                self.model_version.as_deref(),
                at,
            )?;
            let bits = decision
                .rules
                .scores
                .iter()
                .enumerate()
                .filter(|(_, s)| **s > 0.0);
            (
                Some(alert_row(py, record, txn.timestamp_ms)?),
                bits.fold(0u8, |acc, (i, _)| acc | (1 << i)),
            )
        } else {
            (None, 0)
        };
        Some((
            PyBytes::new(py, &next.encode()),
            txn.timestamp_ms,
            alert,
            bits,
        ))
    }

    /// Everything `core.detect` decided, for the equality tests: ((five rule scores,
    /// combined), features, ml score, score, alert) and the next state's bytes.
    #[allow(clippy::type_complexity)]
    fn explain<'py>(
        &self,
        py: Python<'py>,
        raw: &str,
        stored: Option<&Bound<'py, PyAny>>,
    ) -> Option<(
        ([f64; 5], f64),
        [f64; 6],
        Option<f64>,
        f64,
        bool,
        Bound<'py, PyBytes>,
    )> {
        let txn = transaction::parse(raw)?;
        let state = decode(stored)?;
        let (next, d) = detect::detect(&self.context, &state, &txn)?;
        Some((
            (d.rules.scores, d.rules.combined),
            d.features,
            d.ml_score,
            d.score,
            d.alert,
            PyBytes::new(py, &next.encode()),
        ))
    }
}

/// The stored state (`None`: a new customer); anything but decodable `bytes` is the
/// Python path's to report.
fn decode(stored: Option<&Bound<'_, PyAny>>) -> Option<State> {
    match stored {
        None => Some(State::default()),
        Some(value) => State::decode(value.extract::<&[u8]>().ok()?),
    }
}

/// `datetime.now(UTC)` in epoch microseconds (floored, as CPython does).
fn now_us() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as i64)
}

/// The fast `Txn` fields of an event, for the parse's equality tests: (transaction id,
/// customer, store, amount, amount text, currency, epoch ms, latitude, longitude,
/// category), or `None` when the Python parse must decide.
#[pyfunction]
#[allow(clippy::type_complexity)]
fn parse_transaction(
    raw: &str,
) -> Option<(
    String,
    String,
    String,
    f64,
    String,
    String,
    i64,
    f64,
    f64,
    String,
)> {
    let t = transaction::parse(raw)?;
    Some((
        t.transaction_id.to_owned(),
        t.customer_id.to_owned(),
        t.store_id.to_owned(),
        t.amount,
        t.amount_text.to_owned(),
        t.currency.to_owned(),
        t.timestamp_ms,
        t.latitude,
        t.longitude,
        t.category.to_owned(),
    ))
}

/// CPython 3.11's `math.hypot` as the core computes it (held equal by a test).
#[pyfunction]
fn hypot(x: f64, y: f64) -> f64 {
    pymath::hypot(x, y)
}

#[pymodule]
fn streamflow_scoring(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<Detector>()?;
    module.add_function(wrap_pyfunction!(parse_transaction, module)?)?;
    module.add_function(wrap_pyfunction!(hypot, module)?)?;
    Ok(())
}
