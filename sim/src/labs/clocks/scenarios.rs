//! Clocks scenarios. Each scripts its events at fixed virtual times over a
//! fixed latency with the random workload off (but the free play), so it
//! tells the same story for every seed.

use super::event::EventId;
use super::stamps::hlc_pt;
use super::{
    happens_before, logs, signed, Clocks, ClocksConfig, Cmd, Lww, Safety, EXTERNAL_CONSISTENCY,
    HLC_CLOSE, LAMPORT_CONDITION, NO_LOST_UPDATE, VECTORS_CHARACTERISE,
};
use crate::kernel::{Input, NodeId, TimeUs, Who, World};
use crate::labs::Scenario;

type Script = Vec<(TimeUs, Input<Cmd>)>;

fn at(t_ms: u64, p: u8, cmd: Cmd) -> (TimeUs, Input<Cmd>) {
    (t_ms * 1000, Input::Command(Who::Id(NodeId(p)), cmd))
}

/// `n` processes, no workload, a fixed 10 ms latency, perfect clocks.
pub fn quiet(n: u8) -> ClocksConfig {
    ClocksConfig {
        n_procs: n,
        local_ms: 0,
        send_ms: 0,
        write_ms: 0,
        txn_ms: 0,
        latency_us_min: 10_000,
        latency_us_max: 10_000,
        offset_ms: vec![0; n as usize],
        drift_ppm: vec![0; n as usize],
        ..ClocksConfig::default()
    }
}

fn violated(w: &World<Clocks>, name: &str) -> bool {
    w.violations.iter().any(|v| v.invariant == name)
}

fn no_violations(w: &World<Clocks>) -> Result<(), String> {
    match w.violations.first() {
        None => Ok(()),
        Some(v) => Err(format!(
            "unexpected violation: {} at step {}: {}",
            v.invariant, v.step, v.explanation
        )),
    }
}

fn expect_violation(w: &World<Clocks>, name: &str) -> Result<(), String> {
    if violated(w, name) {
        Ok(())
    } else {
        Err(format!(
            "{name} never broke ({} violations: {:?})",
            w.violations.len(),
            w.violations.iter().map(|v| v.invariant).collect::<Vec<_>>()
        ))
    }
}

/// Values process `p` holds for key `k`, sorted.
pub fn values(w: &World<Clocks>, p: usize, k: u8) -> Vec<u32> {
    let mut v: Vec<u32> = w.nodes[p]
        .store
        .get(&k)
        .map(|vs| vs.iter().map(|x| x.value).collect())
        .unwrap_or_default();
    v.sort_unstable();
    v
}

/// A pair of concurrent events that Lamport orders against true time:
/// the later one in true time has the smaller Lamport stamp.
pub fn lamport_misleads(w: &World<Clocks>) -> Option<(EventId, EventId)> {
    let logs = logs(w);
    let all: Vec<_> = logs.iter().flat_map(|l| l.iter()).collect();
    for a in &all {
        for b in &all {
            if a.true_us < b.true_us
                && b.stamps.lamport < a.stamps.lamport
                && !happens_before(&logs, a.id, b.id)
                && !happens_before(&logs, b.id, a.id)
            {
                return Some((a.id, b.id));
            }
        }
    }
    None
}

/// A pair of concurrent events whose vectors are incomparable although their Lamport stamps differ.
pub fn vectors_expose(w: &World<Clocks>) -> Option<(EventId, EventId)> {
    let logs = logs(w);
    let all: Vec<_> = logs.iter().flat_map(|l| l.iter()).collect();
    for a in &all {
        for b in &all {
            if a.stamps.lamport < b.stamps.lamport
                && a.stamps.vector.concurrent(&b.stamps.vector)
                && !happens_before(&logs, a.id, b.id)
            {
                return Some((a.id, b.id));
            }
        }
    }
    None
}

fn five_locals_then(extra: Script) -> Script {
    let mut s: Script = (1..=5).map(|i| at(10 * i, 0, Cmd::Local)).collect();
    s.extend(extra);
    s
}

fn commit_script() -> Script {
    vec![
        at(100, 0, Cmd::Commit),
        at(102, 1, Cmd::Commit),
        at(120, 1, Cmd::Commit),
    ]
}

fn truetime(safety: Safety) -> Clocks {
    Clocks::new(ClocksConfig {
        tt_eps_us: 5_000,
        offset_ms: vec![4, -4],
        safety,
        ..quiet(2)
    })
}

fn lww_script() -> Script {
    vec![
        at(100, 0, Cmd::Write { key: 0, value: 1 }),
        at(150, 1, Cmd::Write { key: 0, value: 2 }),
    ]
}

fn ping_pong(counter: bool) -> Clocks {
    let safety = Safety {
        hlc_counter: counter,
        ..Safety::default()
    };
    Clocks::new(ClocksConfig {
        latency_us_min: 100,
        latency_us_max: 100,
        safety,
        ..quiet(2)
    })
}

/// Every transaction acknowledged, with its latency in µs.
pub fn commit_latencies(w: &World<Clocks>) -> Vec<u64> {
    w.nodes
        .iter()
        .flat_map(|p| &p.txns)
        .filter_map(|t| t.ack_true_us.map(|a| a - t.start_true_us))
        .collect()
}

pub fn all() -> Vec<Scenario<Clocks>> {
    vec![
        Scenario {
            id: "free-play",
            title: "Free play",
            summary: "Three processes on slightly skewed, drifting clocks, synced every second, send messages, write and commit at random.",
            notice: "Switch the clock the diagram shows: every event keeps its place, only its label changes. Click an event to see its causal past and future; everything grey is concurrent with it, whatever the wall clocks say.",
            proto: Clocks::new(ClocksConfig { offset_ms: vec![0, 3, -2], drift_ppm: vec![0, 50, -50], sync_ms: 1_000, ..ClocksConfig::default() }),
            seed: 1,
            script: vec![],
            pause_ms: 0,
            expect: |w| {
                if super::all_events(w).len() < 20 {
                    return Err("too few events to show anything".into());
                }
                no_violations(w)
            },
        },
        Scenario {
            id: "reply-before-request",
            title: "A reply stamped before its request",
            summary: "P2's clock is 200 ms behind. At 100 ms, P1 sends P2 a request, which P2 answers at once.",
            notice: "By the wall clocks, P2 received the request 190 ms before P1 sent it, and replied before it was asked. Causality is plain in the diagram; wall-clock timestamps under skew can say the opposite. Lamport, vector and HLC stamps all put the reply after the request.",
            proto: Clocks::new(ClocksConfig { offset_ms: vec![0, -200], ..quiet(2) }),
            seed: 1,
            script: vec![at(100, 0, Cmd::Request { to: 1, rounds: 1 })],
            pause_ms: 200,
            expect: |w| {
                let o = w.checker.observations.iter().find(|o| o.event.process == 1).ok_or("P2's receive was not stamped before the send")?;
                if o.by_us < 150_000 {
                    return Err(format!("the receive is stamped only {} µs early", o.by_us));
                }
                no_violations(w)
            },
        },
        Scenario {
            id: "lamport-arbitrary",
            title: "Lamport orders concurrent events arbitrarily",
            summary: "P1 has five local events in its first 50 ms; at 60 ms P2 has its first. No message passes between them.",
            notice: "P2's event gets Lamport stamp 1, below four of P1's earlier events: Lamport clocks order every pair, but between concurrent events the order means nothing, not even real-time order. C(a) < C(b) does not imply a → b.",
            proto: Clocks::new(quiet(3)),
            seed: 1,
            script: five_locals_then(vec![at(60, 1, Cmd::Local)]),
            pause_ms: 100,
            expect: |w| {
                lamport_misleads(w).ok_or("no concurrent pair that Lamport orders against real time")?;
                no_violations(w)
            },
        },
        Scenario {
            id: "vectors-expose-concurrency",
            title: "Vector clocks expose concurrency",
            summary: "As before, then P1 sends to P3 at 55 ms and P2 has a local event at 60 ms.",
            notice: "P2's [0,1,0] and P1's [5,0,0] are incomparable: neither is below the other, so the events are concurrent, which Lamport's 1 and 5 could not say. P3's receive, [6,0,1], is above P1's send, [6,0,0]: that one is causal.",
            proto: Clocks::new(quiet(3)),
            seed: 1,
            script: five_locals_then(vec![at(55, 0, Cmd::Send { to: 2 }), at(60, 1, Cmd::Local)]),
            pause_ms: 100,
            expect: |w| {
                vectors_expose(w).ok_or("no concurrent pair with incomparable vectors")?;
                no_violations(w)
            },
        },
        Scenario {
            id: "lww-lost-update",
            title: "Last-writer-wins loses a causally later write",
            summary: "P1's clock is 300 ms fast; the store keeps the write with the highest wall-clock stamp. P1 writes k0 = 1 at 100 ms; P2 applies it, then writes k0 = 2 at 150 ms.",
            notice: "P2's write comes after P1's (P2 had applied it), yet P1's fast clock stamped its write 250 ms later than P2's. Every store keeps 1 and silently drops 2: a lost update. Set the store to version vectors, HLC or Lamport and 2 wins.",
            proto: Clocks::new(ClocksConfig { lww: Lww::Wall, offset_ms: vec![300, 0, 0], ..quiet(3) }),
            seed: 1,
            script: lww_script(),
            pause_ms: 250,
            expect: |w| {
                expect_violation(w, NO_LOST_UPDATE.name)?;
                if (0..3).any(|p| values(w, p, 0) != [1]) {
                    return Err(format!("expected every store to hold 1, got {:?}", (0..3).map(|p| values(w, p, 0)).collect::<Vec<_>>()));
                }
                Ok(())
            },
        },
        Scenario {
            id: "version-vectors",
            title: "Version vectors keep concurrent writes",
            summary: "Version vectors instead of last-writer-wins. P1 (300 ms fast) writes k0 = 1 at 100 ms; P3 writes k0 = 3 at 105 ms, before P1's write reaches it.",
            notice: "Neither write saw the other: their vectors are incomparable, so every store keeps both as siblings instead of letting P1's fast clock pick. The next write that has seen both replaces them.",
            proto: Clocks::new(ClocksConfig { lww: Lww::VersionVectors, offset_ms: vec![300, 0, 0], ..quiet(3) }),
            seed: 1,
            script: vec![at(100, 0, Cmd::Write { key: 0, value: 1 }), at(105, 2, Cmd::Write { key: 0, value: 3 })],
            pause_ms: 200,
            expect: |w| {
                if (0..3).any(|p| values(w, p, 0) != [1, 3]) {
                    return Err(format!("expected siblings 1 and 3 everywhere, got {:?}", (0..3).map(|p| values(w, p, 0)).collect::<Vec<_>>()));
                }
                no_violations(w)
            },
        },
        Scenario {
            id: "hlc-one-fast-clock",
            title: "HLC stays close to physical time, one clock 200 ms fast",
            summary: "P1's clock is 200 ms fast. Everyone sends messages every 50 ms on average for two seconds.",
            notice: "Once P1's messages arrive, the other processes' l jumps to P1's time and stays there, up to 200 ms ahead of their own clocks and never more: l − pt ≤ ε. Where l does not move, c counts. Lamport stamps, by contrast, bear no relation to time at all.",
            proto: Clocks::new(ClocksConfig {
                send_ms: 50,
                local_ms: 100,
                latency_us_min: 5_000,
                latency_us_max: 20_000,
                offset_ms: vec![200, 0, 0],
                ..quiet(3)
            }),
            seed: 1,
            script: vec![],
            pause_ms: 2_000,
            expect: |w| {
                let tick = w.proto.config.hlc_tick_us as i64;
                if w.checker.max_l_minus_pt * tick < 150_000 {
                    return Err(format!("l − pt reached only {} ticks", w.checker.max_l_minus_pt));
                }
                for e in super::all_events(w) {
                    let ahead = e.stamps.hlc.l * tick - signed(e.true_us);
                    if ahead > 200_000 + tick {
                        return Err(format!("{} has l {} µs ahead of true time", e.id.label(), ahead));
                    }
                }
                no_violations(w)
            },
        },
        Scenario {
            id: "commit-wait",
            title: "Commit wait: external consistency for 2ε",
            summary: "TrueTime's ε is 5 ms; P1's clock is 4 ms fast, P2's 4 ms slow. P1 commits at 100 ms, P2 at 102 ms and 120 ms.",
            notice: "Each transaction takes s = TT.now().latest and waits until TT.now().earliest > s: about 2ε = 10 ms. P2's second transaction starts after P1's was acknowledged, and its s is larger, although P2's clock is 8 ms behind P1's.",
            proto: truetime(Safety::default()),
            seed: 1,
            script: commit_script(),
            pause_ms: 200,
            expect: |w| {
                let lat = commit_latencies(w);
                if lat.len() != 3 || lat.iter().any(|l| !(10_000..=11_000).contains(l)) {
                    return Err(format!("expected three commits of about 10 ms, got {lat:?}"));
                }
                no_violations(w)
            },
        },
        Scenario {
            id: "commit-wait-off",
            title: "No commit wait: a later transaction gets an earlier timestamp",
            summary: "As before, with commit wait switched off: every transaction is acknowledged as soon as it picks s.",
            notice: "P1's transaction is acknowledged at 100 ms with s = 109 ms. P2's starts 2 ms later, in real time after it, but P2's clock is behind and it picks s = 103 ms: external consistency is broken. Commit wait is what turns TrueTime's bounded uncertainty into real-time order.",
            proto: truetime(Safety { commit_wait: false, ..Safety::default() }),
            seed: 1,
            script: commit_script(),
            pause_ms: 200,
            expect: |w| {
                expect_violation(w, EXTERNAL_CONSISTENCY.name)?;
                if commit_latencies(w).iter().any(|l| *l != 0) {
                    return Err("a commit waited".into());
                }
                Ok(())
            },
        },
        Scenario {
            id: "lamport-no-max",
            title: "Lamport receive without the max",
            summary: "The Lamport switch is off: a receive only ticks. P1 has four local events, then sends to P2 at 50 ms.",
            notice: "P1's send has stamp 5, P2's receive gets 1: the receive is stamped before the send that caused it, and the clock condition breaks at once.",
            proto: Clocks::new(ClocksConfig { safety: Safety { lamport_max: false, ..Safety::default() }, ..quiet(2) }),
            seed: 1,
            script: {
                let mut s: Script = (1..=4).map(|i| at(10 * i, 0, Cmd::Local)).collect();
                s.push(at(50, 0, Cmd::Send { to: 1 }));
                s
            },
            pause_ms: 100,
            expect: |w| expect_violation(w, LAMPORT_CONDITION.name),
        },
        Scenario {
            id: "vector-no-max",
            title: "Vector merge without the element-wise max",
            summary: "The vector switch is off: a receive copies the message's entries. P3 sends to P1 at 10 ms, then P2 sends to P1 at 30 ms.",
            notice: "P1 first learns of P3 ([1,0,1]); then P2's message, which knows nothing of P3, overwrites that entry: [2,1,0]. P3's send happened before P1's second receive, but the vectors no longer say so.",
            proto: Clocks::new(ClocksConfig { safety: Safety { vector_max: false, ..Safety::default() }, ..quiet(3) }),
            seed: 1,
            script: vec![at(10, 2, Cmd::Send { to: 0 }), at(30, 1, Cmd::Send { to: 0 })],
            pause_ms: 100,
            expect: |w| expect_violation(w, VECTORS_CHARACTERISE.name),
        },
        Scenario {
            id: "hlc-counter",
            title: "Fast messages: HLC counts in c",
            summary: "Two processes on perfect clocks play 200 rounds of ping-pong over a 0.1 ms link, faster than the HLC's 1 ms tick.",
            notice: "Within one tick, l cannot move, so c counts the events; when the clock ticks, c starts again at 0. l never leaves physical time.",
            proto: ping_pong(true),
            seed: 1,
            script: vec![at(10, 0, Cmd::Request { to: 1, rounds: 200 })],
            pause_ms: 60,
            expect: |w| {
                if w.checker.max_c < 5 || w.checker.max_l_minus_pt > 0 {
                    return Err(format!("max c {} and l − pt {}", w.checker.max_c, w.checker.max_l_minus_pt));
                }
                no_violations(w)
            },
        },
        Scenario {
            id: "naive-hlc",
            title: "A naive HLC runs away from physical time",
            summary: "The same ping-pong with the HLC switch off: the paper's naive algorithm, which pushes l one tick past the clock at every event.",
            notice: "Every event adds a tick to l, ten of them per millisecond here: within 40 ms, l is hundreds of milliseconds ahead of every clock in the system, and l − pt ≤ ε breaks. The counter c is what lets HLC order fast events without leaving physical time.",
            proto: ping_pong(false),
            seed: 1,
            script: vec![at(10, 0, Cmd::Request { to: 1, rounds: 200 })],
            pause_ms: 60,
            expect: |w| {
                expect_violation(w, HLC_CLOSE.name)?;
                let last = super::all_events(w).last().map(|e| e.stamps.hlc.l - hlc_pt(e.stamps.wall_us, w.proto.config.hlc_tick_us)).unwrap_or(0);
                if last < 100 {
                    return Err(format!("l is only {last} ticks ahead at the end"));
                }
                Ok(())
            },
        },
    ]
}

/// The events of kind `kind` (by name) at process `p`.
pub fn events_of(w: &World<Clocks>, p: usize, kind: &str) -> Vec<EventId> {
    w.nodes[p]
        .events
        .iter()
        .filter(|e| e.kind.name() == kind)
        .map(|e| e.id)
        .collect()
}
