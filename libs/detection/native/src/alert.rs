//! `core.to_alert(...).json_text()`: the alert's wire JSON as pydantic writes it,
//! and the bronze row's values beside it.
//!
//! Field order, `exclude_none`, floats in shortest round-trip form (ryu, as
//! pydantic-core), datetimes as `YYYY-MM-DDTHH:MM:SS[.ffffff]Z`, money as its
//! two-decimal text. A value `FraudAlert` would refuse (a rounded score outside
//! [0, 1]) returns `None`: the Python path raises and counts it.

use std::fmt::Write;

use sha1::{Digest, Sha1};

use crate::detect::{Decision, Rules};
use crate::transaction::Txn;

const RULE_IDS: [&str; 5] = ["FR-001", "FR-002", "FR-003", "FR-004", "FR-005"];

/// `str(uuid.uuid5(ALERT_NAMESPACE, transaction_id))` (`core.alert_id`).
pub fn alert_id(namespace: &[u8; 16], transaction_id: &str) -> String {
    let mut hasher = Sha1::new();
    hasher.update(namespace);
    hasher.update(transaction_id.as_bytes());
    let mut bytes: [u8; 16] = hasher.finalize()[..16].try_into().unwrap();
    bytes[6] = (bytes[6] & 0x0f) | 0x50; // version 5
    bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
    let mut text = String::with_capacity(36);
    for (i, byte) in bytes.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            text.push('-');
        }
        write!(text, "{byte:02x}").unwrap();
    }
    text
}

/// Python's `round(value, 6)`: correctly rounded to six decimals, ties to even.
fn round6(value: f64) -> f64 {
    format!("{value:.6}").parse().unwrap()
}

fn probability(value: f64) -> Option<f64> {
    (0.0..=1.0).contains(&value).then_some(value)
}

fn push_float(out: &mut String, value: f64) {
    out.push_str(ryu::Buffer::new().format(value));
}

/// A JSON string as pydantic-core escapes it (control characters only; UTF-8 kept).
fn push_text(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => write!(out, "\\u{:04x}", c as u32).unwrap(),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Days since 1970-01-01 to (year, month, day) (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// An aware UTC datetime (epoch microseconds) as pydantic writes it.
fn push_datetime(out: &mut String, micros: i64) {
    let (seconds, fraction) = (micros.div_euclid(1_000_000), micros.rem_euclid(1_000_000));
    let (days, second_of_day) = (seconds.div_euclid(86_400), seconds.rem_euclid(86_400));
    let (year, month, day) = civil_from_days(days);
    write!(
        out,
        "\"{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}",
        second_of_day / 3600,
        second_of_day / 60 % 60,
        second_of_day % 60
    )
    .unwrap();
    if fraction != 0 {
        write!(out, ".{fraction:06}").unwrap();
    }
    out.push_str("Z\"");
}

/// `core.DETAILS`: what made each rule fire, in words.
fn detail(rule: usize, decision: &Decision) -> String {
    match rule {
        0 => format!("amount z-score {:.1}", decision.features[0]),
        1 => format!(
            "{:.0} transactions in the last 10 minutes",
            decision.features[4]
        ),
        2 => format!("{:.2} impossible-travel score", decision.rules.scores[2]),
        3 => format!("hour rarity {:.2}", decision.features[5]),
        _ => "customer or store on the blacklist".to_owned(),
    }
}

/// An alert as both sinks take it: its wire JSON, and the values of its
/// `bronze.raw_fraud_alerts` row (`routing.ALERT_COLUMNS` order, as text; `None`
/// where the JSON omits the field) — the very values the JSON holds, so PostgreSQL
/// casts them to what `routing.alert_bronze_row` gives the backfill.
pub struct AlertRecord {
    pub json: String,
    pub columns: [Option<String>; 16],
}

/// `"name":value` for a float field; the value's text.
fn push_field(out: &mut String, name: &str, value: f64) -> String {
    out.push_str(name);
    let start = out.len();
    push_float(out, value);
    since(out, start, 0)
}

/// The text `out` gained since `start`, without `trim` characters at each end.
fn since(out: &str, start: usize, trim: usize) -> String {
    out[start + trim..out.len() - trim].to_owned()
}

/// The alert; `detected_at_us` is the detection time (epoch microseconds).
pub fn alert_record(
    namespace: &[u8; 16],
    txn: &Txn<'_>,
    decision: &Decision,
    rules: &Rules,
    model_version: Option<&str>,
    detected_at_us: i64,
) -> Option<AlertRecord> {
    let id = alert_id(namespace, txn.transaction_id);
    let mut out = String::with_capacity(640);
    out.push_str("{\"schema_version\":\"1.0\",\"alert_id\":\"");
    out.push_str(&id);
    out.push_str("\",\"transaction_id\":\"");
    out.push_str(txn.transaction_id);
    out.push_str("\",\"customer_id\":\"");
    out.push_str(txn.customer_id);
    out.push_str("\",\"store_id\":\"");
    out.push_str(txn.store_id);
    out.push_str("\",\"amount\":\"");
    out.push_str(txn.amount_text);
    out.push_str("\",\"currency\":\"");
    out.push_str(txn.currency);
    out.push_str("\",\"event_time\":");
    let start = out.len();
    push_datetime(&mut out, txn.timestamp_ms * 1000);
    let event_time = since(&out, start, 1);
    out.push_str(",\"detected_at\":");
    let start = out.len();
    push_datetime(&mut out, detected_at_us);
    let detected_at = since(&out, start, 1);
    out.push_str(",\"category\":\"");
    out.push_str(txn.category);
    out.push_str("\",\"rule_hits\":");
    let hits_start = out.len();
    out.push('[');
    let mut first = true;
    for (rule, &score) in decision.rules.scores.iter().enumerate() {
        if score > 0.0 {
            if !first {
                out.push(',');
            }
            first = false;
            out.push_str("{\"rule_id\":\"");
            out.push_str(RULE_IDS[rule]);
            out.push_str("\",\"score\":");
            push_float(&mut out, probability(round6(score))?);
            out.push_str(",\"detail\":");
            push_text(&mut out, &detail(rule, decision));
            out.push('}');
        }
    }
    out.push(']');
    let rule_hits = since(&out, hits_start, 0);
    let rules_score = push_field(
        &mut out,
        ",\"rules_score\":",
        probability(round6(decision.rules.combined))?,
    );
    let ml_score = match decision.ml_score {
        Some(ml) => Some(push_field(
            &mut out,
            ",\"ml_score\":",
            probability(round6(ml))?,
        )),
        None => None,
    };
    let blended_score = push_field(
        &mut out,
        ",\"blended_score\":",
        probability(round6(decision.score))?,
    );
    let alpha = push_field(&mut out, ",\"alpha\":", rules.alpha);
    let threshold = push_field(&mut out, ",\"threshold\":", rules.alert_threshold);
    if let Some(version) = model_version {
        out.push_str(",\"model_version\":");
        push_text(&mut out, version);
    }
    out.push('}');
    let columns = [
        Some(id),
        Some(txn.transaction_id.to_owned()),
        Some(txn.customer_id.to_owned()),
        Some(txn.store_id.to_owned()),
        Some(txn.amount_text.to_owned()),
        Some(txn.currency.to_owned()),
        Some(event_time),
        Some(detected_at),
        Some(rules_score),
        ml_score,
        Some(blended_score),
        Some(alpha),
        Some(threshold),
        model_version.map(str::to_owned),
        Some(rule_hits),
        Some("1.0".to_owned()),
    ];
    Some(AlertRecord { json: out, columns })
}
