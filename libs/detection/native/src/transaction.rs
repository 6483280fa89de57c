//! The fast parse of a `transactions.raw` event: the common, canonical case only.
//!
//! `Transaction.parse` (pydantic) stays the judge of what is valid. This parser
//! accepts an event only when it is sure pydantic accepts it and yields the same
//! `Txn` (the same ids, amount text and float, epoch milliseconds, position and
//! category); for anything else — an escape, a non-ASCII byte, a duplicate or
//! unknown key, a float amount, an unusual timestamp form, a version other than
//! 1.0 — it returns `None` and the caller takes the Python path, which accepts or
//! rejects with its reason. So declining is always safe; accepting is held equal
//! to the Python parse by property tests (tests/libs/detection/test_compiled.py).

/// Events above this many bytes are refused by `WireModel._refuse_oversize`.
pub const MAX_EVENT_BYTES: usize = 16 * 1024;

const CHANNELS: [&str; 4] = ["pos", "online", "mobile", "atm"];
pub const CATEGORIES: [&str; 8] = [
    "grocery",
    "restaurant",
    "fuel",
    "fashion",
    "electronics",
    "travel",
    "entertainment",
    "health",
];
const FRAUD_LABELS: [&str; 5] = [
    "high_value",
    "velocity_burst",
    "impossible_travel",
    "unusual_hour",
    "blacklisted",
];

/// `libs.detection.transaction.Txn`, minus the fraud label nothing scores with.
#[derive(Debug, Clone)]
pub struct Txn<'a> {
    pub transaction_id: &'a str,
    pub customer_id: &'a str,
    pub store_id: &'a str,
    pub amount: f64,
    pub amount_text: &'a str,
    pub currency: &'a str,
    pub timestamp_ms: i64,
    pub latitude: f64,
    pub longitude: f64,
    pub category: &'a str,
}

enum Value<'a> {
    Text(&'a str),
    Number(&'a str),
    Null,
}

struct Scanner<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Scanner<'a> {
    fn skip_space(&mut self) {
        let bytes = self.text.as_bytes();
        while self.at < bytes.len() && matches!(bytes[self.at], b' ' | b'\t' | b'\n' | b'\r') {
            self.at += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> Option<()> {
        self.skip_space();
        (self.text.as_bytes().get(self.at) == Some(&byte)).then(|| self.at += 1)
    }

    /// A string of printable ASCII without escapes (anything else declines).
    fn string(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let start = self.at;
        let bytes = self.text.as_bytes();
        while self.at < bytes.len() {
            match bytes[self.at] {
                b'"' => {
                    self.at += 1;
                    return Some(&self.text[start..self.at - 1]);
                }
                0x20..=0x7e if bytes[self.at] != b'\\' => self.at += 1,
                _ => return None,
            }
        }
        None
    }

    /// A JSON number's text (RFC 8259 grammar).
    fn number(&mut self) -> Option<&'a str> {
        let bytes = self.text.as_bytes();
        let start = self.at;
        let digits = |at: &mut usize| {
            let from = *at;
            while *at < bytes.len() && bytes[*at].is_ascii_digit() {
                *at += 1;
            }
            *at > from
        };
        let mut at = self.at;
        if bytes.get(at) == Some(&b'-') {
            at += 1;
        }
        if bytes.get(at) == Some(&b'0') {
            at += 1;
        } else if !digits(&mut at) {
            return None;
        }
        if bytes.get(at) == Some(&b'.') {
            at += 1;
            if !digits(&mut at) {
                return None;
            }
        }
        if matches!(bytes.get(at), Some(b'e' | b'E')) {
            at += 1;
            if matches!(bytes.get(at), Some(b'+' | b'-')) {
                at += 1;
            }
            if !digits(&mut at) {
                return None;
            }
        }
        self.at = at;
        Some(&self.text[start..at])
    }

    fn value(&mut self) -> Option<Value<'a>> {
        self.skip_space();
        match self.text.as_bytes().get(self.at)? {
            b'"' => self.string().map(Value::Text),
            b'n' if self.text[self.at..].starts_with("null") => {
                self.at += 4;
                Some(Value::Null)
            }
            b'-' | b'0'..=b'9' => self.number().map(Value::Number),
            _ => None,
        }
    }
}

const FIELDS: [&str; 13] = [
    "schema_version",
    "transaction_id",
    "customer_id",
    "store_id",
    "amount",
    "currency",
    "timestamp",
    "latitude",
    "longitude",
    "channel",
    "category",
    "fraud_label",
    "",
];

/// The event's `Txn`, or `None` when the Python parse must decide.
pub fn parse(raw: &str) -> Option<Txn<'_>> {
    if raw.len() > MAX_EVENT_BYTES {
        return None;
    }
    let mut scanner = Scanner { text: raw, at: 0 };
    let mut values: [Option<Value<'_>>; 12] = Default::default();
    scanner.eat(b'{')?;
    loop {
        let key = scanner.string()?;
        let slot = FIELDS
            .iter()
            .position(|field| *field == key && !field.is_empty())?;
        scanner.eat(b':')?;
        if values[slot].is_some() {
            return None; // a duplicate key: pydantic's reading of it is not ours to guess
        }
        values[slot] = Some(scanner.value()?);
        scanner.skip_space();
        match scanner.text.as_bytes().get(scanner.at)? {
            b',' => scanner.at += 1,
            b'}' => {
                scanner.at += 1;
                break;
            }
            _ => return None,
        }
    }
    scanner.skip_space();
    if scanner.at != raw.len() {
        return None;
    }
    let [version, transaction_id, customer_id, store_id, amount, currency, timestamp, latitude, longitude, channel, category, fraud_label] =
        values;
    match version {
        None | Some(Value::Text("1.0")) => {}
        _ => return None,
    }
    match fraud_label {
        None | Some(Value::Null) => {}
        Some(Value::Text(label)) if FRAUD_LABELS.contains(&label) => {}
        _ => return None,
    }
    let transaction_id = text(transaction_id).filter(|id| canonical_uuid(id))?;
    let customer_id = text(customer_id).filter(|id| (1..=32).contains(&id.len()))?;
    let store_id = text(store_id).filter(|id| (1..=32).contains(&id.len()))?;
    let amount_text = text(amount).filter(|amount| money(amount))?;
    let currency = text(currency)
        .filter(|code| code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase()))?;
    let timestamp_ms = text(timestamp).and_then(epoch_ms)?;
    let latitude = number(latitude).filter(|v| (-90.0..=90.0).contains(v))?;
    let longitude = number(longitude).filter(|v| (-180.0..=180.0).contains(v))?;
    text(channel).filter(|c| CHANNELS.contains(c))?;
    let category = text(category).filter(|c| CATEGORIES.contains(c))?;
    Some(Txn {
        transaction_id,
        customer_id,
        store_id,
        amount: amount_text.parse().ok()?,
        amount_text,
        currency,
        timestamp_ms,
        latitude,
        longitude,
        category,
    })
}

fn text(value: Option<Value<'_>>) -> Option<&str> {
    match value {
        Some(Value::Text(text)) => Some(text),
        _ => None,
    }
}

/// A finite JSON number (pydantic accepts integers as floats too).
fn number(value: Option<Value<'_>>) -> Option<f64> {
    match value {
        Some(Value::Number(text)) => text.parse::<f64>().ok().filter(|v| v.is_finite()),
        _ => None,
    }
}

/// `[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`: kept as it is.
fn canonical_uuid(id: &str) -> bool {
    id.len() == 36
        && id.bytes().enumerate().all(|(i, b)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                b == b'-'
            } else {
                b.is_ascii_digit() || (b'a'..=b'f').contains(&b)
            }
        })
}

/// A positive amount written with exactly two decimals and no leading zero (at most
/// 12 digits): its text is already what `f"{amount:.2f}"` gives.
fn money(amount: &str) -> bool {
    let Some((whole, cents)) = amount.split_once('.') else {
        return false;
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    cents.len() == 2
        && digits(cents)
        && !whole.is_empty()
        && whole.len() <= 10
        && digits(whole)
        && (whole == "0" || !whole.starts_with('0'))
        && amount != "0.00"
}

fn two(bytes: &[u8], at: usize) -> Option<i64> {
    let (a, b) = (bytes.get(at)?, bytes.get(at + 1)?);
    (a.is_ascii_digit() && b.is_ascii_digit())
        .then(|| i64::from(a - b'0') * 10 + i64::from(b - b'0'))
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// `int(timestamp.timestamp() * 1000)` of `YYYY-MM-DDTHH:MM:SS[.f{1,6}](Z|±HH:MM)`,
/// inside the accepted years (1970 to 2200, UTC); the same float steps as CPython.
fn epoch_ms(stamp: &str) -> Option<i64> {
    let b = stamp.as_bytes();
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || b[10] != b'T'
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let year = two(b, 0)? * 100 + two(b, 2)?;
    let (month, day) = (two(b, 5)?, two(b, 8)?);
    let (hour, minute, second) = (two(b, 11)?, two(b, 14)?, two(b, 17)?);
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let mut at = 19;
    let mut micros = 0;
    if b[at] == b'.' {
        at += 1;
        let start = at;
        while at < b.len() && b[at].is_ascii_digit() {
            at += 1;
        }
        let fraction = &stamp[start..at];
        if fraction.is_empty() || fraction.len() > 6 {
            return None;
        }
        micros = fraction.parse::<i64>().ok()? * 10_i64.pow(6 - fraction.len() as u32);
    }
    let offset_seconds = match &b[at..] {
        [b'Z'] => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let (hours, minutes) = (two(b, at + 1)?, two(b, at + 4)?);
            if hours > 23 || minutes > 59 {
                return None;
            }
            let magnitude = hours * 3600 + minutes * 60;
            if *sign == b'+' {
                magnitude
            } else {
                -magnitude
            }
        }
        _ => return None,
    };
    let seconds = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second
        - offset_seconds;
    // EARLIEST_EVENT <= value < LATEST_EVENT (1970-01-01 and 2200-01-01, UTC).
    if seconds < 0 || seconds >= days_from_civil(2200, 1, 1) * 86_400 {
        return None;
    }
    let total_micros = seconds * 1_000_000 + micros;
    // timedelta.total_seconds() divides exact integers (correctly rounded), then * 1000, int().
    Some(((total_micros as f64 / 1e6) * 1000.0) as i64)
}
