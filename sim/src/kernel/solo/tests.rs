//! The solo adapter proven with a small model: a token bucket in front of
//! a fleet of clients. It starts full with `burst` tokens, gains
//! `rate_per_s` tokens a second on its monotonic clock up to `burst`, and
//! admits a request by spending one. Its promise: in any interval of
//! length `L`, it admits at most `burst + rate × L` requests. A test
//! switch forgets the cap, so a quiet spell banks tokens and the promise
//! breaks.

use super::*;
use crate::kernel::input::CommandCodec;
use crate::kernel::time::fmt_time;
use crate::kernel::workload::{Process, Stream};
use crate::kernel::{Input, Note, Timeline, Who, World};

const MICRO: u64 = 1_000_000;

#[derive(Clone, Debug)]
struct Bucket {
    burst: u64,
    rate_per_s: u64,
    workload: WorkloadSpec,
    clock: ClockSpec,
    /// The test switch: let tokens pile up past `burst`.
    flaw_uncapped: bool,
}

#[derive(Clone, Debug, PartialEq)]
struct Tokens {
    /// In millionths of a token, so a refill is exact: `rate_per_s` of
    /// them per microsecond.
    micro: u64,
    /// The monotonic reading of the last refill.
    last_mono_us: i64,
    admitted: u64,
    refused: u64,
}

#[derive(Clone, Debug, PartialEq)]
enum BNote {
    Admitted {
        client: u16,
        late_us: u64,
        tokens_milli: u64,
    },
    Refused {
        client: u16,
    },
    Flood {
        n: u8,
        admitted: u8,
    },
    Drained,
    Restarted,
}

#[derive(Clone, Debug, PartialEq)]
enum BCmd {
    /// `.0` requests at once, 1–100.
    Flood(u8),
    Drain,
}

impl CommandCodec for BCmd {
    fn encode(&self) -> String {
        match self {
            BCmd::Flood(n) => format!("flood-{n}"),
            BCmd::Drain => "drain".into(),
        }
    }
    fn parse(s: &str) -> Result<Self, String> {
        if s == "drain" {
            return Ok(BCmd::Drain);
        }
        let n: u8 = s
            .strip_prefix("flood-")
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| format!("unknown command '{s}'"))?;
        if !(1..=100).contains(&n) {
            return Err(format!("'{s}': a flood is 1 to 100 requests"));
        }
        Ok(BCmd::Flood(n))
    }
}

/// Incremental check of the rate bound over every interval that ends at
/// an admission. With admissions `0..=n` at times `t_i`, the interval
/// from `t_i` to `t_n` holds `n - i + 1` of them, so the bound fails for
/// some `i` exactly when `(n + 1)·10⁶ - r·t_n + max_i (r·t_i - i·10⁶)`
/// exceeds `burst·10⁶`. Keeping that maximum makes each check O(1).
#[derive(Clone, Debug, Default)]
struct RateChecker {
    n: u64,
    /// The maximum of `r·t_i - i·10⁶`, with its `t_i` and `i`.
    best: Option<(i128, TimeUs, u64)>,
}

impl RateChecker {
    /// Counts one admission at `t_us`; returns (count, from, allowed) if
    /// the interval ending here with the most excess breaks the bound.
    fn admit(&mut self, m: &Bucket, t_us: TimeUs) -> Option<(u64, TimeUs, u64)> {
        let (r, i) = (m.rate_per_s as i128, self.n);
        self.n += 1;
        let v = r * t_us as i128 - i as i128 * MICRO as i128;
        if self.best.is_none_or(|(b, _, _)| v > b) {
            self.best = Some((v, t_us, i));
        }
        let (b, from_us, from_i) = self.best?;
        let excess = (i as i128 + 1) * MICRO as i128 - r * t_us as i128 + b;
        if excess <= (m.burst * MICRO) as i128 {
            return None;
        }
        let allowed = m.burst + m.rate_per_s * (t_us - from_us) / MICRO;
        Some((i - from_i + 1, from_us, allowed))
    }
}

const RATE_BOUND: &[InvariantInfo] = &[InvariantInfo {
    name: "Rate bound",
    statement: "In any interval of length L, at most burst + rate × L requests are admitted.",
}];

impl Bucket {
    fn refill(&self, s: &mut Tokens, mono_us: i64) {
        let elapsed_us = mono_us.saturating_sub(s.last_mono_us).max(0) as u64;
        s.micro = s
            .micro
            .saturating_add(self.rate_per_s.saturating_mul(elapsed_us));
        if !self.flaw_uncapped {
            s.micro = s.micro.min(self.burst * MICRO);
        }
        s.last_mono_us = mono_us;
    }
    fn try_admit(&self, s: &mut Tokens, mono_us: i64) -> bool {
        self.refill(s, mono_us);
        if s.micro < MICRO {
            s.refused += 1;
            return false;
        }
        s.micro -= MICRO;
        s.admitted += 1;
        true
    }
}

impl SoloModel for Bucket {
    type State = Tokens;
    type Timer = ();
    type Command = BCmd;
    type Note = BNote;
    type Checker = RateChecker;

    fn name(&self) -> String {
        "Limiter".into()
    }
    fn workload(&self) -> WorkloadSpec {
        self.workload.clone()
    }
    fn clock(&self) -> ClockSpec {
        self.clock
    }
    fn init(&self, ctx: &mut SoloCtx<'_, '_, ()>) -> Tokens {
        Tokens {
            micro: self.burst * MICRO,
            last_mono_us: ctx.monotonic_now_us(),
            admitted: 0,
            refused: 0,
        }
    }
    fn on_arrival(&self, s: &mut Tokens, ctx: &mut SoloCtx<'_, '_, ()>, a: Arrival) -> BNote {
        if self.try_admit(s, ctx.monotonic_now_us()) {
            BNote::Admitted {
                client: a.client,
                late_us: ctx.now_us() - a.at_us,
                tokens_milli: s.micro / 1_000,
            }
        } else {
            BNote::Refused { client: a.client }
        }
    }
    fn on_timer(&self, _s: &mut Tokens, _ctx: &mut SoloCtx<'_, '_, ()>, _timer: ()) -> BNote {
        BNote::Drained
    }
    fn on_command(&self, s: &mut Tokens, ctx: &mut SoloCtx<'_, '_, ()>, cmd: &BCmd) -> BNote {
        match cmd {
            BCmd::Flood(n) => {
                let n = (*n).clamp(1, 100);
                let admitted = (0..n)
                    .filter(|_| self.try_admit(s, ctx.monotonic_now_us()))
                    .count() as u8;
                BNote::Flood { n, admitted }
            }
            BCmd::Drain => {
                self.refill(s, ctx.monotonic_now_us());
                s.micro = 0;
                BNote::Drained
            }
        }
    }
    fn on_restart(&self, _s: &mut Tokens, _ctx: &mut SoloCtx<'_, '_, ()>) -> BNote {
        BNote::Restarted
    }
    fn invariants(&self) -> &'static [InvariantInfo] {
        RATE_BOUND
    }
    fn new_checker(&self) -> RateChecker {
        RateChecker::default()
    }
    fn check(&self, view: &SoloView<'_, Self>, checker: &mut RateChecker, out: &mut Vec<Breach>) {
        let n = match view.note {
            Some(BNote::Admitted { .. }) => 1,
            Some(BNote::Flood { admitted, .. }) => *admitted as u64,
            _ => 0,
        };
        // Of the breaches among this step's admissions, the last has the most requests.
        let worst = (0..n).filter_map(|_| checker.admit(self, view.now)).last();
        if let Some((count, from_us, allowed)) = worst {
            out.push(Breach {
                invariant: RATE_BOUND[0].name,
                explanation: format!(
                    "Limiter admitted {count} requests between {} and {}; a burst of {} at {} per second allows at most {allowed}.",
                    fmt_time(from_us),
                    fmt_time(view.now),
                    self.burst,
                    self.rate_per_s
                ),
            });
        }
    }
    fn narrate(&self, note: &BNote) -> String {
        let tokens = |milli: u64| format!("{}.{:03}", milli / 1_000, milli % 1_000);
        match note {
            BNote::Admitted {
                client,
                late_us: 0,
                tokens_milli,
            } => {
                format!(
                    "Limiter admits client {client}'s request; {} tokens left.",
                    tokens(*tokens_milli)
                )
            }
            BNote::Admitted {
                client,
                late_us,
                tokens_milli,
            } => format!(
                "Limiter admits client {client}'s request, {} after it arrived; {} tokens left.",
                fmt_time(*late_us),
                tokens(*tokens_milli)
            ),
            BNote::Refused { client } => {
                format!("Limiter refuses client {client}'s request: less than one token left.")
            }
            BNote::Flood { n, admitted } => format!(
                "A flood of {n} requests: Limiter admits {admitted} and refuses {}.",
                n - admitted
            ),
            BNote::Drained => "Limiter's bucket is emptied.".into(),
            BNote::Restarted => "Limiter restarts; its bucket kept its tokens.".into(),
        }
    }
    fn marker(&self, note: &BNote) -> Option<Marker> {
        matches!(note, BNote::Flood { .. }).then_some(Marker::Fault)
    }
}

fn bucket(burst: u64, rate_per_s: u64, workload: WorkloadSpec) -> Bucket {
    Bucket {
        burst,
        rate_per_s,
        workload,
        clock: ClockSpec::PERFECT,
        flaw_uncapped: false,
    }
}

fn steady(gap_us: TimeUs) -> WorkloadSpec {
    WorkloadSpec::uniform(
        1,
        Process::Steady {
            gap_us,
            jitter_us: 0,
        },
    )
}

/// A fleet of 50 clients in bursts: 200 ms on at 100 requests a second
/// each, 800 ms off.
fn bursty() -> WorkloadSpec {
    WorkloadSpec::uniform(
        50,
        Process::OnOff {
            mean_gap_us: 10_000,
            on_us: 200_000,
            off_us: 800_000,
        },
    )
}

/// (time, narration) of each step up to `until_us`.
fn told(t: &mut Timeline<Solo<Bucket>>, until_us: TimeUs) -> Vec<(TimeUs, String)> {
    let from = t.cursor() as usize;
    let _ = t.run_until(until_us, 10_000);
    let w = t.world();
    t.records()[from..]
        .iter()
        .map(|r| (r.time_us, w.narrate(&r.note)))
        .collect()
}

fn line(t_us: TimeUs, s: &str) -> (TimeUs, String) {
    (t_us, s.to_string())
}

#[test]
fn a_token_bucket_admits_its_burst_then_its_rate() {
    let mut t = Timeline::new(World::new(Solo(bucket(3, 10, steady(20_000))), 1, vec![]));
    assert_eq!(
        told(&mut t, 140_000),
        vec![
            line(
                20_000,
                "Limiter admits client 0's request; 2.000 tokens left."
            ),
            line(
                40_000,
                "Limiter admits client 0's request; 1.200 tokens left."
            ),
            line(
                60_000,
                "Limiter admits client 0's request; 0.400 tokens left."
            ),
            line(
                80_000,
                "Limiter refuses client 0's request: less than one token left."
            ),
            line(
                100_000,
                "Limiter refuses client 0's request: less than one token left."
            ),
            line(
                120_000,
                "Limiter admits client 0's request; 0.000 tokens left."
            ),
            line(
                140_000,
                "Limiter refuses client 0's request: less than one token left."
            ),
        ]
    );
    let s = &t.world().nodes[0].state;
    assert_eq!(
        (s.admitted, s.refused, t.world().nodes[0].workload.n_arrived),
        (4, 3, 7)
    );
    assert!(t.world().violations.is_empty());
}

#[test]
fn the_rate_bound_holds_under_a_bursty_fleet() {
    let mut t = Timeline::new(World::new(Solo(bucket(10, 50, bursty())), 2, vec![]));
    let _ = t.run_until(10_000_000, 20_000);
    let s = &t.world().nodes[0].state;
    // Each second banks at most the burst, then refills at the rate during
    // the 200 ms burst: about 10 + 10 of its 1,000 requests get in.
    assert!(
        (150..=250).contains(&s.admitted) && s.refused > 9_000,
        "admitted {}, refused {}",
        s.admitted,
        s.refused
    );
    assert_eq!(t.world().violations, vec![]);
}

/// The flawed script: a client every 200 ms at a bucket of 3 that gains 10
/// a second, then a flood of 10 at 1 s.
fn banked(flaw_uncapped: bool) -> Timeline<Solo<Bucket>> {
    let m = Bucket {
        flaw_uncapped,
        ..bucket(3, 10, steady(200_000))
    };
    let flood = Input::parse("cmd.0.flood-10", 1).expect("a valid link");
    let mut t = Timeline::new(World::new(Solo(m), 3, vec![(1_000_000, flood)]));
    let _ = t.run_until(1_000_000, 100);
    t
}

#[test]
fn breaking_the_cap_is_recorded_as_a_violation_not_a_panic() {
    let flood = |t: &Timeline<Solo<Bucket>>| {
        let r = t
            .records()
            .iter()
            .find(|r| matches!(r.note, Note::Proto(SoloNote::Model(BNote::Flood { .. }))))
            .expect("the flood");
        (r.step, t.world().narrate(&r.note))
    };
    let t = banked(true);
    let w = t.world();
    // Every 200 ms banks two tokens and spends one: 7 by 800 ms, 9 at the
    // flood (which comes before the arrival of the same instant, queued later).
    let (step, said) = flood(&t);
    assert_eq!(
        said,
        "A flood of 10 requests: Limiter admits 9 and refuses 1."
    );
    assert_eq!(w.violations.len(), 1);
    let v = &w.violations[0];
    assert_eq!(
        (v.invariant, v.step, v.time_us),
        ("Rate bound", step, 1_000_000)
    );
    assert_eq!(v.explanation, "Limiter admitted 9 requests between 1.000 s and 1.000 s; a burst of 3 at 10 per second allows at most 3.");
    assert_eq!(t.markers_from(0).last(), Some(&(step, Marker::Violation)));
    assert_eq!(t.records()[step as usize - 1].n_violations, 1);

    let t = banked(false);
    assert_eq!(
        flood(&t).1,
        "A flood of 10 requests: Limiter admits 3 and refuses 7."
    );
    assert!(t.world().violations.is_empty());
}

#[test]
fn commands_come_in_as_inputs_with_their_text_form() {
    let mut t = Timeline::new(World::new(Solo(bucket(3, 10, steady(20_000))), 1, vec![]));
    told(&mut t, 20_000);
    let drain: Input<BCmd> = Input::parse("cmd.0.drain", 1).unwrap();
    assert_eq!(drain.encode(), "cmd.0.drain");
    let r = t.inject(drain).unwrap().clone();
    assert_eq!(
        (r.time_us, t.world().narrate(&r.note)),
        (20_000, "Limiter's bucket is emptied.".into())
    );
    assert_eq!(
        told(&mut t, 40_000),
        vec![line(
            40_000,
            "Limiter refuses client 0's request: less than one token left."
        )]
    );
    for bad in [
        "cmd.0.flood-0",
        "cmd.0.flood-101",
        "cmd.0.fill",
        "cmd.1.drain",
    ] {
        assert!(Input::<BCmd>::parse(bad, 1).is_err(), "{bad}");
    }
    let r = t
        .inject(Input::Command(Who::Leader, BCmd::Drain))
        .unwrap()
        .clone();
    assert_eq!(
        t.world().narrate(&r.note),
        "Nothing happens: there is no leader."
    );
}

#[test]
fn a_solo_lab_gets_pauses_crashes_and_clocks_from_the_kernel() {
    let me = Who::Id(SOLO_NODE);
    let script = vec![
        (30_000, Input::Pause(me, 100_000)),
        (150_000, Input::Crash(me)),
        (300_000, Input::Restart(me)),
    ];
    let mut t = Timeline::new(World::new(Solo(bucket(100, 10, steady(20_000))), 1, script));
    told(&mut t, 29_999);
    let steps = told(&mut t, 140_000);
    // The arrival timer waits out the pause; then every overdue request is
    // handled at once, oldest first, as a queue behind a stalled service.
    assert_eq!(steps[0], line(30_000, "Limiter pauses for 100.0 ms (a stop-the-world pause, not a crash): it keeps its state but takes no steps until 130.0 ms."));
    assert_eq!(
        steps[1],
        line(
            40_000,
            "One of Limiter's timers is due, but Limiter is paused; it waits."
        )
    );
    assert_eq!(
        steps[2],
        line(
            130_000,
            "Limiter resumes after a 100.0 ms pause; 1 timer waited."
        )
    );
    assert_eq!(
        steps[3],
        line(
            130_000,
            "Limiter admits client 0's request, 90.0 ms after it arrived; 99.000 tokens left."
        )
    );
    assert_eq!(
        steps
            .iter()
            .filter(|(t, s)| *t == 130_000 && s.contains("admits"))
            .count(),
        5,
        "arrivals of 40 to 120 ms"
    );
    assert_eq!(
        steps.last(),
        Some(&line(
            140_000,
            "Limiter admits client 0's request; 94.100 tokens left."
        ))
    );
    // A crash stops the arrivals; at the restart the client starts afresh.
    assert_eq!(
        told(&mut t, 320_000),
        vec![
            line(
                150_000,
                "Limiter crashes; it keeps only its persistent state."
            ),
            line(300_000, "Limiter restarts; its bucket kept its tokens."),
            line(
                320_000,
                "Limiter admits client 0's request; 94.900 tokens left."
            ),
        ]
    );
}

#[test]
fn a_fast_clock_breaks_the_rate_bound_in_true_time() {
    // The bucket refills on its own clock: 10% fast, it admits 10% too many.
    let fast = Bucket {
        clock: ClockSpec {
            offset_us: 0,
            drift_ppm: 100_000,
        },
        ..bucket(5, 100, steady(1_000))
    };
    let mut t = Timeline::new(World::new(Solo(fast), 4, vec![]));
    let _ = t.run_until(2_000_000, 5_000);
    // Over the 19 ms from 1 to 20 ms its clock counts 20.9 ms: 5 + 2.09
    // tokens, where true time allows 5 + 1.9.
    let v = t.world().violations.first().expect("a violation");
    assert_eq!((v.invariant, v.step, v.time_us), ("Rate bound", 20, 20_000));
    assert_eq!(v.explanation, "Limiter admitted 7 requests between 1.0 ms and 20.0 ms; a burst of 5 at 100 per second allows at most 6.");
    let mut t = Timeline::new(World::new(Solo(bucket(5, 100, steady(1_000))), 4, vec![]));
    let _ = t.run_until(2_000_000, 5_000);
    assert!(
        t.world().violations.is_empty(),
        "a true clock keeps the promise"
    );
}

#[test]
fn solo_runs_are_deterministic_and_rewind_exactly() {
    let run = || {
        let spec = WorkloadSpec {
            streams: vec![
                Stream {
                    first_client: 0,
                    n_clients: 400,
                    process: Process::Poisson {
                        mean_gap_us: 2_000_000,
                    },
                },
                Stream {
                    first_client: 400,
                    n_clients: 100,
                    process: Process::Spike {
                        mean_gap_us: 5_000,
                        at_us: 1_000_000,
                        for_us: 200_000,
                    },
                },
            ],
        };
        let script = vec![
            (500_000, Input::Command(Who::Id(SOLO_NODE), BCmd::Flood(20))),
            (1_100_000, Input::Pause(Who::Id(SOLO_NODE), 50_000)),
        ];
        let mut t = Timeline::new(World::new(Solo(bucket(20, 200, spec)), 9, script));
        let _ = t.run_until(2_000_000, 8_000);
        t
    };
    let mut a = run();
    assert!(a.horizon() > 2_000, "{} steps", a.horizon());
    assert_eq!(a.trace_hash(), run().trace_hash());
    let digest = |t: &Timeline<Solo<Bucket>>| format!("{:?}", t.world());
    let end = a.cursor();
    let at_end = digest(&a);
    a.seek(end / 3);
    let at_third = digest(&a);
    for _ in 0..20 {
        a.back();
    }
    for _ in 0..20 {
        a.forward().unwrap();
    }
    assert_eq!(digest(&a), at_third);
    a.seek(end);
    assert_eq!(digest(&a), at_end);
}
