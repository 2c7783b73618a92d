//! Seeded arrival processes: the requests of a fleet of clients, for labs
//! whose subject is a service under load (a rate limiter, a circuit
//! breaker, a hash ring) rather than a set of peers.
//!
//! A fleet may have hundreds of clients and [`super::NodeId`] is a byte,
//! so clients are not nodes: a [`Workload`] is plain data that a node
//! keeps in its state and drives from one timer. It knows each client's
//! next arrival, ordered by (time, stream, client); the protocol arms a
//! timer at [`Workload::next_us`] with `Ctx::set_timer_at` (true time: the
//! clients are outside the node, so its clock does not bend their
//! arrivals), and when it fires takes one arrival with
//! [`Workload::pop_due`], which draws that client's following arrival
//! from the run's one RNG. One arrival per step keeps every request
//! visible in the trace.
//!
//! A [`WorkloadSpec`] is a list of streams, each a range of clients that
//! run one [`Process`] independently: one request every interval (with
//! jitter), Poisson at a mean gap, bursty on/off, or a spike in a window.
//! Streams may overlap, so a spike can sit on top of a steady load, and
//! different ranges give clients different rates. Times inside a process
//! count from the workload's start.
//!
//! Exponential gaps are drawn by von Neumann's method, which compares
//! uniform integers and never takes a logarithm: floating-point `ln`
//! differs in the last bit between platforms' maths libraries, and a
//! rounded microsecond could then differ between native and wasm. Every
//! value is an integer number of microseconds.
//!
//! Bounds: at most [`STREAMS_MAX`] streams and [`CLIENTS_MAX`] clients;
//! gaps and windows within [`GAP_US_MIN`]..=[`SPAN_US_MAX`]; one
//! exponential gap is at most [`EXP_MEANS_MAX`] means.

use super::rng::SimRng;
use super::time::TimeUs;
use std::collections::BTreeSet;

/// The most clients a workload has (client numbers are below it).
pub const CLIENTS_MAX: u16 = 1_000;
/// The most streams a workload has.
pub const STREAMS_MAX: usize = 16;
/// The shortest gap: a client sends at most a million requests a second.
pub const GAP_US_MIN: TimeUs = 1;
/// The longest gap, on or off period, spike start or length: an hour.
pub const SPAN_US_MAX: TimeUs = 3_600_000_000;
/// An exponential gap longer than this many means is cut to it (the
/// chance of reaching it is e⁻⁶⁴).
pub const EXP_MEANS_MAX: u64 = 64;
/// Von Neumann's method looks at descending runs of uniforms; a run this
/// long (chance 1/64!) is cut short.
const RUN_MAX: u32 = 64;

/// How one client's requests arrive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Process {
    /// A request every `gap_us`, each gap stretched by a uniform draw in
    /// `0..=jitter_us`. With no jitter, clients of one stream arrive in
    /// lockstep, as synchronised retries do.
    Steady { gap_us: TimeUs, jitter_us: TimeUs },
    /// Poisson: gaps are exponential with mean `mean_gap_us`.
    Poisson { mean_gap_us: TimeUs },
    /// Bursty: Poisson with `mean_gap_us` during `on_us`, then silence for
    /// `off_us`, repeating from the start, on first.
    OnOff {
        mean_gap_us: TimeUs,
        on_us: TimeUs,
        off_us: TimeUs,
    },
    /// A spike: Poisson with `mean_gap_us`, only from `at_us` for `for_us`.
    Spike {
        mean_gap_us: TimeUs,
        at_us: TimeUs,
        for_us: TimeUs,
    },
}

fn span(x: TimeUs) -> TimeUs {
    x.clamp(GAP_US_MIN, SPAN_US_MAX)
}

impl Process {
    /// The same process with every value in range.
    pub fn clamped(self) -> Process {
        match self {
            Process::Steady { gap_us, jitter_us } => Process::Steady {
                gap_us: span(gap_us),
                jitter_us: jitter_us.min(SPAN_US_MAX),
            },
            Process::Poisson { mean_gap_us } => Process::Poisson {
                mean_gap_us: span(mean_gap_us),
            },
            Process::OnOff {
                mean_gap_us,
                on_us,
                off_us,
            } => Process::OnOff {
                mean_gap_us: span(mean_gap_us),
                on_us: span(on_us),
                off_us: off_us.min(SPAN_US_MAX),
            },
            Process::Spike {
                mean_gap_us,
                at_us,
                for_us,
            } => Process::Spike {
                mean_gap_us: span(mean_gap_us),
                at_us: at_us.min(SPAN_US_MAX),
                for_us: span(for_us),
            },
        }
    }

    /// The first arrival after the workload starts at `start_us`.
    fn first(&self, start_us: TimeUs, rng: &mut SimRng) -> Option<TimeUs> {
        match *self {
            Process::Spike { at_us, .. } => {
                self.next_after(start_us.saturating_add(at_us), start_us, rng)
            }
            _ => self.next_after(start_us, start_us, rng),
        }
    }

    /// The arrival after one at `t_us` (or after the start, at `t_us`);
    /// `None` once the process has no more.
    fn next_after(&self, t_us: TimeUs, start_us: TimeUs, rng: &mut SimRng) -> Option<TimeUs> {
        match *self {
            Process::Steady { gap_us, jitter_us } => Some(
                t_us.saturating_add(gap_us)
                    .saturating_add(rng.range_u64(0, jitter_us)),
            ),
            Process::Poisson { mean_gap_us } => {
                Some(t_us.saturating_add(exponential_us(rng, mean_gap_us)))
            }
            Process::OnOff {
                mean_gap_us,
                on_us,
                off_us,
            } => {
                // Arrivals are Poisson on a clock that runs only while on.
                let period_us = on_us + off_us;
                let since_us = t_us.saturating_sub(start_us);
                let on_clock_us = since_us / period_us * on_us + (since_us % period_us).min(on_us);
                let at_us = on_clock_us.saturating_add(exponential_us(rng, mean_gap_us));
                let back_us = (at_us / on_us)
                    .saturating_mul(period_us)
                    .saturating_add(at_us % on_us);
                Some(start_us.saturating_add(back_us))
            }
            Process::Spike {
                mean_gap_us,
                at_us,
                for_us,
            } => {
                let end_us = start_us.saturating_add(at_us).saturating_add(for_us);
                let next_us = t_us.saturating_add(exponential_us(rng, mean_gap_us));
                (next_us < end_us).then_some(next_us)
            }
        }
    }

    /// The text form, for links: `steady-GAP-JITTER`, `poisson-MEAN`,
    /// `onoff-MEAN-ON-OFF`, `spike-MEAN-AT-FOR`, all in µs.
    pub fn encode(&self) -> String {
        match self {
            Process::Steady { gap_us, jitter_us } => format!("steady-{gap_us}-{jitter_us}"),
            Process::Poisson { mean_gap_us } => format!("poisson-{mean_gap_us}"),
            Process::OnOff {
                mean_gap_us,
                on_us,
                off_us,
            } => format!("onoff-{mean_gap_us}-{on_us}-{off_us}"),
            Process::Spike {
                mean_gap_us,
                at_us,
                for_us,
            } => format!("spike-{mean_gap_us}-{at_us}-{for_us}"),
        }
    }

    /// Parses [`Process::encode`]'s form; out-of-range values are an error.
    pub fn parse(s: &str) -> Result<Process, String> {
        let parts: Vec<&str> = s.split('-').collect();
        let num = |x: &str, what: &str, lo: TimeUs| -> Result<TimeUs, String> {
            let v: TimeUs = x.parse().map_err(|_| format!("'{s}': bad {what}"))?;
            if !(lo..=SPAN_US_MAX).contains(&v) {
                return Err(format!("'{s}': {what} must be {lo} to {SPAN_US_MAX} µs"));
            }
            Ok(v)
        };
        match parts[..] {
            ["steady", g, j] => Ok(Process::Steady {
                gap_us: num(g, "gap", GAP_US_MIN)?,
                jitter_us: num(j, "jitter", 0)?,
            }),
            ["poisson", m] => Ok(Process::Poisson {
                mean_gap_us: num(m, "mean gap", GAP_US_MIN)?,
            }),
            ["onoff", m, on, off] => Ok(Process::OnOff {
                mean_gap_us: num(m, "mean gap", GAP_US_MIN)?,
                on_us: num(on, "on period", GAP_US_MIN)?,
                off_us: num(off, "off period", 0)?,
            }),
            ["spike", m, at, dur] => Ok(Process::Spike {
                mean_gap_us: num(m, "mean gap", GAP_US_MIN)?,
                at_us: num(at, "spike start", 0)?,
                for_us: num(dur, "spike length", GAP_US_MIN)?,
            }),
            _ => Err(format!("unknown arrival process '{s}'")),
        }
    }
}

/// An exponential draw with mean `mean_us`, in whole microseconds
/// (floored), at most [`EXP_MEANS_MAX`] means.
///
/// Von Neumann (1951): draw uniforms `U1 > U2 > … > UN` until the run
/// stops descending. Given `U1 = x`, the run's length is odd with
/// probability `e^-x`; then `K + x` is the answer, else `K` grows by one
/// and it starts again. `K` is geometric with ratio `1/e` and `x` is
/// exponential truncated to `[0, 1)`, which together make `Exp(1)`.
pub fn exponential_us(rng: &mut SimRng, mean_us: TimeUs) -> TimeUs {
    let mut whole: u64 = 0;
    while whole < EXP_MEANS_MAX {
        let first = rng.range_u64(0, u64::MAX);
        let mut last = first;
        let mut run = 1;
        while run < RUN_MAX {
            let u = rng.range_u64(0, u64::MAX);
            if u >= last {
                break;
            }
            last = u;
            run += 1;
        }
        if run % 2 == 1 {
            let frac_us = ((first as u128 * mean_us as u128) >> 64) as u64;
            return whole.saturating_mul(mean_us).saturating_add(frac_us);
        }
        whole += 1;
    }
    EXP_MEANS_MAX.saturating_mul(mean_us)
}

/// Clients `first_client..first_client + n_clients`, each running `process`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stream {
    pub first_client: u16,
    pub n_clients: u16,
    pub process: Process,
}

/// A workload's shape: its streams.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct WorkloadSpec {
    pub streams: Vec<Stream>,
}

impl WorkloadSpec {
    /// `n_clients` clients (from client 0) all running `process`.
    pub fn uniform(n_clients: u16, process: Process) -> WorkloadSpec {
        WorkloadSpec {
            streams: vec![Stream {
                first_client: 0,
                n_clients,
                process,
            }],
        }
    }

    /// The same spec within bounds: at most [`STREAMS_MAX`] streams, client
    /// numbers below [`CLIENTS_MAX`], and at most that many (stream,
    /// client) pairs in all; streams past the limit are cut.
    pub fn clamped(mut self) -> WorkloadSpec {
        self.streams.truncate(STREAMS_MAX);
        let mut budget = CLIENTS_MAX;
        for s in self.streams.iter_mut() {
            s.first_client = s.first_client.min(CLIENTS_MAX);
            s.n_clients = s.n_clients.min(CLIENTS_MAX - s.first_client).min(budget);
            budget -= s.n_clients;
            s.process = s.process.clamped();
        }
        self.streams.retain(|s| s.n_clients > 0);
        self
    }
}

/// One request: which client, from which stream, when.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Arrival {
    pub at_us: TimeUs,
    pub client: u16,
    pub stream: u8,
}

/// The running state of a workload: every client's next arrival.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Workload {
    spec: WorkloadSpec,
    start_us: TimeUs,
    /// (time, stream, client) of each client's next arrival.
    next: BTreeSet<(TimeUs, u8, u16)>,
    /// Arrivals taken so far.
    pub n_arrived: u64,
}

impl Workload {
    /// Starts `spec` (clamped) at `start_us`, drawing each client's first
    /// arrival in (stream, client) order.
    pub fn new(spec: WorkloadSpec, start_us: TimeUs, rng: &mut SimRng) -> Workload {
        let mut w = Workload {
            spec: spec.clamped(),
            start_us,
            next: BTreeSet::new(),
            n_arrived: 0,
        };
        w.draw_all(None, rng);
        w
    }

    pub fn spec(&self) -> &WorkloadSpec {
        &self.spec
    }

    /// Draws every client's next arrival afresh: from the start, or from `from_us`.
    fn draw_all(&mut self, from_us: Option<TimeUs>, rng: &mut SimRng) {
        self.next.clear();
        for (si, s) in self.spec.streams.iter().enumerate() {
            for c in s.first_client..s.first_client + s.n_clients {
                let t = match from_us {
                    None => s.process.first(self.start_us, rng),
                    Some(from_us) => match s.process {
                        // A spike that has not begun still begins on time.
                        Process::Spike { at_us, .. }
                            if from_us < self.start_us.saturating_add(at_us) =>
                        {
                            s.process.first(self.start_us, rng)
                        }
                        p => p.next_after(from_us, self.start_us, rng),
                    },
                };
                if let Some(t) = t {
                    self.next.insert((t, si as u8, c));
                }
            }
        }
    }

    /// When the next arrival is due, if any is left.
    pub fn next_us(&self) -> Option<TimeUs> {
        self.next.first().map(|(t, _, _)| *t)
    }

    /// Takes the next arrival if it is due by `now_us`, and draws that
    /// client's following one.
    pub fn pop_due(&mut self, now_us: TimeUs, rng: &mut SimRng) -> Option<Arrival> {
        let &(at_us, stream, client) = self.next.first()?;
        if at_us > now_us {
            return None;
        }
        self.next.pop_first();
        let process = self.spec.streams[stream as usize].process;
        if let Some(t) = process.next_after(at_us, self.start_us, rng) {
            self.next.insert((t, stream, client));
        }
        self.n_arrived += 1;
        Some(Arrival {
            at_us,
            client,
            stream,
        })
    }

    /// Every client starts afresh from `now_us`, as after the service was
    /// down: arrivals it missed are not made up, and a spike yet to come
    /// still comes on time.
    pub fn restart(&mut self, now_us: TimeUs, rng: &mut SimRng) {
        self.draw_all(Some(now_us), rng);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn take_all(w: &mut Workload, until_us: TimeUs, rng: &mut SimRng) -> Vec<Arrival> {
        let mut out = Vec::new();
        while let Some(t) = w.next_us().filter(|t| *t <= until_us) {
            out.push(w.pop_due(t, rng).expect("due"));
        }
        out
    }

    #[test]
    fn exponential_draws_are_pinned_and_integer_only() {
        // Pins the method: if this changes, every workload link changes meaning.
        let mut r = SimRng::new(42);
        let draws: Vec<u64> = (0..6).map(|_| exponential_us(&mut r, 1_000)).collect();
        assert_eq!(draws, PINNED_42);
    }

    const PINNED_42: [u64; 6] = [681, 427, 1_803, 901, 592, 179];

    #[test]
    fn exponential_draws_have_the_right_mean_and_tail() {
        let mut r = SimRng::new(7);
        let n = 40_000u64;
        let draws: Vec<u64> = (0..n).map(|_| exponential_us(&mut r, 10_000)).collect();
        let mean = draws.iter().sum::<u64>() / n;
        assert!((9_800..=10_200).contains(&mean), "mean {mean}");
        // P(X > mean) = 1/e ≈ 0.368, P(X > 3 means) = e⁻³ ≈ 0.050.
        let over = |k: u64| draws.iter().filter(|d| **d > k * 10_000).count() as f64 / n as f64;
        assert!((over(1) - 0.368).abs() < 0.01, "{}", over(1));
        assert!((over(3) - 0.050).abs() < 0.005, "{}", over(3));
        assert!(draws.iter().all(|d| *d <= EXP_MEANS_MAX * 10_000));
    }

    #[test]
    fn steady_clients_arrive_on_the_beat_in_client_order() {
        let mut r = SimRng::new(1);
        let mut w = Workload::new(
            WorkloadSpec::uniform(
                2,
                Process::Steady {
                    gap_us: 10_000,
                    jitter_us: 0,
                },
            ),
            5_000,
            &mut r,
        );
        assert_eq!(w.pop_due(14_999, &mut r), None, "not due yet");
        let got: Vec<(u64, u16)> = take_all(&mut w, 35_000, &mut r)
            .iter()
            .map(|a| (a.at_us, a.client))
            .collect();
        assert_eq!(
            got,
            vec![
                (15_000, 0),
                (15_000, 1),
                (25_000, 0),
                (25_000, 1),
                (35_000, 0),
                (35_000, 1)
            ]
        );
        assert_eq!(w.n_arrived, 6);
        // Jitter stretches each gap by at most its bound.
        let mut w = Workload::new(
            WorkloadSpec::uniform(
                1,
                Process::Steady {
                    gap_us: 10_000,
                    jitter_us: 3_000,
                },
            ),
            0,
            &mut r,
        );
        let times: Vec<u64> = take_all(&mut w, 1_000_000, &mut r)
            .iter()
            .map(|a| a.at_us)
            .collect();
        assert!(times
            .windows(2)
            .all(|p| (10_000..=13_000).contains(&(p[1] - p[0]))));
        assert!(
            times.windows(2).any(|p| p[1] - p[0] != times[1] - times[0]),
            "the jitter varies"
        );
    }

    #[test]
    fn on_off_arrivals_fall_only_in_on_periods_at_the_on_rate() {
        let mut r = SimRng::new(3);
        let p = Process::OnOff {
            mean_gap_us: 1_000,
            on_us: 100_000,
            off_us: 400_000,
        };
        let mut w = Workload::new(WorkloadSpec::uniform(1, p), 0, &mut r);
        let got = take_all(&mut w, 50_000_000, &mut r);
        assert!(
            got.iter().all(|a| a.at_us % 500_000 < 100_000),
            "an arrival in an off period"
        );
        // 100 on periods of 100 ms at 1,000/s: about 10,000 arrivals.
        assert!((9_500..=10_500).contains(&got.len()), "{}", got.len());
        assert!(got.windows(2).all(|p| p[0].at_us <= p[1].at_us));
    }

    #[test]
    fn a_spike_comes_in_its_window_and_then_ends() {
        let mut r = SimRng::new(4);
        let spike = Process::Spike {
            mean_gap_us: 500,
            at_us: 2_000_000,
            for_us: 100_000,
        };
        let base = Process::Poisson {
            mean_gap_us: 100_000,
        };
        let spec = WorkloadSpec {
            streams: vec![
                Stream {
                    first_client: 0,
                    n_clients: 10,
                    process: base,
                },
                Stream {
                    first_client: 0,
                    n_clients: 10,
                    process: spike,
                },
            ],
        };
        let mut w = Workload::new(spec, 1_000, &mut r);
        let got = take_all(&mut w, 5_000_000, &mut r);
        let in_spike: Vec<&Arrival> = got.iter().filter(|a| a.stream == 1).collect();
        assert!(in_spike
            .iter()
            .all(|a| (2_001_000..2_101_000).contains(&a.at_us)));
        // 10 clients at 2,000/s for 100 ms: about 2,000 arrivals, over a base of 100/s.
        assert!(
            (1_800..=2_200).contains(&in_spike.len()),
            "{}",
            in_spike.len()
        );
        let base_n = got.len() - in_spike.len();
        assert!((420..=580).contains(&base_n), "{base_n}");
        // A gap may floor to 0 µs: a client can send twice in one microsecond.
        assert!(got
            .windows(2)
            .all(|p| (p[0].at_us, p[0].stream, p[0].client)
                <= (p[1].at_us, p[1].stream, p[1].client)));
    }

    #[test]
    fn a_restart_draws_afresh_and_keeps_a_spike_to_come() {
        let mut r = SimRng::new(5);
        let spec = WorkloadSpec {
            streams: vec![
                Stream {
                    first_client: 0,
                    n_clients: 3,
                    process: Process::Steady {
                        gap_us: 10_000,
                        jitter_us: 0,
                    },
                },
                Stream {
                    first_client: 0,
                    n_clients: 1,
                    process: Process::Spike {
                        mean_gap_us: 10,
                        at_us: 900_000,
                        for_us: 10,
                    },
                },
            ],
        };
        let mut w = Workload::new(spec, 0, &mut r);
        take_all(&mut w, 20_000, &mut r);
        w.restart(123_456, &mut r);
        assert_eq!(
            w.next_us(),
            Some(133_456),
            "the steady clients resume a gap after the restart"
        );
        let got = take_all(&mut w, 1_000_000, &mut r);
        assert!(got
            .iter()
            .filter(|a| a.stream == 1)
            .all(|a| (900_000..900_010).contains(&a.at_us)));
    }

    #[test]
    fn specs_are_clamped_and_texts_round_trip_or_fail() {
        let huge = Stream {
            first_client: 990,
            n_clients: 500,
            process: Process::Steady {
                gap_us: 0,
                jitter_us: u64::MAX,
            },
        };
        let spec = WorkloadSpec {
            streams: vec![huge; 40],
        }
        .clamped();
        assert_eq!(spec.streams.len(), STREAMS_MAX, "ten clients each");
        assert_eq!(
            spec.streams[0],
            Stream {
                first_client: 990,
                n_clients: 10,
                process: Process::Steady {
                    gap_us: 1,
                    jitter_us: SPAN_US_MAX
                }
            }
        );
        let spec = WorkloadSpec::uniform(u16::MAX, Process::Poisson { mean_gap_us: 5 }).clamped();
        assert_eq!(spec.streams[0].n_clients, CLIENTS_MAX);
        for p in [
            Process::Steady {
                gap_us: 10_000,
                jitter_us: 0,
            },
            Process::Poisson { mean_gap_us: 1 },
            Process::OnOff {
                mean_gap_us: 1_000,
                on_us: 200_000,
                off_us: 0,
            },
            Process::Spike {
                mean_gap_us: 50,
                at_us: 0,
                for_us: SPAN_US_MAX,
            },
        ] {
            assert_eq!(Process::parse(&p.encode()), Ok(p));
        }
        for bad in [
            "",
            "steady",
            "steady-0-0",
            "steady-5",
            "poisson-x",
            "poisson-3600000001",
            "onoff-1-0-1",
            "spike-1-2",
            "burst-1",
            "poisson--1",
        ] {
            assert!(Process::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_same_seed_gives_the_same_arrivals() {
        let run = || {
            let mut r = SimRng::new(11);
            let spec = WorkloadSpec {
                streams: vec![
                    Stream {
                        first_client: 0,
                        n_clients: 500,
                        process: Process::Poisson {
                            mean_gap_us: 1_000_000,
                        },
                    },
                    Stream {
                        first_client: 490,
                        n_clients: 10,
                        process: Process::OnOff {
                            mean_gap_us: 2_000,
                            on_us: 50_000,
                            off_us: 50_000,
                        },
                    },
                ],
            };
            let mut w = Workload::new(spec, 0, &mut r);
            take_all(&mut w, 3_000_000, &mut r)
        };
        let a = run();
        assert!(a.len() > 1_000);
        assert_eq!(a, run());
    }
}
