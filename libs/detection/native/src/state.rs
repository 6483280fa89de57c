//! `CustomerFraudState` and its bytes: layout v1.0 of `libs/models/state.py`.
//!
//! The decoder refuses exactly what `CustomerFraudState.from_bytes` refuses; the
//! caller then takes the Python path, which counts and logs the corrupt state.

pub const MAX_RECENT: usize = 32;
pub const HOUR_CAP: u16 = 0xFFFF;
const MAGIC: &[u8; 2] = b"SF";
const MAJOR: u8 = 1;
const MINOR: u8 = 0;
const HEADER: usize = 8;
const FIXED_BODY: usize = 20 + 25 + 48 + 1;

/// The last place and time the customer was seen (all three, or none).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Last {
    pub latitude: f64,
    pub longitude: f64,
    pub event_ms: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct State {
    pub count: u32,
    pub mean: f64,
    pub m2: f64,
    pub last: Option<Last>,
    pub hour_counts: [u16; 24],
    /// Sorted as `history.observe` keeps them (a foreign state's order is kept as read).
    pub recent_event_ms: Vec<i64>,
}

impl Default for State {
    fn default() -> Self {
        State {
            count: 0,
            mean: 0.0,
            m2: 0.0,
            last: None,
            hour_counts: [0; 24],
            recent_event_ms: Vec::new(),
        }
    }
}

fn f64_at(data: &[u8], at: usize) -> f64 {
    f64::from_le_bytes(data[at..at + 8].try_into().unwrap())
}

fn i64_at(data: &[u8], at: usize) -> i64 {
    i64::from_le_bytes(data[at..at + 8].try_into().unwrap())
}

impl State {
    /// Decode any 1.x layout; `None` on everything the Python decoder refuses.
    pub fn decode(data: &[u8]) -> Option<State> {
        if data.len() < HEADER || &data[0..2] != MAGIC || data[2] != MAJOR {
            return None;
        }
        let length = u32::from_le_bytes(data[4..8].try_into().unwrap()) as usize;
        if data.len() != HEADER + length || length < FIXED_BODY {
            return None;
        }
        let mut at = HEADER;
        let count = u32::from_le_bytes(data[at..at + 4].try_into().unwrap());
        let (mean, m2) = (f64_at(data, at + 4), f64_at(data, at + 12));
        at += 20;
        let has_last = data[at];
        let (latitude, longitude, event_ms) = (
            f64_at(data, at + 1),
            f64_at(data, at + 9),
            i64_at(data, at + 17),
        );
        at += 25;
        let mut hour_counts = [0u16; 24];
        for (hour, slot) in hour_counts.iter_mut().enumerate() {
            *slot = u16::from_le_bytes([data[at + 2 * hour], data[at + 2 * hour + 1]]);
        }
        at += 48;
        let recent = data[at] as usize;
        at += 1;
        if recent > MAX_RECENT || at + 8 * recent > data.len() {
            return None;
        }
        let recent_event_ms = (0..recent).map(|i| i64_at(data, at + 8 * i)).collect();
        if has_last > 1 {
            return None;
        }
        if ![mean, m2, latitude, longitude]
            .iter()
            .all(|v| v.is_finite())
            || m2 < 0.0
        {
            return None;
        }
        if !((-90.0..=90.0).contains(&latitude) && (-180.0..=180.0).contains(&longitude)) {
            return None;
        }
        let last = (has_last == 1).then_some(Last {
            latitude,
            longitude,
            event_ms,
        });
        Some(State {
            count,
            mean,
            m2,
            last,
            hour_counts,
            recent_event_ms,
        })
    }

    /// Encode as layout v1.0 (`to_bytes`: a zero position is written as +0.0).
    pub fn encode(&self) -> Vec<u8> {
        let recent = &self.recent_event_ms[self.recent_event_ms.len().saturating_sub(MAX_RECENT)..];
        let body = FIXED_BODY + 8 * recent.len();
        let mut out = Vec::with_capacity(HEADER + body);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&[MAJOR, MINOR]);
        out.extend_from_slice(&(body as u32).to_le_bytes());
        out.extend_from_slice(&self.count.to_le_bytes());
        out.extend_from_slice(&self.mean.to_le_bytes());
        out.extend_from_slice(&self.m2.to_le_bytes());
        let or_zero = |v: f64| if v == 0.0 { 0.0_f64 } else { v }; // Python's `v or 0.0`
        let (flag, latitude, longitude, event_ms) = match self.last {
            Some(last) => (
                1u8,
                or_zero(last.latitude),
                or_zero(last.longitude),
                last.event_ms,
            ),
            None => (0u8, 0.0, 0.0, 0),
        };
        out.push(flag);
        out.extend_from_slice(&latitude.to_le_bytes());
        out.extend_from_slice(&longitude.to_le_bytes());
        out.extend_from_slice(&event_ms.to_le_bytes());
        for count in self.hour_counts {
            out.extend_from_slice(&count.to_le_bytes());
        }
        out.push(recent.len() as u8);
        for ms in recent {
            out.extend_from_slice(&ms.to_le_bytes());
        }
        out
    }
}
