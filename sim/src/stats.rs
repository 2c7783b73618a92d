//! Summary statistics for experiment results.

use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    pub min: f64,
    pub median: f64,
    pub mean: f64,
    pub p99: f64,
    pub max: f64,
}

/// Nearest-rank percentile of sorted data, `q` in `[0, 1]`.
pub fn percentile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Summarises `values` (any order); `None` when empty.
pub fn summarize(values: &[f64]) -> Option<Summary> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    crate::sort::sort_floats(&mut v);
    let mean = v.iter().sum::<f64>() / v.len() as f64;
    Some(Summary {
        min: v[0],
        median: percentile(&v, 0.5),
        mean,
        p99: percentile(&v, 0.99),
        max: v[v.len() - 1],
    })
}

/// Points of the empirical CDF: (value, fraction of values ≤ value).
pub fn cdf(values: &[f64]) -> Vec<(f64, f64)> {
    let mut v = values.to_vec();
    crate::sort::sort_floats(&mut v);
    let n = v.len() as f64;
    v.iter()
        .enumerate()
        .map(|(i, x)| (*x, (i + 1) as f64 / n))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_of_known_data() {
        let s = summarize(&[5.0, 1.0, 3.0, 2.0, 4.0]).unwrap();
        assert_eq!((s.min, s.median, s.mean, s.max), (1.0, 3.0, 3.0, 5.0));
        assert_eq!(s.p99, 5.0);
        assert_eq!(summarize(&[]), None);
        assert_eq!(cdf(&[2.0, 1.0]), vec![(1.0, 0.5), (2.0, 1.0)]);
    }
}
