//! Reading lab parameters from text (URL query values, CLI flags) without
//! ever panicking: every value is parsed, range-checked and clamped, and
//! every problem becomes a warning the UI shows.

use std::collections::BTreeMap;

/// Parsed `key=value` pairs plus the warnings found while reading them.
#[derive(Debug, Default)]
pub struct Params {
    pub values: BTreeMap<String, String>,
    pub warnings: Vec<String>,
}

impl Params {
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Params {
        let mut p = Params::default();
        for (k, v) in pairs {
            p.values.insert(k.to_string(), v.to_string());
        }
        p
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(|s| s.as_str())
    }

    /// An integer in `[lo, hi]`; out-of-range values are clamped, bad ones
    /// fall back to `default`, both with a warning.
    pub fn int(&mut self, key: &str, default: u64, lo: u64, hi: u64) -> u64 {
        let Some(raw) = self.values.get(key).cloned() else { return default };
        match raw.trim().parse::<u64>() {
            Ok(v) if v < lo || v > hi => {
                let c = v.clamp(lo, hi);
                self.warnings.push(format!("{key}={v} is outside {lo}–{hi}; using {c}"));
                c
            }
            Ok(v) => v,
            Err(_) => {
                self.warnings.push(format!("{key}='{raw}' is not a whole number; using {default}"));
                default
            }
        }
    }

    /// A number in `[lo, hi]`, as [`Params::int`] but fractional.
    pub fn float(&mut self, key: &str, default: f64, lo: f64, hi: f64) -> f64 {
        let Some(raw) = self.values.get(key).cloned() else { return default };
        match raw.trim().parse::<f64>() {
            Ok(v) if v.is_finite() && (v < lo || v > hi) => {
                let c = v.clamp(lo, hi);
                self.warnings.push(format!("{key}={v} is outside {lo}–{hi}; using {c}"));
                c
            }
            Ok(v) if v.is_finite() => v,
            _ => {
                self.warnings.push(format!("{key}='{raw}' is not a number; using {default}"));
                default
            }
        }
    }

    /// A range written `a-b`, each end in `[lo, hi]`, with `a <= b`.
    pub fn range(&mut self, key: &str, default: (u64, u64), lo: u64, hi: u64) -> (u64, u64) {
        let Some(raw) = self.values.get(key).cloned() else { return default };
        let parsed = raw.split_once('-').and_then(|(a, b)| Some((a.trim().parse::<u64>().ok()?, b.trim().parse::<u64>().ok()?)));
        match parsed {
            Some((a, b)) => {
                let (ca, cb) = (a.clamp(lo, hi), b.clamp(lo, hi));
                let (ca, cb) = (ca.min(cb), ca.max(cb));
                if (ca, cb) != (a, b) {
                    self.warnings.push(format!("{key}={raw} adjusted to {ca}-{cb} (allowed {lo}–{hi}, low end first)"));
                }
                (ca, cb)
            }
            None => {
                self.warnings.push(format!("{key}='{raw}' is not a range like 150-300; using {}-{}", default.0, default.1));
                default
            }
        }
    }

    /// A flag written `1`/`0` (or `on`/`off`, `true`/`false`).
    pub fn flag(&mut self, key: &str, default: bool) -> bool {
        let Some(raw) = self.values.get(key).cloned() else { return default };
        match raw.as_str() {
            "1" | "on" | "true" => true,
            "0" | "off" | "false" => false,
            _ => {
                self.warnings.push(format!("{key}='{raw}' is not 1 or 0; using {}", default as u8));
                default
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_clamped_with_warnings() {
        let mut p = Params::from_pairs([("n", "12"), ("t", "x"), ("r", "300-150"), ("f", "maybe"), ("l", "NaN")]);
        assert_eq!(p.int("n", 5, 3, 9), 9);
        assert_eq!(p.int("t", 5, 3, 9), 5);
        assert_eq!(p.range("r", (1, 2), 1, 1000), (150, 300));
        assert!(p.flag("f", true));
        assert_eq!(p.float("l", 0.1, 0.0, 0.5), 0.1);
        assert_eq!(p.int("missing", 7, 3, 9), 7);
        assert_eq!(p.warnings.len(), 5, "{:?}", p.warnings);
    }
}
