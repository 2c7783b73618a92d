//! Scenarios for the CAP lab ([`cap`]) and the Quorum lab ([`quorum`]).
//! Every one uses a fixed 10 ms latency and no automatic workload, so
//! nothing in it draws from the RNG: it tells the same story for every
//! seed.

use super::client::Outcome;
use super::version::values;
use super::{Cmd, Conflict, Mode, RegNode, Register, RegisterConfig, Safety};
use crate::history::Value;
use crate::kernel::{Input, NodeId, TimeUs, Who, World};
use crate::labs::Scenario;

type Script = Vec<(TimeUs, Input<Cmd>)>;

fn r(i: u8) -> NodeId {
    NodeId(i - 1)
}
fn at(t_ms: u64, input: Input<Cmd>) -> (TimeUs, Input<Cmd>) {
    (t_ms * 1000, input)
}
/// Client `c` (1-based) of a run with `n` replicas.
fn cl(n: u8, c: u8) -> NodeId {
    NodeId(n + c - 1)
}
fn write(n: u8, c: u8, value: u32, via: u8) -> Input<Cmd> {
    Input::Command(
        Who::Id(cl(n, c)),
        Cmd::Write {
            value,
            via: Some(r(via)),
        },
    )
}
fn read(n: u8, c: u8, via: u8) -> Input<Cmd> {
    Input::Command(Who::Id(cl(n, c)), Cmd::Read { via: Some(r(via)) })
}

/// Fixed 10 ms latency, 200 ms operation timeout, five replicas, two clients.
fn scripted(mode: Mode) -> RegisterConfig {
    RegisterConfig {
        mode,
        latency_us_min: 10_000,
        latency_us_max: 10_000,
        op_timeout_ms: 200,
        ae_ms: 100,
        handoff_ms: 100,
        ..RegisterConfig::default()
    }
}

fn three(mode: Mode) -> RegisterConfig {
    RegisterConfig {
        n_replicas: 3,
        rf: 3,
        skew_ms: vec![0; 3],
        ..scripted(mode)
    }
}

// ---- Helpers for `expect` ---------------------------------------------------

/// Client `c`'s operation `idx` (both 1-based).
pub fn op(w: &World<Register>, c: u8, idx: usize) -> Result<&super::OpRecord, String> {
    let node = w.proto.client_node(c - 1);
    w.nodes
        .get(node.idx())
        .and_then(RegNode::client)
        .and_then(|k| k.ops.get(idx - 1))
        .ok_or_else(|| format!("C{c} has no operation {idx}"))
}

fn read_values(w: &World<Register>, c: u8, idx: usize) -> Result<Vec<Value>, String> {
    let o = op(w, c, idx)?;
    if o.outcome != Outcome::Ok {
        return Err(format!(
            "C{c}'s operation {idx} is {:?}, not served",
            o.outcome
        ));
    }
    Ok(values(&o.read))
}

fn replica_values(w: &World<Register>) -> Vec<Vec<Value>> {
    w.nodes
        .iter()
        .filter_map(RegNode::replica)
        .map(|r| values(&r.versions))
        .collect()
}

fn violated(w: &World<Register>, name: &str) -> bool {
    w.violations.iter().any(|v| v.invariant == name)
}

fn no_violations(w: &World<Register>) -> Result<(), String> {
    match w.violations.first() {
        None => Ok(()),
        Some(v) => Err(format!(
            "unexpected violation: {} at step {}: {}",
            v.invariant, v.step, v.explanation
        )),
    }
}

fn require(w: &World<Register>, names: &[&str]) -> Result<(), String> {
    for n in names {
        if !violated(w, n) {
            return Err(format!("expected a {n} violation"));
        }
    }
    Ok(())
}

fn flags(w: &World<Register>, c: u8, idx: usize) -> super::OpFlags {
    w.checker.flags(c - 1, idx as u32 - 1)
}

// ---- The CAP lab ------------------------------------------------------------

/// A partition splits five replicas 2 | 3, with C1 on the minority side
/// and C2 on the majority side.
fn split(n: u8) -> Input<Cmd> {
    Input::Partition(vec![vec![r(1), r(2), cl(n, 1)]])
}

pub fn cap() -> Vec<Scenario<Register>> {
    vec![
        Scenario {
            id: "ap-stale-read",
            title: "AP: a stale read on the minority side",
            summary: "AP mode, five replicas. C1 writes 1; then the network splits {R1, R2, C1} | {R3, R4, R5, C2}. C2 writes 2 on the majority side, and C1 reads on the minority side.",
            notice: "Both sides keep serving: nobody is refused. But C1's read returns 1 after C2's write of 2 had finished: a stale read, so the register is not linearizable. That is the AP choice during a partition: available, not consistent.",
            proto: Register::new(scripted(Mode::Ap)),
            seed: 1,
            script: vec![
                at(0, write(5, 1, 1, 1)),
                at(100, split(5)),
                at(150, write(5, 2, 2, 3)),
                at(250, read(5, 1, 1)),
                at(250, read(5, 2, 3)),
                at(400, Input::Heal),
            ],
            pause_ms: 300,
            expect: |w| {
                if read_values(w, 1, 2)? != vec![1] || read_values(w, 2, 2)? != vec![2] {
                    return Err("expected C1 to read 1 and C2 to read 2".into());
                }
                if !flags(w, 1, 2).stale {
                    return Err("C1's read is not flagged stale".into());
                }
                let c = super::counters(w);
                if c.minority.served() != 1 || c.majority.served() != 2 || c.total().not_served() != 0 {
                    return Err(format!("expected every operation served: {c:?}"));
                }
                require(w, &["No stale reads"])
            },
        },
        Scenario {
            id: "cp-refuses-minority",
            title: "CP: the minority side refuses",
            summary: "CP mode (ABD majority quorums), five replicas. C1 writes 1; the network splits {R1, R2, C1} | {R3, R4, R5, C2}; then both clients write.",
            notice: "R1 cannot hear from three replicas, so after its 200 ms timeout it refuses C1's write: unavailable. It is certain the write had no effect, because phase 1 only reads. C2's write on the majority side succeeds, and C2's read returns it. No stale read is possible: CP gives up availability on the minority side instead.",
            proto: Register::new(scripted(Mode::Cp)),
            seed: 2,
            script: vec![
                at(0, write(5, 1, 1, 1)),
                at(100, split(5)),
                at(150, write(5, 1, 2, 1)),
                at(150, write(5, 2, 3, 3)),
                at(400, read(5, 2, 3)),
            ],
            pause_ms: 500,
            expect: |w| {
                if op(w, 1, 2)?.outcome != Outcome::Unavailable {
                    return Err(format!("C1's write on the minority side is {:?}", op(w, 1, 2)?.outcome));
                }
                if read_values(w, 2, 2)? != vec![3] {
                    return Err("C2 did not read its own write".into());
                }
                let c = super::counters(w);
                if c.minority.refused != 1 || c.majority.served() != 2 {
                    return Err(format!("unexpected counters: {c:?}"));
                }
                no_violations(w)
            },
        },
        Scenario {
            id: "ap-lww-lost-update",
            title: "AP: last-writer-wins loses an update",
            summary: "AP with last-writer-wins; R1's clock runs 500 ms fast. During a partition, C1 writes 1 through R1, and 100 ms later C2 writes 2 through R3. The network heals and anti-entropy reconciles.",
            notice: "C2's write happened later, but R1 stamped C1's write with its fast clock, so every replica keeps 1 and silently discards 2, a write that was acknowledged. C2 then reads 1: its own write is gone. Highest timestamp wins only when clocks agree; version vectors would have kept both.",
            proto: Register::new(RegisterConfig { mode: Mode::Ap, skew_ms: vec![500, 0, 0, 0, 0], ..scripted(Mode::Ap) }),
            seed: 3,
            script: vec![
                at(0, split(5)),
                at(50, write(5, 1, 1, 1)),
                at(150, write(5, 2, 2, 3)),
                at(250, Input::Heal),
                at(900, read(5, 2, 3)),
            ],
            pause_ms: 1000,
            expect: |w| {
                if replica_values(w).iter().any(|v| *v != vec![1]) {
                    return Err(format!("replicas should all hold 1: {:?}", replica_values(w)));
                }
                if !flags(w, 2, 1).lost {
                    return Err("C2's write is not flagged lost".into());
                }
                if read_values(w, 2, 2)? != vec![1] {
                    return Err("C2 should read 1".into());
                }
                require(w, &["No lost writes", "No stale reads"])
            },
        },
        Scenario {
            id: "ap-siblings",
            title: "AP: version vectors keep concurrent writes",
            summary: "The same partition and writes as the lost update, with version vectors instead of timestamps. After the heal, C1 reads, then writes 3.",
            notice: "Neither write's vector dominates the other, so anti-entropy keeps both: C1's read returns siblings 1 and 2. C1's next write carries the context of that read, so its vector dominates both siblings and replaces them everywhere. Nothing was silently lost; the application had to merge.",
            proto: Register::new(RegisterConfig { mode: Mode::Ap, conflict: Conflict::VersionVectors, ..scripted(Mode::Ap) }),
            seed: 4,
            script: vec![
                at(0, split(5)),
                at(50, write(5, 1, 1, 1)),
                at(150, write(5, 2, 2, 3)),
                at(250, Input::Heal),
                at(900, read(5, 1, 1)),
                at(1000, write(5, 1, 3, 1)),
            ],
            pause_ms: 1100,
            expect: |w| {
                if read_values(w, 1, 2)? != vec![1, 2] {
                    return Err(format!("C1's read returned {:?}, expected siblings [1, 2]", read_values(w, 1, 2)?));
                }
                if replica_values(w).iter().any(|v| *v != vec![3]) {
                    return Err(format!("replicas should all hold 3: {:?}", replica_values(w)));
                }
                if violated(w, "No lost writes") || violated(w, "Convergence") {
                    return Err("no write should be lost".into());
                }
                Ok(())
            },
        },
        Scenario {
            id: "ap-no-anti-entropy",
            title: "AP without anti-entropy never converges",
            summary: "AP with anti-entropy off. During a partition each side writes; then the network heals and stays quiet.",
            notice: "Background replication was dropped by the partition and nothing repairs it: R1 and R2 keep 1 while R3, R4 and R5 keep 2, long after the heal. The Convergence invariant breaks once the settle period has passed (the read at 1.8 s gives the checker a step to notice).",
            proto: Register::new(RegisterConfig { mode: Mode::Ap, ae_ms: 0, ..scripted(Mode::Ap) }),
            seed: 5,
            script: vec![
                at(0, split(5)),
                at(50, write(5, 1, 1, 1)),
                at(150, write(5, 2, 2, 3)),
                at(250, Input::Heal),
                at(1800, read(5, 1, 1)),
            ],
            pause_ms: 1900,
            expect: |w| {
                let vals = replica_values(w);
                if vals != vec![vec![1], vec![1], vec![2], vec![2], vec![2]] {
                    return Err(format!("replicas should still disagree: {vals:?}"));
                }
                require(w, &["Convergence"])
            },
        },
        cp_write_back(true),
        cp_write_back(false),
        Scenario {
            id: "cp-no-write-query",
            title: "CP without phase 1: a lost write",
            summary: "CP with the query-before-write switch off: a coordinator stamps a write from its own copy. R3 is cut off while C1 writes 1 and 2; after the heal, C2 writes 3 through R3, then reads through R2.",
            notice: "R3 missed both writes, so it stamps 3 with counter 1, lower than the counter of 2. R1 and R2 ignore it but still acknowledge, so C2 is told it succeeded. C2's read returns 2 and writes it back, erasing 3 from R3: an acknowledged write is lost and the read is stale. Phase 1 exists so that a new write's timestamp exceeds every finished write's.",
            proto: Register::new(RegisterConfig { safety: Safety { write_query: false, ..Safety::default() }, n_clients: 2, ..three(Mode::Cp) }),
            seed: 7,
            script: vec![
                at(0, Input::Isolate(Who::Id(r(3)))),
                at(10, write(3, 1, 1, 1)),
                at(100, write(3, 1, 2, 1)),
                at(200, Input::Heal),
                at(250, write(3, 2, 3, 3)),
                at(350, read(3, 2, 2)),
            ],
            pause_ms: 500,
            expect: |w| {
                if op(w, 2, 1)?.outcome != Outcome::Ok {
                    return Err("C2's write should be acknowledged".into());
                }
                if read_values(w, 2, 2)? != vec![2] {
                    return Err("C2's read should return 2".into());
                }
                require(w, &["No lost writes", "No stale reads"])
            },
        },
        Scenario {
            id: "latency-cp",
            title: "PACELC: the price of consistency without a partition",
            summary: "CP mode with no fault at all. C1 writes, then C2 reads; one-way latency is 10 ms.",
            notice: "Each operation takes 60 ms: the client's round trip plus two round trips to a majority (phase 1, then the store or the read's write-back). Load the AP latency scenario: the same operations take 20 ms. Even when nothing fails, consistency costs latency (the \"else\" of PACELC).",
            proto: Register::new(scripted(Mode::Cp)),
            seed: 8,
            script: vec![at(0, write(5, 1, 1, 1)), at(100, read(5, 2, 3))],
            pause_ms: 200,
            expect: |w| {
                let c = super::counters(w).whole;
                if c.mean_write_latency_us() != Some(60_000) || c.mean_read_latency_us() != Some(60_000) {
                    return Err(format!("expected 60 ms operations: {c:?}"));
                }
                no_violations(w)
            },
        },
        Scenario {
            id: "latency-ap",
            title: "PACELC: AP answers in one round trip",
            summary: "AP mode with no fault at all. C1 writes, then C2 reads; one-way latency is 10 ms.",
            notice: "Each operation takes 20 ms, the client's own round trip: the coordinator answers from its copy and replicates in the background. Compare with the CP latency scenario's 60 ms. With no partition the read is fresh here only because replication won the race.",
            proto: Register::new(scripted(Mode::Ap)),
            seed: 9,
            script: vec![at(0, write(5, 1, 1, 1)), at(100, read(5, 2, 3))],
            pause_ms: 200,
            expect: |w| {
                let c = super::counters(w).whole;
                if c.mean_write_latency_us() != Some(20_000) || c.mean_read_latency_us() != Some(20_000) {
                    return Err(format!("expected 20 ms operations: {c:?}"));
                }
                if read_values(w, 2, 1)? != vec![1] {
                    return Err("C2 should read 1".into());
                }
                no_violations(w)
            },
        },
    ]
}

/// The new-old inversion script. C1's write of 2 reaches only R1 before R1
/// is cut off; after a heal C2 reads 2 through R1; R1 is cut off again and
/// C3 reads through R3.
fn cp_write_back(on: bool) -> Scenario<Register> {
    let n = 3;
    let iso_r1 = || Input::Partition(vec![vec![r(1), cl(n, 1)]]);
    // C2 stays with R1 so that the safe variant's answer reaches it.
    let iso_r1_c2 = || Input::Partition(vec![vec![r(1), cl(n, 1), cl(n, 2)]]);
    let script: Script = vec![
        at(0, write(n, 1, 1, 1)),
        at(100, write(n, 1, 2, 1)),
        at(135, iso_r1()),
        at(200, Input::Heal),
        at(210, read(n, 2, 1)),
        at(265, iso_r1_c2()),
        at(270, read(n, 3, 3)),
    ];
    let safety = Safety {
        read_write_back: on,
        ..Safety::default()
    };
    let proto = Register::new(RegisterConfig {
        n_clients: 3,
        safety,
        ..three(Mode::Cp)
    });
    if on {
        Scenario {
            id: "cp-write-back",
            title: "CP: why a read writes back",
            summary: "CP, three replicas, three clients. C1's write of 2 reaches only R1 before R1 is cut off (the write is left unfinished). After a heal, C2 reads through R1; then R1 is cut off again and C3 reads through R3.",
            notice: "C2's read sees 2 on R1, and before answering writes it back to a majority (R1 and R2). So C3's read, which cannot reach R1, still finds 2 on R2. Once any read has returned a value, every later read returns it or something newer.",
            proto,
            seed: 6,
            script,
            pause_ms: 400,
            expect: |w| {
                if read_values(w, 2, 1)? != vec![2] || read_values(w, 3, 1)? != vec![2] {
                    return Err("both reads should return 2".into());
                }
                no_violations(w)
            },
        }
    } else {
        Scenario {
            id: "cp-inversion",
            title: "CP without the write-back: new-old inversion",
            summary: "The same script with the read write-back switched off.",
            notice: "C2's read returns 2 straight from the majority it heard (R1 and R2), without writing it back. C3's read then hears R3 and R2, which both still hold 1, and returns 1: a later read returns an older value than an earlier one. Every single read saw a majority, yet the register is not linearizable.",
            proto,
            seed: 6,
            script,
            pause_ms: 400,
            expect: |w| {
                if read_values(w, 2, 1)? != vec![2] || read_values(w, 3, 1)? != vec![1] {
                    return Err("C2 should read 2 and C3 then read 1".into());
                }
                if !flags(w, 3, 1).inversion {
                    return Err("C3's read is not flagged as an inversion".into());
                }
                require(w, &["No new-old inversion"])
            },
        }
    }
}

// ---- The Quorum lab ---------------------------------------------------------

fn quorum_cfg(w: u8, rd: u8) -> RegisterConfig {
    RegisterConfig {
        w,
        r: rd,
        ae_ms: 0,
        ..three(Mode::Quorum)
    }
}

/// C1 writes 1 through R1 while the link R1 → R3 is cut, so R3 misses it.
fn r3_misses_the_write() -> Script {
    vec![at(0, Input::Cut(r(1), r(3))), at(10, write(3, 1, 1, 1))]
}

pub fn quorum() -> Vec<Scenario<Register>> {
    vec![
        Scenario {
            id: "quorum-overlap",
            title: "W + R > N: read and write quorums overlap",
            summary: "N = 3, W = 2, R = 2, no read repair, no anti-entropy. The link R1 → R3 is cut, so C1's write of 1 reaches R1 and R2 only. Then C2 reads through R3.",
            notice: "R3 itself is stale, and R1's reply cannot reach it, yet the read returns 1: any two replicas out of three include one of the two that acknowledged the write (here R2). Overlap is a counting argument. R3 stays stale afterwards; nothing repairs it in this configuration.",
            proto: Register::new(quorum_cfg(2, 2)),
            seed: 10,
            script: {
                let mut s = r3_misses_the_write();
                s.push(at(100, read(3, 2, 3)));
                s
            },
            pause_ms: 200,
            expect: |w| {
                if read_values(w, 2, 1)? != vec![1] {
                    return Err("C2 should read 1".into());
                }
                if replica_values(w)[2] != Vec::<Value>::new() {
                    return Err("R3 should still be empty".into());
                }
                no_violations(w)
            },
        },
        Scenario {
            id: "quorum-stale",
            title: "W + R ≤ N: a stale read",
            summary: "The same script with N = 3, W = 1, R = 1.",
            notice: "R1 acknowledges C1's write alone (W = 1), and R3 answers C2's read alone (R = 1): the two sets share no replica, so the read returns the empty register after the write finished. Both Quorum overlap and No stale reads break. Lower W and R buy latency with consistency.",
            proto: Register::new(quorum_cfg(1, 1)),
            seed: 11,
            script: {
                let mut s = r3_misses_the_write();
                s.push(at(100, read(3, 2, 3)));
                s
            },
            pause_ms: 200,
            expect: |w| {
                if !read_values(w, 2, 1)?.is_empty() {
                    return Err("C2 should read the empty register".into());
                }
                let f = flags(w, 2, 1);
                if !(f.stale && f.no_overlap) {
                    return Err(format!("C2's read flags: {f:?}"));
                }
                require(w, &["Quorum overlap", "No stale reads"])
            },
        },
        Scenario {
            id: "sloppy-quorum",
            title: "Sloppy quorum: W + R > N without overlap",
            summary: "Five nodes, N = 3 (R1, R2, R3 hold the register), W = 2, R = 2, sloppy quorum on. The network splits {R1, R4, R5, C1} | {R2, R3, C2}. C1 writes 1; C2 reads; the network heals; C2 reads again.",
            notice: "R2 and R3 are unreachable, so R1 writes to stand-ins R4 and R5 with hints and acknowledges after R4's ack: W = 2 is met. C2's read hears R2 and R3, two of the N, and returns the empty register: the write's set {R1, R4} and the read's set {R2, R3} do not meet, even though W + R > N. After the heal the stand-ins hand the value to R2 and R3 (hinted handoff) and the second read returns 1.",
            proto: Register::new(RegisterConfig { rf: 3, w: 2, r: 2, sloppy: true, ae_ms: 0, ..scripted(Mode::Quorum) }),
            seed: 12,
            script: vec![
                at(0, Input::Partition(vec![vec![r(1), r(4), r(5), cl(5, 1)]])),
                at(10, write(5, 1, 1, 1)),
                at(100, read(5, 2, 2)),
                at(200, Input::Heal),
                at(400, read(5, 2, 2)),
            ],
            pause_ms: 450,
            expect: |w| {
                let wr = op(w, 1, 1)?;
                if wr.outcome != Outcome::Ok || !wr.write_set.iter().any(|h| h.hint_for.is_some()) {
                    return Err(format!("C1's write should succeed through a stand-in: {wr:?}"));
                }
                if !read_values(w, 2, 1)?.is_empty() || read_values(w, 2, 2)? != vec![1] {
                    return Err("C2 should read nothing, then 1".into());
                }
                let vals = replica_values(w);
                if vals[1] != vec![1] || vals[2] != vec![1] {
                    return Err(format!("hinted handoff did not reach R2 and R3: {vals:?}"));
                }
                if w.nodes.iter().filter_map(RegNode::replica).any(|r| !r.hints.is_empty()) {
                    return Err("hints left after handoff".into());
                }
                require(w, &["Quorum overlap", "No stale reads"])
            },
        },
        quorum_inversion(),
        Scenario {
            id: "read-repair",
            title: "Read repair heals a stale replica",
            summary: "N = 3, W = 2, R = 2, read repair on, anti-entropy off. R3 misses C1's write of 1 (the link R1 → R3 is cut, then restored). C2 reads through R2.",
            notice: "R2 answers after hearing itself and R1. R3's reply arrives a moment later with nothing in it, so R2 sends it the newest version: R3 now holds 1 without any anti-entropy. Read repair only fixes replicas that a read happens to touch.",
            proto: Register::new(RegisterConfig { read_repair: true, ..quorum_cfg(2, 2) }),
            seed: 13,
            script: {
                let mut s = r3_misses_the_write();
                s.push(at(60, Input::Heal));
                s.push(at(100, read(3, 2, 2)));
                s
            },
            pause_ms: 200,
            expect: |w| {
                if read_values(w, 2, 1)? != vec![1] {
                    return Err("C2 should read 1".into());
                }
                if replica_values(w)[2] != vec![1] {
                    return Err(format!("R3 was not repaired: {:?}", replica_values(w)));
                }
                no_violations(w)
            },
        },
    ]
}

/// The CP inversion script, run on strict quorums with W + R > N: C1's
/// write of 2 reaches only R1; C2 reads 2 through R1; C3 then reads 1
/// through R3.
fn quorum_inversion() -> Scenario<Register> {
    let n = 3;
    Scenario {
        id: "quorum-inversion",
        title: "W + R > N is still not linearizable",
        summary: "N = 3, W = 2, R = 2, three clients. C1 writes 1, then writes 2 through R1 just as R1 is cut off: only R1 stores 2, and the write never gets its second ack. After a heal C2 reads through R1; then R1 is cut off again and C3 reads through R3.",
        notice: "C2's read set {R1, R2} includes R1, so it returns 2. C3's read set {R3, R2} does not, so it returns 1, after C2's read had finished: a new-old inversion, with every quorum overlapping as promised. Overlap only guarantees seeing finished writes; an unfinished one can be seen by one reader and not the next. CP's read write-back (or read repair done before answering) closes this gap.",
        proto: Register::new(RegisterConfig { n_clients: 3, ..quorum_cfg(2, 2) }),
        seed: 14,
        script: vec![
            at(0, write(n, 1, 1, 1)),
            at(100, write(n, 1, 2, 1)),
            at(115, Input::Partition(vec![vec![r(1), cl(n, 1)]])),
            at(200, Input::Heal),
            at(210, read(n, 2, 1)),
            at(265, Input::Partition(vec![vec![r(1), cl(n, 1), cl(n, 2)]])),
            at(270, read(n, 3, 3)),
        ],
        pause_ms: 400,
        expect: |w| {
            if read_values(w, 2, 1)? != vec![2] || read_values(w, 3, 1)? != vec![1] {
                return Err("C2 should read 2 and C3 then read 1".into());
            }
            if violated(w, "Quorum overlap") || violated(w, "No stale reads") {
                return Err("the quorums overlap and no read is stale".into());
            }
            require(w, &["No new-old inversion"])
        },
    }
}

/// The CAP lab's free play: no script, a steady automatic workload.
pub fn sandbox_cap() -> Scenario<Register> {
    Scenario {
        id: "sandbox",
        title: "Free play: a steady workload",
        summary: "Five replicas, two clients reading and writing every 150 ms or so (C1 through R1, C2 through R3). No script: you choose the faults.",
        notice: "Press Play, then split the network with the Split button (R1 and R2 with C1, against the rest). In CP the minority side's operations are refused after the timeout while the majority side carries on; switch to AP and every side is served, but reads on the minority side go stale. The counters below the diagram keep score per side. Heal, and compare the latencies with no partition: that is PACELC's \"else\".",
        proto: Register::new(RegisterConfig { auto_ms: 150, write_pct: 50, ae_ms: 100, ..RegisterConfig::default() }),
        seed: 1,
        script: vec![],
        pause_ms: 0,
        expect: |w| match w.violations.first() {
            None => Ok(()),
            Some(v) => Err(format!("with no fault, CP broke {}: {}", v.invariant, v.explanation)),
        },
    }
}

/// The Quorum lab's free play: tune N, W and R under a steady workload.
pub fn sandbox_quorum() -> Scenario<Register> {
    Scenario {
        id: "sandbox",
        title: "Free play: tune N, W and R",
        summary: "Five nodes; the register lives on N = 3 of them (R1–R3), the others are stand-ins for a sloppy quorum. Two clients read and write every 150 ms or so.",
        notice: "Press Play and lower W and R until W + R ≤ N: reads start to miss the last write (flagged stale and \"no overlap\" in the history). Click a read in the history to see which replicas it heard from and which acknowledged the write. Then restore W + R > N, switch on sloppy quorum and isolate R2: writes now land on stand-ins, and reads can miss them even though W + R > N.",
        proto: Register::new(RegisterConfig { mode: Mode::Quorum, auto_ms: 150, write_pct: 50, ae_ms: 0, ..RegisterConfig::default() }),
        seed: 1,
        script: vec![],
        pause_ms: 0,
        expect: |w| match w.violations.iter().find(|v| v.invariant != "Convergence") {
            None => Ok(()),
            Some(v) => Err(format!("with W + R > N and no fault, {} broke: {}", v.invariant, v.explanation)),
        },
    }
}

/// Every scenario of both labs.
pub fn all() -> Vec<Scenario<Register>> {
    let mut v = cap();
    v.extend(quorum());
    v
}

pub fn find(id: &str) -> Option<Scenario<Register>> {
    all().into_iter().find(|s| s.id == id)
}
