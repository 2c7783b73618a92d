//! Probabilistically Bounded Staleness: how often a partial quorum reads
//! stale data, and for how long after a write (P. Bailis, S. Venkataraman,
//! M. J. Franklin, J. M. Hellerstein, I. Stoica, "Probabilistically Bounded
//! Staleness for Practical Partial Quorums", VLDB 2012).
//!
//! N replicas; a write waits for W acknowledgements, a read for R answers.
//!
//! **Closed form** (§3 of the paper). If a write reaches exactly the W
//! replicas that acknowledge it (no propagation beyond them) and both
//! quorums are uniformly random, a read misses the latest write when its R
//! replicas all lie among the N − W others:
//!
//! ```text
//! P(miss) = C(N−W, R) / C(N, R)
//! ```
//!
//! which is 0 exactly when R + W > N (every read quorum overlaps every
//! write quorum). *k-staleness*: the read misses all of the last k
//! (independent) writes, so it returns something older than the k-th
//! latest version, with probability `P(miss)^k`. [`p_miss`] computes the
//! ratio exactly with `u128` binomials; [`p_miss_enumerated`] counts every
//! pair of replica sets instead, and the tests check that the two agree
//! for every N ≤ 7.
//!
//! **t-visibility by simulation** (§4, the WARS model). The write goes to
//! all N replicas. Replica `i` has four latencies, each drawn
//! independently: `W_i` (the write reaches it), `A_i` (its acknowledgement
//! returns), `R_i` (a read request reaches it), `S_i` (its answer returns).
//! The write commits at the W-th smallest `W_i + A_i`. A read starting `t`
//! ms after the commit goes to all N replicas and uses the first R answers
//! (smallest `R_i + S_i`, ties to the lower replica). It is *consistent* if
//! one of those R replicas had the write when the request reached it:
//! `commit + t + R_i ≥ W_i`. With propagation off, only the W replicas
//! whose acknowledgements made the commit ever hold the write; the
//! estimate then matches the closed form (for latencies with no ties:
//! with continuous distributions the fastest W acknowledgements are a
//! uniformly random W-set and the fastest R answers an independent
//! uniformly random R-set).
//!
//! Each trial draws `4N` latencies and judges every `t` of the grid with
//! the same draws, so the curve is non-decreasing in `t` and the whole
//! experiment is one deterministic stream of [`SimRng`] draws: one draw
//! per latency, in the order replica 0's `W, A, R, S`, replica 1's, …
//! Latency samples use this module's own logarithm and exponential, built
//! from IEEE arithmetic only, so native and WebAssembly runs agree to the
//! bit. [`PbsExperiment::run_some`] runs the trials in slices for a
//! browser; slicing does not change the results.
//!
//! The default latencies ([`Wars::default`]) are not the paper's fitted
//! production distributions: they are a simple model of the same shape,
//! where the write path is slow and long-tailed (`W`: exponential, mean
//! 10 ms, as when a replica must reach disk) and the other hops are fast
//! (`A`, `R`, `S`: exponential, mean 1 ms).

use crate::kernel::SimRng;
use serde::Serialize;
use std::fmt;

/// Most replicas.
pub const N_MAX: u32 = 64;
/// Most replicas [`p_miss_enumerated`] will enumerate (4^N pairs).
pub const ENUMERATE_N_MAX: u32 = 10;
/// Most trials of one experiment.
pub const TRIALS_MAX: u32 = 100_000;
/// Most points in the `t` grid.
pub const T_POINTS_MAX: usize = 64;
/// Largest `t`, and the largest latency sample (longer draws are cut here).
pub const T_MS_MAX: f64 = 1e9;
/// Largest k for [`p_miss_k`].
pub const K_MAX: u32 = 1_000_000;

/// The default `t` grid, in ms.
pub const T_MS_DEFAULT: &[f64] = &[0.0, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0];

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PbsError(pub String);

impl fmt::Display for PbsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PbsError {}

fn check_nrw(n: u32, r: u32, w: u32, n_max: u32) -> Result<(), PbsError> {
    if !(1..=n_max).contains(&n) {
        return Err(PbsError(format!("N must be 1-{n_max}, not {n}")));
    }
    if !(1..=n).contains(&r) || !(1..=n).contains(&w) {
        return Err(PbsError(format!(
            "R and W must be 1-N (1-{n}), not R={r}, W={w}"
        )));
    }
    Ok(())
}

/// An exact probability `num / den`, in lowest terms.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Ratio {
    pub num: u128,
    pub den: u128,
}

impl Ratio {
    fn new(num: u128, den: u128) -> Ratio {
        let g = gcd(num, den).max(1);
        Ratio {
            num: num / g,
            den: den / g,
        }
    }

    pub fn to_f64(self) -> f64 {
        if self.den == 0 {
            return f64::NAN;
        }
        self.num as f64 / self.den as f64
    }
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

/// `C(n, k)`, exactly; 0 when `k > n`. Exact for `n ≤ N_MAX`.
pub fn binomial(n: u32, k: u32) -> u128 {
    if k > n {
        return 0;
    }
    let k = k.min(n - k);
    let mut c: u128 = 1;
    for i in 0..k {
        // c = C(n, i) here; C(n, i + 1) = C(n, i) · (n − i) / (i + 1), exact.
        c = c.saturating_mul((n - i) as u128) / (i + 1) as u128;
    }
    c
}

/// The probability that a read quorum of R misses a write quorum of W
/// among N replicas, no propagation: `C(N−W, R) / C(N, R)`.
pub fn p_miss(n: u32, r: u32, w: u32) -> Result<Ratio, PbsError> {
    check_nrw(n, r, w, N_MAX)?;
    Ok(Ratio::new(binomial(n - w, r), binomial(n, r)))
}

/// k-staleness: the probability that a read misses all of the last `k`
/// writes' quorums, `P(miss)^k`; `k` in 1–[`K_MAX`].
pub fn p_miss_k(n: u32, r: u32, w: u32, k: u32) -> Result<f64, PbsError> {
    if !(1..=K_MAX).contains(&k) {
        return Err(PbsError(format!("k must be 1-{K_MAX}, not {k}")));
    }
    let p = p_miss(n, r, w)?.to_f64();
    // Squaring by hand: plain IEEE products, the same on every platform.
    let (mut acc, mut base, mut e) = (1.0f64, p, k);
    while e > 0 {
        if e & 1 == 1 {
            acc *= base;
        }
        base *= base;
        e >>= 1;
    }
    Ok(acc)
}

/// The same probability, by counting every (write set, read set) pair of
/// sizes W and R: the fraction with no replica in common. For N ≤
/// [`ENUMERATE_N_MAX`].
pub fn p_miss_enumerated(n: u32, r: u32, w: u32) -> Result<Ratio, PbsError> {
    check_nrw(n, r, w, ENUMERATE_N_MAX)?;
    let sets = |k: u32| -> Vec<u32> { (0u32..1 << n).filter(|m| m.count_ones() == k).collect() };
    let (ws, rs) = (sets(w), sets(r));
    let mut miss: u128 = 0;
    for &a in &ws {
        miss += rs.iter().filter(|&&b| a & b == 0).count() as u128;
    }
    Ok(Ratio::new(miss, ws.len() as u128 * rs.len() as u128))
}

// ---- latencies -------------------------------------------------------------------

/// One latency distribution, in ms.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Latency {
    Constant {
        ms: f64,
    },
    /// Uniform in `[lo_ms, hi_ms]`.
    Uniform {
        lo_ms: f64,
        hi_ms: f64,
    },
    Exponential {
        mean_ms: f64,
    },
    /// Pareto type I: `P(X > x) = (scale_ms / x)^shape` for `x ≥ scale_ms`.
    Pareto {
        scale_ms: f64,
        shape: f64,
    },
}

impl Latency {
    pub fn validate(&self) -> Result<(), PbsError> {
        let ok = |x: f64| x.is_finite() && (0.0..=T_MS_MAX).contains(&x);
        let good = match *self {
            Latency::Constant { ms } => ok(ms),
            Latency::Uniform { lo_ms, hi_ms } => ok(lo_ms) && ok(hi_ms) && lo_ms <= hi_ms,
            Latency::Exponential { mean_ms } => ok(mean_ms),
            Latency::Pareto { scale_ms, shape } => {
                ok(scale_ms) && scale_ms > 0.0 && shape.is_finite() && shape >= 0.01
            }
        };
        if good {
            Ok(())
        } else {
            Err(PbsError(format!(
                "bad latency {self:?}: times must be 0-{T_MS_MAX} ms, uniform needs lo ≤ hi, Pareto needs scale > 0 and shape ≥ 0.01"
            )))
        }
    }

    /// The sample for a uniform draw `u` in `[0, 1)` (inverse transform),
    /// cut at [`T_MS_MAX`].
    pub fn sample(&self, u: f64) -> f64 {
        let x = match *self {
            Latency::Constant { ms } => ms,
            Latency::Uniform { lo_ms, hi_ms } => lo_ms + u * (hi_ms - lo_ms),
            Latency::Exponential { mean_ms } => -mean_ms * ln(1.0 - u),
            Latency::Pareto { scale_ms, shape } => scale_ms * exp(-ln(1.0 - u) / shape),
        };
        x.clamp(0.0, T_MS_MAX)
    }
}

/// The four latencies of the WARS model, the same for every replica.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Wars {
    /// The write reaching a replica.
    pub w: Latency,
    /// Its acknowledgement returning.
    pub a: Latency,
    /// A read request reaching a replica.
    pub r: Latency,
    /// Its answer returning.
    pub s: Latency,
}

impl Default for Wars {
    fn default() -> Wars {
        let hop = Latency::Exponential { mean_ms: 1.0 };
        Wars {
            w: Latency::Exponential { mean_ms: 10.0 },
            a: hop,
            r: hop,
            s: hop,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PbsConfig {
    pub n: u32,
    pub r: u32,
    pub w: u32,
    pub latencies: Wars,
    /// 1–[`TRIALS_MAX`].
    pub trials: u32,
    /// Times after the commit at which a read starts, in ms, each
    /// 0–[`T_MS_MAX`]; 1–[`T_POINTS_MAX`] of them.
    pub t_ms: Vec<f64>,
    /// Whether replicas outside the acknowledging W get the write.
    pub propagation: bool,
}

impl PbsConfig {
    /// N, R, W with the default latencies and `t` grid, 10,000 trials,
    /// propagation on.
    pub fn new(n: u32, r: u32, w: u32) -> PbsConfig {
        PbsConfig {
            n,
            r,
            w,
            latencies: Wars::default(),
            trials: 10_000,
            t_ms: T_MS_DEFAULT.to_vec(),
            propagation: true,
        }
    }

    pub fn validate(&self) -> Result<(), PbsError> {
        check_nrw(self.n, self.r, self.w, N_MAX)?;
        if !(1..=TRIALS_MAX).contains(&self.trials) {
            return Err(PbsError(format!(
                "trials must be 1-{TRIALS_MAX}, not {}",
                self.trials
            )));
        }
        if self.t_ms.is_empty() || self.t_ms.len() > T_POINTS_MAX {
            return Err(PbsError(format!(
                "the t grid needs 1-{T_POINTS_MAX} points, not {}",
                self.t_ms.len()
            )));
        }
        if let Some(t) = self
            .t_ms
            .iter()
            .find(|t| !(t.is_finite() && (0.0..=T_MS_MAX).contains(*t)))
        {
            return Err(PbsError(format!("t must be 0-{T_MS_MAX} ms, not {t}")));
        }
        for l in [
            self.latencies.w,
            self.latencies.a,
            self.latencies.r,
            self.latencies.s,
        ] {
            l.validate()?;
        }
        Ok(())
    }
}

/// One point of the t-visibility curve.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct TPoint {
    pub t_ms: f64,
    /// Fraction of trials whose read, started `t_ms` after the commit, was
    /// consistent.
    pub p_consistent: f64,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PbsResult {
    pub n: u32,
    pub r: u32,
    pub w: u32,
    /// Trials run.
    pub trials: u32,
    pub p_miss_closed_form: f64,
    pub t_visibility: Vec<TPoint>,
}

/// The Monte Carlo experiment, runnable in slices.
#[derive(Clone, Debug)]
pub struct PbsExperiment {
    config: PbsConfig,
    rng: SimRng,
    /// Per grid point: consistent trials so far.
    consistent: Vec<u64>,
    done: u32,
    // Per-trial scratch, per replica.
    lat: Vec<[f64; 4]>,
    order: Vec<usize>,
}

impl PbsExperiment {
    pub fn new(config: PbsConfig, seed: u64) -> Result<PbsExperiment, PbsError> {
        config.validate()?;
        let n = config.n as usize;
        Ok(PbsExperiment {
            consistent: vec![0; config.t_ms.len()],
            rng: SimRng::new(seed),
            done: 0,
            lat: vec![[0.0; 4]; n],
            order: (0..n).collect(),
            config,
        })
    }

    pub fn config(&self) -> &PbsConfig {
        &self.config
    }

    /// Runs up to `max_trials` more trials; true when all are done.
    pub fn run_some(&mut self, max_trials: u32) -> bool {
        let todo = max_trials.min(self.config.trials - self.done);
        for _ in 0..todo {
            self.trial();
        }
        self.done += todo;
        self.done == self.config.trials
    }

    /// (trials done, trials in all).
    pub fn progress(&self) -> (u32, u32) {
        (self.done, self.config.trials)
    }

    /// The curve from the trials run so far (all zeros before any).
    pub fn results(&self) -> PbsResult {
        let c = &self.config;
        let d = self.done.max(1) as f64;
        PbsResult {
            n: c.n,
            r: c.r,
            w: c.w,
            trials: self.done,
            p_miss_closed_form: p_miss(c.n, c.r, c.w).map_or(f64::NAN, Ratio::to_f64),
            t_visibility: c
                .t_ms
                .iter()
                .zip(&self.consistent)
                .map(|(&t_ms, &k)| TPoint {
                    t_ms,
                    p_consistent: if self.done == 0 { 0.0 } else { k as f64 / d },
                })
                .collect(),
        }
    }

    fn trial(&mut self) {
        let c = &self.config;
        let l = c.latencies;
        for rep in self.lat.iter_mut() {
            for (k, dist) in [l.w, l.a, l.r, l.s].iter().enumerate() {
                rep[k] = dist.sample(self.rng.unit());
            }
        }
        let lat = &self.lat;
        // The commit: the W-th acknowledgement.
        crate::sort::sort_by(&mut self.order, |&i, &j| {
            (lat[i][0] + lat[i][1])
                .total_cmp(&(lat[j][0] + lat[j][1]))
                .then(i.cmp(&j))
        });
        let last_ack = self.order[c.w as usize - 1];
        let commit = lat[last_ack][0] + lat[last_ack][1];
        let mut acked = 0u64;
        for &i in &self.order[..c.w as usize] {
            acked |= 1 << i;
        }
        // The read: the first R answers.
        crate::sort::sort_by(&mut self.order, |&i, &j| {
            (lat[i][2] + lat[i][3])
                .total_cmp(&(lat[j][2] + lat[j][3]))
                .then(i.cmp(&j))
        });
        let readers = &self.order[..c.r as usize];
        for (k, &t) in c.t_ms.iter().enumerate() {
            let fresh = readers.iter().any(|&j| {
                if c.propagation {
                    commit + t + lat[j][2] >= lat[j][0]
                } else {
                    acked & (1 << j) != 0
                }
            });
            if fresh {
                self.consistent[k] += 1;
            }
        }
    }
}

/// Runs a whole experiment.
pub fn run(config: PbsConfig, seed: u64) -> Result<PbsResult, PbsError> {
    let mut e = PbsExperiment::new(config, seed)?;
    e.run_some(u32::MAX);
    Ok(e.results())
}

// ---- deterministic logarithm and exponential -------------------------------------
//
// `f64::ln` and `f64::exp` come from the platform's maths library, which
// may round differently in wasm and natively. These use only IEEE `+ − × ÷`,
// exactly specified everywhere. They are accurate to a few ulps, plenty for
// sampling.

/// ln 2 split as in fdlibm: a high part with trailing zero bits, so that
/// `k · LN2_HI` is exact, and the rest.
const LN2_HI: f64 = f64::from_bits(0x3fe6_2e42_fee0_0000);
const LN2_LO: f64 = f64::from_bits(0x3dea_39ef_3579_3c76);

/// Natural logarithm for `x > 0` (`−∞` at 0, NaN below).
fn ln(x: f64) -> f64 {
    if x.is_nan() || x < 0.0 {
        return f64::NAN;
    }
    if x == 0.0 {
        return f64::NEG_INFINITY;
    }
    if x.is_infinite() {
        return x;
    }
    let (mut x, mut e) = (x, 0i64);
    if x < f64::MIN_POSITIVE {
        x *= 18_014_398_509_481_984.0; // 2^54
        e -= 54;
    }
    let bits = x.to_bits();
    e += ((bits >> 52) & 0x7ff) as i64 - 1023;
    let mut m = f64::from_bits((bits & ((1u64 << 52) - 1)) | (1023u64 << 52));
    if m > std::f64::consts::SQRT_2 {
        m *= 0.5;
        e += 1;
    }
    // ln(m) = 2 atanh(s), s = (m − 1)/(m + 1), |s| ≤ 0.172.
    let s = (m - 1.0) / (m + 1.0);
    let s2 = s * s;
    let mut term = s;
    let mut sum = 0.0;
    let mut k = 1.0;
    while k < 40.0 {
        sum += term / k;
        term *= s2;
        k += 2.0;
    }
    let e = e as f64;
    e * LN2_HI + (e * LN2_LO + 2.0 * sum)
}

/// `e^x`.
fn exp(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    if x > 709.0 {
        return f64::INFINITY;
    }
    if x < -745.0 {
        return 0.0;
    }
    let k = (x / std::f64::consts::LN_2).round();
    let r = (x - k * LN2_HI) - k * LN2_LO;
    // Taylor series; |r| ≤ 0.35, 20 terms are far past f64 precision.
    let mut term = 1.0;
    let mut sum = 1.0;
    let mut i = 1.0;
    while i <= 20.0 {
        term *= r / i;
        sum += term;
        i += 1.0;
    }
    // Multiply by 2^k in two steps so that neither factor overflows.
    let k = k as i64;
    let half = k / 2;
    sum * pow2(half) * pow2(k - half)
}

fn pow2(k: i64) -> f64 {
    if k < -1022 {
        return f64::from_bits(1u64 << (k + 1074).max(0));
    }
    f64::from_bits(((k + 1023).min(2046) as u64) << 52)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn closed_form_known_values() {
        assert_eq!(p_miss(3, 1, 1).unwrap(), Ratio { num: 2, den: 3 });
        assert_eq!(p_miss(3, 2, 2).unwrap(), Ratio { num: 0, den: 1 });
        assert_eq!(p_miss(5, 1, 1).unwrap(), Ratio { num: 4, den: 5 });
        assert_eq!(p_miss(5, 2, 2).unwrap(), Ratio { num: 3, den: 10 });
        assert_eq!(p_miss(1, 1, 1).unwrap(), Ratio { num: 0, den: 1 });
        // The paper's N=3, R=W=1: two versions back is (2/3)^2.
        assert!((p_miss_k(3, 1, 1, 2).unwrap() - 4.0 / 9.0).abs() < 1e-15);
        assert_eq!(p_miss_k(3, 2, 2, 5).unwrap(), 0.0);
        assert_eq!(binomial(64, 32), 1_832_624_140_942_590_534);
        assert_eq!(binomial(5, 7), 0);
    }

    #[test]
    fn bad_quorums_are_errors_not_panics() {
        for (n, r, w) in [
            (0, 1, 1),
            (3, 0, 1),
            (3, 1, 0),
            (3, 4, 1),
            (3, 1, 4),
            (65, 1, 1),
        ] {
            assert!(p_miss(n, r, w).is_err(), "{n} {r} {w}");
        }
        assert!(p_miss_enumerated(11, 1, 1).is_err());
        assert!(p_miss_k(3, 1, 1, 0).is_err());
        let mut c = PbsConfig::new(3, 1, 1);
        c.trials = 0;
        assert!(PbsExperiment::new(c.clone(), 1).is_err());
        c.trials = 10;
        c.t_ms = vec![];
        assert!(PbsExperiment::new(c.clone(), 1).is_err());
        c.t_ms = vec![f64::NAN];
        assert!(PbsExperiment::new(c.clone(), 1).is_err());
        c.t_ms = vec![1.0];
        c.latencies.w = Latency::Uniform {
            lo_ms: 5.0,
            hi_ms: 1.0,
        };
        assert!(PbsExperiment::new(c.clone(), 1).is_err());
        c.latencies.w = Latency::Pareto {
            scale_ms: 0.0,
            shape: 2.0,
        };
        assert!(PbsExperiment::new(c, 1).is_err());
    }

    /// Every W-set against every R-set, for every N ≤ 7: exactly the closed form.
    #[test]
    fn enumeration_equals_closed_form_for_every_n_up_to_7() {
        for n in 1..=7 {
            for r in 1..=n {
                for w in 1..=n {
                    assert_eq!(
                        p_miss_enumerated(n, r, w).unwrap(),
                        p_miss(n, r, w).unwrap(),
                        "N={n} R={r} W={w}"
                    );
                    assert_eq!(
                        p_miss(n, r, w).unwrap().num == 0,
                        r + w > n,
                        "N={n} R={r} W={w}: overlap iff R+W>N"
                    );
                }
            }
        }
    }

    #[test]
    fn deterministic_maths_matches_the_platform_closely() {
        let mut r = SimRng::new(3);
        for _ in 0..10_000 {
            let x = r.unit() * 100.0 + 1e-300;
            let rel = (ln(x) - x.ln()).abs() / x.ln().abs().max(1e-300);
            assert!(
                rel < 1e-14 || (ln(x) - x.ln()).abs() < 1e-15,
                "ln({x}): {} vs {}",
                ln(x),
                x.ln()
            );
            let y = (r.unit() - 0.5) * 1400.0;
            let rel = (exp(y) - y.exp()).abs() / y.exp();
            assert!(rel < 1e-13, "exp({y}): {} vs {}", exp(y), y.exp());
        }
        assert_eq!(ln(1.0), 0.0);
        assert_eq!(exp(0.0), 1.0);
        assert_eq!(ln(0.0), f64::NEG_INFINITY);
        assert!((ln(f64::MIN_POSITIVE / 8.0) - (f64::MIN_POSITIVE / 8.0).ln()).abs() < 1e-12);
    }

    fn no_propagation(n: u32, r: u32, w: u32, trials: u32) -> PbsConfig {
        let mut c = PbsConfig::new(n, r, w);
        c.trials = trials;
        c.t_ms = vec![0.0];
        c.propagation = false;
        c
    }

    /// Without propagation the simulation estimates the closed form. With
    /// T trials the estimate's standard deviation is sqrt(p(1−p)/T); five
    /// of them (a 1-in-3.5-million miss for a normal estimate), plus 1/T
    /// for discreteness, is the tolerance.
    #[test]
    fn monte_carlo_without_propagation_agrees_with_the_closed_form() {
        const T: u32 = 20_000;
        let lat = [
            Wars::default(),
            Wars {
                w: Latency::Uniform {
                    lo_ms: 0.0,
                    hi_ms: 3.0,
                },
                a: Latency::Pareto {
                    scale_ms: 0.5,
                    shape: 2.0,
                },
                r: Latency::Exponential { mean_ms: 2.0 },
                s: Latency::Uniform {
                    lo_ms: 1.0,
                    hi_ms: 2.0,
                },
            },
        ];
        for n in 1..=5 {
            for r in 1..=n {
                for w in 1..=n {
                    for (k, l) in lat.iter().enumerate() {
                        let mut c = no_propagation(n, r, w, T);
                        c.latencies = *l;
                        let res = run(c, 100 + n as u64 * 10 + k as u64).unwrap();
                        let p = p_miss(n, r, w).unwrap().to_f64();
                        let est = 1.0 - res.t_visibility[0].p_consistent;
                        let tol = 5.0 * (p * (1.0 - p) / T as f64).sqrt() + 1.0 / T as f64;
                        assert!(
                            (est - p).abs() <= tol,
                            "N={n} R={r} W={w} model {k}: {est} vs {p} (tol {tol})"
                        );
                        if r + w > n {
                            assert_eq!(est, 0.0, "strict quorums never miss");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn propagation_only_helps_and_time_only_helps() {
        for (n, r, w) in [(3, 1, 1), (5, 1, 2), (5, 2, 2), (7, 1, 1)] {
            let mut c = PbsConfig::new(n, r, w);
            c.trials = 5_000;
            c.t_ms = vec![0.0, 1.0, 5.0, 20.0, 100.0, 10_000.0];
            let with = run(c.clone(), 9).unwrap();
            c.propagation = false;
            let without = run(c, 9).unwrap();
            // Same draws: every trial consistent without propagation is consistent with it.
            assert!(with.t_visibility[0].p_consistent >= without.t_visibility[0].p_consistent);
            for pair in with.t_visibility.windows(2) {
                assert!(pair[0].p_consistent <= pair[1].p_consistent, "{with:?}");
            }
            assert_eq!(
                with.t_visibility.last().unwrap().p_consistent,
                1.0,
                "10 s is long enough"
            );
            assert!(without
                .t_visibility
                .iter()
                .all(|p| p.p_consistent == without.t_visibility[0].p_consistent));
        }
        // N=3, R=W=1 with the default model: stale at first, then fresh.
        let res = run(PbsConfig::new(3, 1, 1), 1).unwrap();
        let p0 = res.t_visibility[0].p_consistent;
        assert!(p0 > 1.0 - 2.0 / 3.0 && p0 < 0.9, "{res:?}");
        assert!(
            res.t_visibility.last().unwrap().p_consistent > 0.999,
            "{res:?}"
        );
    }

    #[test]
    fn slicing_changes_nothing_and_seeds_matter() {
        let mut c = PbsConfig::new(5, 1, 2);
        c.trials = 1_000;
        let whole = run(c.clone(), 4).unwrap();
        let mut e = PbsExperiment::new(c.clone(), 4).unwrap();
        assert_eq!(e.progress(), (0, 1_000));
        assert!(!e.run_some(0));
        let mut calls = 0;
        while !e.run_some(37) {
            calls += 1;
        }
        assert_eq!(calls, 27);
        assert_eq!(e.results(), whole);
        assert!(e.run_some(5), "a finished experiment stays finished");
        assert_eq!(e.progress(), (1_000, 1_000));
        assert_ne!(run(c, 5).unwrap(), whole);
    }

    #[test]
    fn result_serialises_as_documented() {
        let mut c = PbsConfig::new(3, 1, 1);
        c.trials = 4;
        c.t_ms = vec![0.0, 1000.0];
        let s = serde_json::to_string(&run(c, 1).unwrap()).unwrap();
        assert!(
            s.starts_with(
                r#"{"n":3,"r":1,"w":1,"trials":4,"p_miss_closed_form":0.6666666666666666,"t_visibility":[{"t_ms":0.0,"p_consistent":"#
            ),
            "{s}"
        );
        assert!(
            s.ends_with(r#"{"t_ms":1000.0,"p_consistent":1.0}]}"#),
            "{s}"
        );
    }
}
