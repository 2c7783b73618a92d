use super::generate::{self, GenConfig};
use super::json::{from_json, to_json};
use super::*;
use crate::history::{Op, OpKind};
use crate::kernel::SimRng;

// ---- building histories --------------------------------------------------------

fn op(
    client: u32,
    kind: OpKind,
    value: Option<i64>,
    expected: Option<i64>,
    ok: bool,
    invoke: u64,
    response: Option<u64>,
) -> Op {
    Op {
        client,
        kind,
        value,
        expected,
        ok,
        invoke,
        response,
    }
}
fn w(c: u32, v: i64, inv: u64, resp: u64) -> Op {
    op(c, OpKind::Write, Some(v), None, true, inv, Some(resp))
}
fn w_crash(c: u32, v: i64, inv: u64) -> Op {
    op(c, OpKind::Write, Some(v), None, true, inv, None)
}
fn r(c: u32, v: Option<i64>, inv: u64, resp: u64) -> Op {
    op(c, OpKind::Read, v, None, true, inv, Some(resp))
}
fn cas(c: u32, e: Option<i64>, v: i64, ok: bool, inv: u64, resp: u64) -> Op {
    op(c, OpKind::Cas, Some(v), e, ok, inv, Some(resp))
}

fn lin(ops: Vec<Op>) -> (History, Verdict) {
    let h = History::new(ops);
    let v = check_linearizable(&h, &CheckConfig::default());
    (h, v)
}

fn seq(h: &History) -> SeqVerdict {
    check_sequential(h, &CheckConfig::default())
}

fn explanation(v: &Verdict) -> &Explanation {
    match v {
        Verdict::NotLinearizable { explanation } => explanation,
        other => panic!("expected not linearizable, got {other:?}"),
    }
}

fn order(v: &Verdict) -> &[usize] {
    match v {
        Verdict::Linearizable { order } => order,
        other => panic!("expected linearizable, got {other:?}"),
    }
}

// ---- checking witnesses -------------------------------------------------------------

/// The register state after `order`, if it is a legal run of the kept
/// operations: every completed, effective operation exactly once, only
/// indefinite ones left out.
fn legal_run(h: &History, order: &[usize]) -> Result<(), String> {
    let mut state: Option<i64> = None;
    for &i in order {
        let o = &h.ops[i];
        match o.kind {
            OpKind::Read if o.value != state => {
                return Err(format!("op {i} reads {:?} in {state:?}", o.value))
            }
            OpKind::Read => {}
            OpKind::Write => state = o.value,
            OpKind::Cas if o.ok => {
                if state != o.expected {
                    return Err(format!("op {i} swaps from {:?} in {state:?}", o.expected));
                }
                state = o.value;
            }
            OpKind::Cas => {
                if state == o.expected {
                    return Err(format!("op {i} fails in {state:?}"));
                }
            }
        }
    }
    let mut seen = vec![false; h.ops.len()];
    for &i in order {
        if std::mem::replace(&mut seen[i], true) {
            return Err(format!("op {i} twice"));
        }
    }
    for (i, o) in h.ops.iter().enumerate() {
        let effective = match o.kind {
            OpKind::Read => o.ok && o.response.is_some(),
            OpKind::Write => o.ok,
            OpKind::Cas => o.ok || o.response.is_some(),
        };
        let required = effective && o.response.is_some();
        if required && !seen[i] {
            return Err(format!("op {i} missing"));
        }
        if seen[i] && !effective {
            return Err(format!("op {i} should have been ignored"));
        }
    }
    Ok(())
}

fn respects_real_time(h: &History, order: &[usize]) -> bool {
    order.iter().enumerate().all(|(k, &a)| {
        order[k + 1..]
            .iter()
            .all(|&b| h.ops[b].response.is_none_or(|rb| rb >= h.ops[a].invoke))
    })
}

fn respects_program_order(h: &History, order: &[usize]) -> bool {
    order.iter().enumerate().all(|(k, &a)| {
        order[k + 1..].iter().all(|&b| {
            h.ops[a].client != h.ops[b].client || (h.ops[a].invoke, a) < (h.ops[b].invoke, b)
        })
    })
}

// ---- brute force -------------------------------------------------------------------

/// Every order of the effective operations (any subset of the indefinite
/// ones) allowed by `before(a, b)` ("a must precede b"): is one legal?
fn brute(h: &History, before: &dyn Fn(usize, usize) -> bool) -> bool {
    let ops: Vec<usize> = (0..h.ops.len())
        .filter(|&i| {
            let o = &h.ops[i];
            match o.kind {
                OpKind::Read => o.ok && o.response.is_some(),
                OpKind::Write => o.ok,
                OpKind::Cas => o.ok || o.response.is_some(),
            }
        })
        .collect();
    let indefinite: Vec<usize> = ops
        .iter()
        .copied()
        .filter(|&i| h.ops[i].response.is_none())
        .collect();
    for mask in 0u32..1 << indefinite.len() {
        let chosen: Vec<usize> = ops
            .iter()
            .copied()
            .filter(|i| match indefinite.iter().position(|j| j == i) {
                Some(k) => mask & (1 << k) != 0,
                None => true,
            })
            .collect();
        let mut placed = vec![false; h.ops.len()];
        if extend(h, &chosen, &mut placed, None, 0, before) {
            return true;
        }
    }
    false
}

fn extend(
    h: &History,
    chosen: &[usize],
    placed: &mut [bool],
    state: Option<i64>,
    n: usize,
    before: &dyn Fn(usize, usize) -> bool,
) -> bool {
    if n == chosen.len() {
        return true;
    }
    for &i in chosen {
        if placed[i] || chosen.iter().any(|&j| !placed[j] && j != i && before(j, i)) {
            continue;
        }
        let o = &h.ops[i];
        let next = match o.kind {
            OpKind::Read => (o.value == state).then_some(state),
            OpKind::Write => Some(o.value),
            OpKind::Cas if o.ok => (o.expected == state).then_some(o.value),
            OpKind::Cas => (o.expected != state).then_some(state),
        };
        if let Some(s) = next {
            placed[i] = true;
            if extend(h, chosen, placed, s, n + 1, before) {
                return true;
            }
            placed[i] = false;
        }
    }
    false
}

fn brute_lin(h: &History) -> bool {
    brute(h, &|a, b| {
        h.ops[a].response.is_some_and(|ra| ra < h.ops[b].invoke)
    })
}

fn brute_seq(h: &History) -> bool {
    brute(h, &|a, b| {
        h.ops[a].client == h.ops[b].client && (h.ops[a].invoke, a) < (h.ops[b].invoke, b)
    })
}

/// A random small history: up to 7 operations by 3 clients, values 1–3,
/// some failed, some indefinite. Half are played on a real register (so
/// often linearizable), half are arbitrary. All event times are distinct.
fn random_small(rng: &mut SimRng) -> History {
    random_history(rng, 7, 0.15, 2)
}

/// `max_ops` operations at most, each indefinite with probability
/// `p_indefinite`; cas weighs `cas_weight` against 4 for reads and writes.
fn random_history(rng: &mut SimRng, max_ops: u64, p_indefinite: f64, cas_weight: u64) -> History {
    let n = rng.range_u64(1, max_ops) as usize;
    // Distinct times: a shuffled 0..2n.
    let mut times: Vec<u64> = (0..2 * n as u64).map(|t| t * 10).collect();
    for i in (1..times.len()).rev() {
        let j = rng.range_u64(0, i as u64) as usize;
        times.swap(i, j);
    }
    let played = rng.chance(0.5);
    // Half the time every write has its own value, as in Jepsen's register tests.
    let unique = rng.chance(0.5);
    let mut next_unique = 10;
    let mut ops = Vec::new();
    for k in 0..n {
        let (a, b) = (times[2 * k], times[2 * k + 1]);
        let (inv, resp) = (a.min(b), a.max(b));
        let client = rng.range_u64(1, 3) as u32;
        let val = |rng: &mut SimRng| {
            if rng.chance(0.15) {
                None
            } else {
                Some(rng.range_u64(1, 3) as i64)
            }
        };
        let kind = match rng.range_u64(0, 7 + cas_weight) {
            0..=3 => OpKind::Read,
            4..=7 => OpKind::Write,
            _ => OpKind::Cas,
        };
        let value = match kind {
            OpKind::Read => val(rng),
            _ if unique => {
                next_unique += 1;
                Some(next_unique)
            }
            _ => Some(rng.range_u64(1, 3) as i64),
        };
        let expected = match kind {
            OpKind::Cas if unique && next_unique > 11 && rng.chance(0.7) => {
                Some(rng.range_u64(11, next_unique as u64 - 1) as i64)
            }
            OpKind::Cas => val(rng),
            _ => None,
        };
        let ok = !rng.chance(0.1);
        let response = if rng.chance(p_indefinite) {
            None
        } else {
            Some(resp)
        };
        ops.push(op(client, kind, value, expected, ok, inv, response));
    }
    if played {
        // Effect at the midpoint of the interval (or after invoke for indefinite ones).
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by_key(|&i| {
            ops[i].invoke + ops[i].response.map_or(5, |r| (r - ops[i].invoke) / 2)
        });
        let mut state = None;
        for i in order {
            if unique && ops[i].kind == OpKind::Read && rng.chance(0.3) {
                // Reads of older values make interesting failures.
                ops[i].value =
                    Some(rng.range_u64(10, next_unique as u64) as i64).filter(|&v| v > 10);
                continue;
            }
            let o = &mut ops[i];
            if !o.ok && o.kind != OpKind::Cas {
                continue;
            }
            match o.kind {
                OpKind::Read => o.value = state,
                OpKind::Write => state = o.value,
                OpKind::Cas => {
                    o.ok = state == o.expected;
                    if o.ok {
                        state = o.value;
                    }
                }
            }
        }
    }
    History::new(ops)
}

/// The history as it stood just after (`include`) or just before the
/// response at `t`: operations invoked later vanish, operations still
/// running become indefinite. All times must be distinct.
fn truncated(h: &History, t: u64, include: bool) -> History {
    let ops = h
        .ops
        .iter()
        .filter(|o| o.invoke < t)
        .map(|o| {
            let mut o = o.clone();
            if o.response.is_some_and(|r| r > t || (r == t && !include)) {
                // Still running at the cut: indefinite (and ignored if a
                // read or a failed operation).
                o.response = None;
            }
            o
        })
        .collect();
    History::new(ops)
}

// ---- classic histories ----------------------------------------------------------------

#[test]
fn empty_and_trivial_histories() {
    assert_eq!(lin(vec![]).1, Verdict::Linearizable { order: vec![] });
    assert_eq!(
        seq(&History::default()),
        SeqVerdict::Sequential { order: vec![] }
    );
    let (_, v) = lin(vec![w(1, 1, 0, 10), r(1, Some(1), 20, 30)]);
    assert_eq!(v, Verdict::Linearizable { order: vec![0, 1] });
    let (_, v) = lin(vec![r(1, None, 0, 10)]);
    assert_eq!(v, Verdict::Linearizable { order: vec![0] });
}

#[test]
fn stale_read_after_a_completed_overwrite() {
    // Client 1 writes 1, client 2 overwrites it with 2, then client 3 reads 1.
    let (h, v) = lin(vec![w(1, 1, 0, 10), w(2, 2, 20, 30), r(3, Some(1), 40, 50)]);
    let e = explanation(&v);
    assert_eq!(e.culprit, Some(2));
    assert_eq!(e.ops, vec![2, 0, 1]);
    assert_eq!(
        e.text,
        "op 2 (client 3: read → 1, [40, 50]) returned 1, but the only write of 1, op 0 (client 1: write 1, [0, 10]), \
         had been overwritten by op 1 (client 2: write 2, [20, 30]), which completed before the read began."
    );
    // Sequentially consistent all the same: client 3 may simply be behind.
    match seq(&h) {
        SeqVerdict::Sequential { order } => assert_eq!(order, vec![0, 2, 1]),
        other => panic!("{other:?}"),
    }
}

#[test]
fn reading_empty_after_a_completed_write() {
    let (h, v) = lin(vec![w(1, 7, 0, 10), r(2, None, 20, 30)]);
    let e = explanation(&v);
    assert_eq!(e.ops, vec![1, 0]);
    assert!(e.text.contains("found the register empty, but op 0 (client 1: write 7, [0, 10]) had completed before it began"), "{}", e.text);
    // Another client may be behind; the writer itself may not.
    assert!(matches!(seq(&h), SeqVerdict::Sequential { .. }));
    let own = History::new(vec![w(1, 7, 0, 10), r(1, None, 20, 30)]);
    let SeqVerdict::NotSequential { explanation } = seq(&own) else {
        panic!()
    };
    assert_eq!(explanation.ops, vec![0, 1]);
    assert_eq!(
        explanation.text,
        "No order that keeps each client's operations in program order is a legal register history: every value is written once, \
         and the clients' own orders force the writes into a cycle: the write of 7 (op 0) precedes the initial empty register, \
         since client 1 did op 0 before op 1 (which read nothing); the initial empty register precedes the write of 7 (op 0)."
    );
    // With a value written twice there is no cycle to show; the search says where it stopped.
    let twice = History::new(vec![w(1, 7, 0, 10), r(1, None, 20, 30), w(2, 7, 0, 5)]);
    let SeqVerdict::NotSequential { explanation } = seq(&twice) else {
        panic!()
    };
    assert_eq!(explanation.ops, vec![0, 1, 2]);
    assert_eq!(
        explanation.text,
        "No order that keeps each client's operations in program order is a legal register history. The furthest the search got \
         is 0 of the 3 operations, which leaves the register empty; each client's next operation cannot follow: \
         op 0 (client 1: write 7, [0, 10]) fits, but overwrites nothing for good while op 1 still has to see it; \
         op 2 (client 2: write 7, [0, 5]) fits, but overwrites nothing for good while op 1 still has to see it."
    );
}

#[test]
fn a_value_never_written() {
    let (_, v) = lin(vec![w(1, 1, 0, 10), r(2, Some(9), 5, 30)]);
    let e = explanation(&v);
    assert_eq!(e.text, "op 1 (client 2: read → 9, [5, 30]) returned 9, but no operation wrote 9 before it returned.");
    // A write of 9 invoked only after the read returned cannot be its source.
    let (_, v) = lin(vec![w(1, 1, 0, 10), r(2, Some(9), 5, 30), w(3, 9, 31, 40)]);
    assert_eq!(explanation(&v).culprit, Some(1));
}

#[test]
fn concurrent_writes_seen_in_the_same_order_are_fine() {
    // Two overlapping writes; two readers both see 1 then 2.
    let ops = vec![
        w(1, 1, 0, 100),
        w(2, 2, 0, 100),
        r(3, Some(1), 10, 20),
        r(3, Some(2), 30, 40),
        r(4, Some(1), 12, 22),
        r(4, Some(2), 32, 42),
    ];
    let (h, v) = lin(ops);
    let o = order(&v);
    assert!(
        legal_run(&h, o).is_ok() && respects_real_time(&h, o),
        "{o:?}"
    );
}

#[test]
fn concurrent_writes_seen_in_opposite_orders() {
    // Client 3 sees 1 then 2; client 4 sees 2 then 1: the writes would
    // have to be in both orders. Neither linearizable nor sequentially
    // consistent.
    let ops = vec![
        w(1, 1, 0, 100),
        w(2, 2, 0, 100),
        r(3, Some(1), 10, 20),
        r(3, Some(2), 30, 40),
        r(4, Some(2), 12, 22),
        r(4, Some(1), 32, 42),
    ];
    let (h, v) = lin(ops);
    let e = explanation(&v);
    assert_eq!(e.culprit, Some(5));
    assert_eq!(
        e.text,
        "op 5 (client 4: read → 1, [32, 42]) returned 1, but every value is written once, and real time forces the writes into a cycle: \
         the write of 1 (op 0) precedes the write of 2 (op 1), since op 2 (client 3, which read 1) ended at 20 before op 3 (client 3, which read 2) began at 30; \
         the write of 2 (op 1) precedes the write of 1 (op 0), since op 4 (client 4, which read 2) ended at 22 before op 5 (client 4, which read 1) began at 32."
    );
    let mut ops = e.ops.clone();
    ops.sort();
    assert_eq!(ops, vec![0, 1, 2, 3, 4, 5]);
    assert!(matches!(seq(&h), SeqVerdict::NotSequential { .. }));
    assert!(!brute_seq(&h));
}

#[test]
fn indefinite_writes_may_take_effect_or_not() {
    // Client 2's write never returned, but someone read its value: it happened.
    let (h, v) = lin(vec![
        w(1, 1, 0, 10),
        w_crash(2, 2, 5),
        r(3, Some(2), 20, 30),
    ]);
    assert_eq!(order(&v), &[0, 1, 2]);
    assert!(legal_run(&h, order(&v)).is_ok());
    // Nobody read it: it may never have happened.
    let (_, v) = lin(vec![
        w(1, 1, 0, 10),
        w_crash(2, 2, 5),
        r(3, Some(1), 20, 30),
    ]);
    assert_eq!(order(&v), &[0, 2]);
    // It can take effect late, but only once: 1, 2, then 1 again is impossible.
    let (_, v) = lin(vec![
        w(1, 1, 0, 10),
        w_crash(2, 2, 5),
        r(3, Some(1), 20, 30),
        r(3, Some(2), 40, 50),
        r(3, Some(1), 60, 70),
    ]);
    let e = explanation(&v);
    assert_eq!(e.culprit, Some(4));
    assert!(e.text.contains("cycle"), "{}", e.text);
    // An indefinite write cannot take effect before it was invoked.
    let (_, v) = lin(vec![r(1, Some(2), 0, 10), w_crash(2, 2, 11)]);
    assert_eq!(explanation(&v).culprit, Some(0));
}

#[test]
fn crashed_writes_are_interchangeable_only_when_nobody_reads_them() {
    // Either crashed write can rescue the failed cas (the register holds 9
    // until one of them lands), but only the write of 2 may be spent on it:
    // the write of 1 is needed later, after 3 overwrote everything. The
    // failed cas at the end keeps both crashed writes alive to the end.
    let ops = vec![
        w(1, 9, 0, 10),
        w_crash(2, 1, 5),
        w_crash(3, 2, 6),
        cas(4, Some(9), 7, false, 20, 30),
        w(1, 3, 32, 35),
        r(4, Some(1), 40, 50),
        cas(5, Some(3), 8, false, 60, 70),
    ];
    let (h, v) = lin(ops);
    assert_eq!(order(&v), &[0, 2, 3, 4, 1, 5, 6]);
    assert!(brute_lin(&h));
}

#[test]
fn failed_operations_took_no_effect() {
    let failed_write = op(1, OpKind::Write, Some(9), None, false, 0, Some(10));
    let failed_read = op(2, OpKind::Read, Some(5), None, false, 0, Some(10));
    let (_, v) = lin(vec![failed_write.clone(), failed_read, r(3, None, 20, 30)]);
    assert_eq!(order(&v), &[2]);
    let (_, v) = lin(vec![failed_write, r(3, Some(9), 20, 30)]);
    assert!(explanation(&v).text.contains("no operation wrote 9"));
}

#[test]
fn compare_and_set() {
    // 0, then cas 0→1 swaps, then a read sees 1.
    let (_, v) = lin(vec![
        w(1, 0, 0, 10),
        cas(2, Some(0), 1, true, 20, 30),
        r(3, Some(1), 40, 50),
    ]);
    assert_eq!(order(&v), &[0, 1, 2]);
    // A failed cas while the register certainly held 0.
    let (_, v) = lin(vec![w(1, 0, 0, 10), cas(2, Some(0), 1, false, 20, 30)]);
    let e = explanation(&v);
    assert_eq!(e.ops, vec![1, 0]);
    assert_eq!(
        e.text,
        "op 1 (client 2: cas 0 → 1, failed, [20, 30]) failed, so the register did not hold 0; but op 0 (client 1: write 0, [0, 10]) \
         completed before the cas began and no write of another value could have come between them."
    );
    // …but fine if a concurrent write could have come first.
    let (_, v) = lin(vec![
        w(1, 0, 0, 10),
        cas(2, Some(0), 1, false, 20, 30),
        w(3, 5, 25, 40),
    ]);
    assert_eq!(order(&v), &[0, 2, 1]);
    // A cas that swapped from a value the register never held.
    let (_, v) = lin(vec![w(1, 5, 0, 10), cas(2, Some(0), 1, true, 20, 30)]);
    assert!(explanation(&v)
        .text
        .contains("found 0 in the register, but no operation wrote 0"));
    // Compare against empty.
    let (_, v) = lin(vec![cas(1, None, 1, true, 0, 10), r(2, Some(1), 20, 30)]);
    assert_eq!(order(&v), &[0, 1]);
    // An indefinite cas takes effect only by swapping.
    let crashed_cas = op(2, OpKind::Cas, Some(3), Some(1), true, 15, None);
    let (_, v) = lin(vec![
        w(1, 1, 0, 10),
        crashed_cas.clone(),
        r(3, Some(3), 20, 30),
    ]);
    assert_eq!(order(&v), &[0, 1, 2]);
    let (_, v) = lin(vec![w(1, 2, 0, 10), crashed_cas, r(3, Some(3), 20, 30)]);
    assert!(matches!(v, Verdict::NotLinearizable { .. }));
}

#[test]
fn malformed_histories_are_unknown_not_panics() {
    let (_, v) = lin(vec![w(1, 1, 10, 5)]);
    assert_eq!(
        v,
        Verdict::Unknown {
            reason: "operation 0: its response (5) is before its invoke (10)".into()
        }
    );
    let (h, v) = lin(vec![op(1, OpKind::Write, None, None, true, 0, Some(1))]);
    assert_eq!(
        v,
        Verdict::Unknown {
            reason: "operation 0: a write needs a value".into()
        }
    );
    assert!(matches!(seq(&h), SeqVerdict::Unknown { .. }));
    assert_eq!(check_sessions(&h), SessionReport::default());
}

#[test]
fn the_effort_cap_gives_unknown() {
    let cfg = GenConfig {
        ops: 300,
        ..GenConfig::default()
    };
    let h = generate::linearizable(&cfg, 1);
    let tiny = CheckConfig { max_states: 10 };
    let Verdict::Unknown { reason } = check_linearizable(&h, &tiny) else {
        panic!()
    };
    assert_eq!(
        reason,
        "the linearizability search explored its limit of 10 configurations without an answer"
    );
    assert!(matches!(
        check_sequential(&h, &tiny),
        SeqVerdict::Unknown { .. }
    ));
    // Enough effort: an answer.
    assert!(matches!(
        check_linearizable(&h, &CheckConfig::default()),
        Verdict::Linearizable { .. }
    ));
}

// ---- against brute force ------------------------------------------------------------------

/// Random histories of up to 7 operations by 3 clients: the verdicts equal
/// an exhaustive search over every order, witnesses are legal, and the
/// culprit is exactly where the history stops being linearizable.
#[test]
fn small_random_histories_agree_with_brute_force() {
    let mut rng = SimRng::new(2024);
    let (mut lin_yes, mut lin_no, mut seq_no) = (0, 0, 0);
    // How often each form of explanation was used.
    let mut forms = [0u32; 5];
    for case in 0..4_000 {
        let h = random_small(&mut rng);
        let json = to_json(&h);
        let ctx = || format!("case {case}:\n{json}");
        let expect_lin = brute_lin(&h);
        let expect_seq = brute_seq(&h);
        let report = check(&h, &CheckConfig::default());
        match &report.linearizable {
            Verdict::Linearizable { order } => {
                assert!(
                    expect_lin,
                    "checker says linearizable, brute force not: {}",
                    ctx()
                );
                legal_run(&h, order)
                    .unwrap_or_else(|e| panic!("bad witness {order:?}: {e}\n{}", ctx()));
                assert!(respects_real_time(&h, order), "{order:?}: {}", ctx());
                lin_yes += 1;
            }
            Verdict::NotLinearizable { explanation } => {
                assert!(
                    !expect_lin,
                    "checker says not linearizable, brute force found an order: {}",
                    ctx()
                );
                let x = explanation.culprit.unwrap();
                let t = h.ops[x].response.unwrap();
                assert!(
                    !brute_lin(&truncated(&h, t, true)),
                    "culprit {x}: the prefix up to it is linearizable: {}",
                    ctx()
                );
                assert!(
                    brute_lin(&truncated(&h, t, false)),
                    "culprit {x}: the prefix before it is not linearizable: {}",
                    ctx()
                );
                assert_eq!(explanation.ops[0], x);
                let t = &explanation.text;
                let form = if t.contains("no operation wrote") {
                    0
                } else if t.contains("overwritten")
                    || t.contains("had completed before it began")
                    || t.contains("and that completed before")
                {
                    1
                } else if t.contains("failed, so the register") {
                    2
                } else if t.contains("cycle") {
                    3
                } else {
                    4
                };
                forms[form] += 1;
                lin_no += 1;
            }
            Verdict::Unknown { reason } => panic!("{reason}: {}", ctx()),
        }
        match &report.sequential {
            SeqVerdict::Sequential { order } => {
                assert!(
                    expect_seq,
                    "checker says sequential, brute force not: {}",
                    ctx()
                );
                legal_run(&h, order)
                    .unwrap_or_else(|e| panic!("bad witness {order:?}: {e}\n{}", ctx()));
                assert!(respects_program_order(&h, order), "{order:?}: {}", ctx());
            }
            SeqVerdict::NotSequential { .. } => {
                assert!(
                    !expect_seq,
                    "checker says not sequential, brute force found an order: {}",
                    ctx()
                );
                seq_no += 1;
            }
            SeqVerdict::Unknown { reason } => panic!("{reason}: {}", ctx()),
        }
        // The checks agree with each other: linearizable ⇒ sequential
        // (when clients run one operation at a time, as here they need not).
        if expect_lin && sequential_clients(&h) {
            assert!(expect_seq, "{}", ctx());
        }
    }
    // Both outcomes are well represented.
    assert!(
        lin_yes > 800 && lin_no > 800 && seq_no > 300,
        "{lin_yes} {lin_no} {seq_no}"
    );
    // (A certainly failed cas, form 2, is rare at random; the hand-made tests cover it.)
    assert!(
        [0, 1, 3, 4].iter().all(|&f| forms[f] > 10),
        "explanation forms used: {forms:?}"
    );
}

/// The reductions for indefinite operations (placed only just before an
/// operation that depends on them, junk values and junk writes merged,
/// dead ones dropped) tested where they matter: many crashed writes and cas.
#[test]
fn crash_heavy_random_histories_agree_with_brute_force() {
    let mut rng = SimRng::new(77);
    let (mut yes, mut no) = (0, 0);
    for case in 0..20_000 {
        let h = random_history(&mut rng, 9, 0.45, 3);
        let ctx = || format!("case {case}:\n{}", to_json(&h));
        let report = check(&h, &CheckConfig::default());
        match &report.linearizable {
            Verdict::Linearizable { order } => {
                assert!(
                    brute_lin(&h),
                    "checker says linearizable, brute force not: {}",
                    ctx()
                );
                legal_run(&h, order)
                    .unwrap_or_else(|e| panic!("bad witness {order:?}: {e}\n{}", ctx()));
                assert!(respects_real_time(&h, order), "{order:?}: {}", ctx());
                yes += 1;
            }
            Verdict::NotLinearizable { explanation } => {
                assert!(
                    !brute_lin(&h),
                    "checker says not linearizable, brute force found an order: {}",
                    ctx()
                );
                let t = h.ops[explanation.culprit.unwrap()].response.unwrap();
                assert!(
                    !brute_lin(&truncated(&h, t, true)) && brute_lin(&truncated(&h, t, false)),
                    "culprit: {}",
                    ctx()
                );
                no += 1;
            }
            Verdict::Unknown { reason } => panic!("{reason}: {}", ctx()),
        }
        let expect_seq = brute_seq(&h);
        match &report.sequential {
            SeqVerdict::Sequential { order } => {
                assert!(
                    expect_seq,
                    "checker says sequential, brute force not: {}",
                    ctx()
                );
                legal_run(&h, order)
                    .unwrap_or_else(|e| panic!("bad witness {order:?}: {e}\n{}", ctx()));
                assert!(respects_program_order(&h, order), "{order:?}: {}", ctx());
            }
            SeqVerdict::NotSequential { .. } => {
                assert!(!expect_seq, "checker says not sequential: {}", ctx())
            }
            SeqVerdict::Unknown { reason } => panic!("{reason}: {}", ctx()),
        }
    }
    assert!(yes > 4_000 && no > 4_000, "{yes} {no}");
}

fn sequential_clients(h: &History) -> bool {
    h.ops.iter().enumerate().all(|(i, a)| {
        h.ops.iter().enumerate().all(|(j, b)| {
            i == j
                || a.client != b.client
                || a.response.is_some_and(|ra| ra < b.invoke)
                || b.response.is_some_and(|rb| rb < a.invoke)
        })
    })
}

#[test]
fn generator_configs_are_bounded() {
    let wild = GenConfig {
        clients: 0,
        ops: 50,
        latency_us: (u64::MAX, 0),
        think_us: (u64::MAX, u64::MAX),
        values: Some(0),
        ..GenConfig::default()
    };
    let h = generate::linearizable(&wild, 1);
    assert_eq!(h.ops.len(), 50);
    assert!(!matches!(
        check_linearizable(&h, &CheckConfig::default()),
        Verdict::NotLinearizable { .. }
    ));
    assert_eq!(generate::with_stale_read(&History::default(), 1), None);
}

#[test]
fn checking_twice_gives_the_same_report() {
    let mut rng = SimRng::new(5);
    for _ in 0..200 {
        let h = random_small(&mut rng);
        assert_eq!(
            check(&h, &CheckConfig::default()),
            check(&h, &CheckConfig::default())
        );
    }
}

// ---- simulated histories --------------------------------------------------------------------

#[test]
fn simulated_histories_are_linearizable_with_legal_witnesses() {
    for (seed, cfg) in [
        (
            1,
            GenConfig {
                ops: 2_000,
                ..GenConfig::default()
            },
        ),
        (
            2,
            GenConfig {
                ops: 1_000,
                crash_per_mille: 50,
                ..GenConfig::default()
            },
        ),
        (
            3,
            GenConfig {
                ops: 1_000,
                values: Some(3),
                cas_percent: 30,
                ..GenConfig::default()
            },
        ),
        (
            4,
            GenConfig {
                ops: 500,
                clients: 10,
                latency_us: (1_000, 100_000),
                ..GenConfig::default()
            },
        ),
    ] {
        let h = generate::linearizable(&cfg, seed);
        assert!(
            h.ops.iter().any(|o| o.response.is_none()),
            "seed {seed}: some crash"
        );
        let report = check(&h, &CheckConfig::default());
        let Verdict::Linearizable { order } = &report.linearizable else {
            panic!("seed {seed}: {:?}", report.linearizable)
        };
        legal_run(&h, order).unwrap();
        assert!(respects_real_time(&h, order));
        let SeqVerdict::Sequential { order } = &report.sequential else {
            panic!("seed {seed}: {:?}", report.sequential)
        };
        legal_run(&h, order).unwrap();
        assert!(respects_program_order(&h, order));
        assert_eq!(
            report.sessions.read_your_writes_total + report.sessions.monotonic_reads_total,
            0,
            "seed {seed}"
        );
    }
}

#[test]
fn an_injected_stale_read_is_found_and_named() {
    for seed in 1..=5 {
        let h = generate::linearizable(
            &GenConfig {
                ops: 2_000,
                ..GenConfig::default()
            },
            seed,
        );
        let (bad, read) = generate::with_stale_read(&h, seed).unwrap();
        let report = check(&bad, &CheckConfig::default());
        let e = explanation(&report.linearizable);
        assert_eq!(e.culprit, Some(read), "seed {seed}: {}", e.text);
        assert!(
            e.text.contains("had been overwritten by"),
            "seed {seed}: {}",
            e.text
        );
        // A reader behind the times is still sequentially consistent… unless it
        // is behind its own earlier reads or writes.
        assert!(
            !matches!(report.sequential, SeqVerdict::Unknown { .. }),
            "seed {seed}"
        );
    }
}

// ---- sessions -------------------------------------------------------------------------------

#[test]
fn read_your_writes() {
    // Client 2 writes 2 after 1 was written and completed, then reads 1.
    let h = History::new(vec![w(1, 1, 0, 10), w(2, 2, 20, 30), r(2, Some(1), 40, 50)]);
    let s = check_sessions(&h);
    assert_eq!(s.read_your_writes_total, 1);
    let v = &s.read_your_writes[0];
    assert_eq!((v.client, v.ops), (2, [1, 2]));
    assert_eq!(
        v.explanation,
        "op 2 (client 2: read → 1, [40, 50]) saw 1 after the client's own op 1 (client 2: write 2, [20, 30]) had completed, \
         but every write of 1 (op 0) completed before op 1 was invoked at 20: the client did not see its own write."
    );
    // If the other write overlaps the client's, 1 may be newer: no violation.
    let h = History::new(vec![w(1, 1, 0, 25), w(2, 2, 20, 30), r(2, Some(1), 40, 50)]);
    assert_eq!(check_sessions(&h), SessionReport::default());
    // Reading empty after one's own write always violates it.
    let h = History::new(vec![w(2, 2, 20, 30), r(2, None, 40, 50)]);
    assert_eq!(check_sessions(&h).read_your_writes[0].ops, [0, 1]);
    // Another client reading old data is not this guarantee's business.
    let h = History::new(vec![w(1, 1, 0, 10), w(2, 2, 20, 30), r(3, Some(1), 40, 50)]);
    assert_eq!(check_sessions(&h).read_your_writes_total, 0);
}

#[test]
fn monotonic_reads() {
    let h = History::new(vec![
        w(1, 1, 0, 10),
        w(2, 2, 20, 30),
        r(3, Some(2), 40, 50),
        r(3, Some(1), 60, 70),
    ]);
    let s = check_sessions(&h);
    assert_eq!((s.monotonic_reads_total, s.read_your_writes_total), (1, 0));
    let v = &s.monotonic_reads[0];
    assert_eq!((v.client, v.ops), (3, [2, 3]));
    assert_eq!(
        v.explanation,
        "op 3 (client 3: read → 1, [60, 70]) saw 1 after the client's op 2 (client 3: read → 2, [40, 50]) had seen 2, \
         but every write of 1 (op 0) completed before the first write of 2 (op 1) was invoked at 20: the client saw the register go back in time."
    );
    // Concurrent writes: either order is possible, so no violation.
    let h = History::new(vec![
        w(1, 1, 0, 25),
        w(2, 2, 20, 30),
        r(3, Some(2), 40, 50),
        r(3, Some(1), 60, 70),
    ]);
    assert_eq!(check_sessions(&h).monotonic_reads_total, 0);
    // Empty after a value.
    let h = History::new(vec![
        w(1, 1, 0, 10),
        r(3, Some(1), 40, 50),
        r(3, None, 60, 70),
    ]);
    assert_eq!(check_sessions(&h).monotonic_reads[0].ops, [1, 2]);
    // Going forward is fine; so is reading the same value again.
    let h = History::new(vec![
        w(1, 1, 0, 10),
        w(2, 2, 20, 30),
        r(3, Some(1), 5, 15),
        r(3, Some(1), 16, 17),
        r(3, Some(2), 40, 50),
    ]);
    assert_eq!(check_sessions(&h), SessionReport::default());
}

// ---- JSON ----------------------------------------------------------------------------------------

#[test]
fn json_round_trip() {
    let text = r#"[
  {"client": 1, "op": "write", "value": "x", "invoke": 0, "response": 10, "note": {"deep": [1, 2, {"a": null}]}},
  {"client": 2, "op": "read", "value": null, "invoke": 2, "response": 5},
  {"client": 2, "op": "cas", "expected": "x", "value": 0, "ok": false, "invoke": 12, "response": 20},
  {"client": 3, "op": "write", "value": 1, "invoke": 15},
  {"client": 4, "op": "read", "value": "x", "ok": true, "invoke": 16, "response": null},
  {"client": 4, "op": "cas", "expected": null, "value": "y", "invoke": 30, "response": 40}
]"#;
    let h = from_json(text).unwrap();
    assert_eq!(h.ops.len(), 6);
    // Strings take numbers no integer in the file uses (0 and 1 are used).
    assert_eq!(
        h.names
            .iter()
            .map(|(k, v)| (*k, v.as_str()))
            .collect::<Vec<_>>(),
        vec![(2, "x"), (3, "y")]
    );
    assert_eq!(h.ops[0], w(1, 2, 0, 10));
    assert_eq!(h.ops[2], cas(2, Some(2), 0, false, 12, 20));
    assert_eq!(h.ops[3], w_crash(3, 1, 15));
    assert_eq!(h.ops[4].response, None);
    assert_eq!(h.ops[5].expected, None);
    let out = to_json(&h);
    assert_eq!(
        out,
        r#"[
{"client":1,"op":"write","value":"x","ok":true,"invoke":0,"response":10},
{"client":2,"op":"read","value":null,"ok":true,"invoke":2,"response":5},
{"client":2,"op":"cas","value":0,"expected":"x","ok":false,"invoke":12,"response":20},
{"client":3,"op":"write","value":1,"ok":true,"invoke":15,"response":null},
{"client":4,"op":"read","value":"x","ok":true,"invoke":16,"response":null},
{"client":4,"op":"cas","value":"y","expected":null,"ok":true,"invoke":30,"response":40}
]
"#
    );
    assert_eq!(from_json(&out).unwrap(), h);
    assert_eq!(to_json(&History::default()), "[]\n");
    assert_eq!(from_json("[]").unwrap(), History::default());
    // Explanations print strings as strings.
    assert_eq!(h.describe(0), r#"op 0 (client 1: write "x", [0, 10])"#);
    // Simulated histories survive the trip too.
    let g = generate::linearizable(
        &GenConfig {
            ops: 300,
            ..GenConfig::default()
        },
        8,
    );
    assert_eq!(from_json(&to_json(&g)).unwrap(), g);
}

#[test]
fn json_times() {
    // Whole numbers, even written as floats, stay as they are.
    let h = from_json(r#"[{"client":1,"op":"read","invoke":5.0,"response":1e3}]"#).unwrap();
    assert_eq!((h.ops[0].invoke, h.ops[0].response), (5, Some(1000)));
    // One fraction scales every time by a million.
    let h = from_json(r#"[{"client":1,"op":"read","invoke":0.5,"response":2},{"client":1,"op":"read","invoke":3,"response":3.0000004}]"#)
        .unwrap();
    assert_eq!(
        h.ops
            .iter()
            .map(|o| (o.invoke, o.response.unwrap()))
            .collect::<Vec<_>>(),
        vec![(500_000, 2_000_000), (3_000_000, 3_000_000)]
    );
    let h = from_json(r#"[{"client":1,"op":"read","invoke":18446744073709551615,"response":18446744073709551615}]"#).unwrap();
    assert_eq!(h.ops[0].invoke, u64::MAX);
}

#[test]
fn json_errors_say_what_and_where() {
    let cases: &[(&str, &str)] = &[
        ("", "the input ends early: EOF while parsing a value at line 1 column 0"),
        ("[", "the input ends early: EOF while parsing a list at line 1 column 1"),
        ("[1,]", "not valid JSON: trailing comma at line 1 column 4"),
        ("{\"a\":1}", "a history must be a JSON array of operations, not an object"),
        ("[] []", "not valid JSON: trailing characters at line 1 column 4"),
        ("\"ops\"", "a history must be a JSON array of operations, not a string"),
        ("[\n  3\n]", "operation 0 (line 2): an operation must be a JSON object, not a number"),
        ("[{\"client\":1,\"op\":\"read\",\"invoke\":0},\n\n [1]]", "operation 1 (line 3): an operation must be a JSON object, not an array"),
        (r#"[{"op":"read","invoke":0}]"#, "operation 0 (line 1): 'client' is missing"),
        (r#"[{"client":-1,"op":"read","invoke":0}]"#, "operation 0 (line 1): 'client' must be a whole number from 0 to 4294967295"),
        (r#"[{"client":4294967296,"op":"read","invoke":0}]"#, "operation 0 (line 1): 'client' must be a whole number from 0 to 4294967295"),
        (r#"[{"client":"a","op":"read","invoke":0}]"#, "operation 0 (line 1): 'client' must be a whole number from 0 to 4294967295"),
        (r#"[{"client":1,"invoke":0}]"#, "operation 0 (line 1): 'op' is missing"),
        (r#"[{"client":1,"op":"delete","invoke":0}]"#, "operation 0 (line 1): 'op' must be read, write or cas"),
        (r#"[{"client":1,"op":"write","invoke":0}]"#, "operation 0 (line 1): a write needs a 'value' other than null"),
        (r#"[{"client":1,"op":"write","value":null,"invoke":0}]"#, "operation 0 (line 1): a write needs a 'value' other than null"),
        (r#"[{"client":1,"op":"write","value":1.5,"invoke":0}]"#, "operation 0 (line 1): 'value' must be an integer or a string, not 1.5"),
        (r#"[{"client":1,"op":"write","value":[1],"invoke":0}]"#, "operation 0 (line 1): 'value' must be an integer, a string or null, not an array"),
        (r#"[{"client":1,"op":"write","value":true,"invoke":0}]"#, "operation 0 (line 1): 'value' must be an integer, a string or null, not a boolean"),
        (r#"[{"client":1,"op":"write","value":9223372036854775808,"invoke":0}]"#, "operation 0 (line 1): 'value' 9223372036854775808 is outside the 64-bit integer range"),
        (r#"[{"client":1,"op":"cas","value":1,"invoke":0}]"#, "operation 0 (line 1): a cas needs 'expected' (null for the empty register)"),
        (r#"[{"client":1,"op":"cas","expected":1,"invoke":0}]"#, "operation 0 (line 1): a cas needs a 'value' other than null"),
        (r#"[{"client":1,"op":"cas","expected":{},"value":1,"invoke":0}]"#, "operation 0 (line 1): 'expected' must be an integer, a string or null, not an object"),
        (r#"[{"client":1,"op":"read","ok":"yes","invoke":0}]"#, "operation 0 (line 1): 'ok' must be true or false"),
        (r#"[{"client":1,"op":"read"}]"#, "operation 0 (line 1): 'invoke' is missing"),
        (r#"[{"client":1,"op":"read","invoke":-3}]"#, "operation 0 (line 1): 'invoke' must be a number ≥ 0, not -3"),
        (r#"[{"client":1,"op":"read","invoke":null}]"#, "operation 0 (line 1): 'invoke' must be a number ≥ 0, not null"),
        (r#"[{"client":1,"op":"read","invoke":"0"}]"#, "operation 0 (line 1): 'invoke' must be a number ≥ 0, not a string"),
        (r#"[{"client":1,"op":"read","invoke":0,"response":-0.5}]"#, "operation 0 (line 1): 'response' must be a number ≥ 0, not -0.5"),
        (r#"[{"client":1,"op":"read","invoke":1e20}]"#, "operation 0 (line 1): 'invoke' 100000000000000000000 is too large (at most 18446744073709551615)"),
        (
            r#"[{"client":1,"op":"read","invoke":0.5},{"client":1,"op":"read","invoke":2e13}]"#,
            "operation 1 (line 1): 'invoke' 20000000000000 is too large: with fractional times in the file, every time is scaled to millionths and must be at most 18000000000000",
        ),
        ("[\n{\"client\":1,\"op\":\"read\",\"invoke\":7,\"response\":5}]", "operation 0 (line 2): 'response' (5) is before 'invoke' (7)"),
        (r#"[{"client":1,"op":"read","invoke":0,"invoke":1}]"#, "operation 0 (line 1): 'invoke' is given twice"),
        ("[{\"client\":1,\"op\":\"read\",\"invoke\":0, \"x\":\"a\\\"],[\"},\n{\"client\":1}]", "operation 1 (line 2): 'op' is missing"),
    ];
    for (text, expected) in cases {
        match from_json(text) {
            Ok(h) => panic!("{text:?} was accepted: {h:?}"),
            Err(e) => assert_eq!(e.to_string(), *expected, "{text:?}"),
        }
    }
    let long = format!(
        r#"[{{"client":1,"op":"write","value":"{}","invoke":0}}]"#,
        "é".repeat(1_001)
    );
    assert_eq!(
        from_json(&long).unwrap_err().to_string(),
        "operation 0 (line 1): 'value' is a string longer than 1000 characters"
    );
    let many = format!("[{}{{}}]", "{},".repeat(MAX_OPS));
    assert_eq!(
        from_json(&many).unwrap_err().to_string(),
        "the history has 100001 operations; the limit is 100000"
    );
    // Ignored fields are skipped without recursion, however deep; known
    // fields and operations nested too deeply are syntax errors.
    let deep = format!(
        "[{{\"client\":1,\"x\":{}{}}}]",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    assert_eq!(
        from_json(&deep).unwrap_err().to_string(),
        "operation 0 (line 1): 'op' is missing"
    );
    let deep = format!(
        "[{{\"client\":1,\"op\":\"read\",\"invoke\":0,\"value\":{}{}}}]",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    assert_eq!(
        from_json(&deep).unwrap_err().to_string(),
        "operation 0 (line 1): 'value' must be an integer, a string or null, not an array"
    );
    let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    assert_eq!(
        from_json(&deep).unwrap_err().to_string(),
        "operation 0 (line 1): an operation must be a JSON object, not an array"
    );
    assert_eq!(
        super::json::from_slice(b"[\xff]").unwrap_err().to_string(),
        "the input is not UTF-8 (byte 1)"
    );
}
