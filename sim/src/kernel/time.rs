//! Virtual time. One tick is a microsecond; nothing reads a wall clock.

/// A point in virtual time, in microseconds since the run began.
pub type TimeUs = u64;

pub const US_PER_MS: u64 = 1_000;

pub fn ms(x: u64) -> TimeUs {
    x * US_PER_MS
}

/// Formats a virtual time for narration: "1.250 s" or "312.5 ms".
pub fn fmt_time(t: TimeUs) -> String {
    if t >= 1_000_000 {
        format!("{:.3} s", t as f64 / 1e6)
    } else {
        let whole = t / 1000;
        let frac = (t % 1000) / 100;
        format!("{whole}.{frac} ms")
    }
}
