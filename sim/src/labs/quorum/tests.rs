//! Quorum arithmetic from text tables: one row per configuration, every
//! field named, so a row reads like the sentence it checks. A brute-force
//! search over every pair of member sets then confirms the overlap rules
//! themselves, not just the formulas.

use super::*;
use std::collections::BTreeMap;

/// One row of a table: its line number and its `key=value` fields.
struct Row<'a> {
    line: usize,
    fields: BTreeMap<&'a str, &'a str>,
}

impl Row<'_> {
    fn num(&self, key: &str) -> usize {
        let v = self
            .fields
            .get(key)
            .unwrap_or_else(|| panic!("line {}: no {key}", self.line));
        v.parse()
            .unwrap_or_else(|_| panic!("line {}: {key}={v} is not a number", self.line))
    }
    fn flag(&self, key: &str) -> bool {
        match self.fields.get(key).copied() {
            Some("true") => true,
            Some("false") => false,
            other => panic!(
                "line {}: {key} must be true or false, not {other:?}",
                self.line
            ),
        }
    }
    fn text(&self, key: &str) -> Option<&str> {
        self.fields.get(key).copied()
    }
}

/// The rows of `table`; blank lines and `#` comments are skipped, and a
/// key outside `keys` is an error (a typo must not turn a check off).
fn rows<'a>(table: &'a str, keys: &[&str]) -> Vec<Row<'a>> {
    let mut out = Vec::new();
    for (i, line) in table.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut fields = BTreeMap::new();
        for token in line.split_whitespace() {
            let (k, v) = token
                .split_once('=')
                .unwrap_or_else(|| panic!("line {}: '{token}' is not key=value", i + 1));
            assert!(keys.contains(&k), "line {}: unknown key {k}", i + 1);
            assert!(fields.insert(k, v).is_none(), "line {}: {k} twice", i + 1);
        }
        out.push(Row {
            line: i + 1,
            fields,
        });
    }
    assert!(!out.is_empty(), "an empty table checks nothing");
    out
}

const MAJORITIES: &str = "
# n: members; majority: the smallest majority; tolerates: failures it survives.
n=0 majority=1 tolerates=0
n=1 majority=1 tolerates=0
n=2 majority=2 tolerates=0
n=3 majority=2 tolerates=1
n=4 majority=3 tolerates=1
n=5 majority=3 tolerates=2
n=6 majority=4 tolerates=2
n=7 majority=4 tolerates=3
n=9 majority=5 tolerates=4
n=255 majority=128 tolerates=127
";

#[test]
fn majorities_and_the_failures_they_survive() {
    for row in rows(MAJORITIES, &["n", "majority", "tolerates"]) {
        let n = row.num("n");
        assert_eq!(
            majority(n),
            row.num("majority"),
            "line {}: majority of {n}",
            row.line
        );
        assert_eq!(
            majority_tolerates(n),
            row.num("tolerates"),
            "line {}: failures for {n}",
            row.line
        );
        if n > 0 {
            assert!(
                is_majority(majority(n), n) && !is_majority(majority(n) - 1, n),
                "line {}: not the smallest",
                row.line
            );
            assert_eq!(
                Quorums::majority(n).write_tolerates(),
                majority_tolerates(n),
                "line {}",
                row.line
            );
            // Surviving f failures takes 2f + 1 members; one more adds nothing.
            assert!(
                members_to_tolerate(majority_tolerates(n)) <= n,
                "line {}",
                row.line
            );
            assert_eq!(
                members_to_tolerate(majority_tolerates(n)) == n,
                n % 2 == 1,
                "line {}",
                row.line
            );
        }
    }
}

const IS_MAJORITY: &str = "
k=0 n=0 majority=false
k=1 n=1 majority=true
k=1 n=2 majority=false
k=2 n=4 majority=false
k=3 n=4 majority=true
k=3 n=5 majority=true
k=2 n=5 majority=false
k=9 n=5 majority=true
";

#[test]
fn a_count_is_a_majority_when_twice_it_exceeds_n() {
    for row in rows(IS_MAJORITY, &["k", "n", "majority"]) {
        let (k, n) = (row.num("k"), row.num("n"));
        assert_eq!(
            is_majority(k, n),
            row.flag("majority"),
            "line {}: {k} of {n}",
            row.line
        );
        assert_eq!(
            is_majority(k, n),
            k >= majority(n),
            "line {}: the two rules disagree",
            row.line
        );
    }
}

const QUORUMS: &str = "
# overlap: every read quorum meets every write quorum (R + W > N).
# writes_meet: every two write quorums meet (2W > N).
# wt, rt: failures writes and reads survive (N - W, N - R).
n=1 w=1 r=1 overlap=true  writes_meet=true  wt=0 rt=0
n=2 w=1 r=1 overlap=false writes_meet=false wt=1 rt=1
n=2 w=2 r=1 overlap=true  writes_meet=true  wt=0 rt=1
n=3 w=2 r=2 overlap=true  writes_meet=true  wt=1 rt=1
n=3 w=1 r=3 overlap=true  writes_meet=false wt=2 rt=0
n=3 w=3 r=1 overlap=true  writes_meet=true  wt=0 rt=2
n=3 w=1 r=1 overlap=false writes_meet=false wt=2 rt=2
n=4 w=2 r=2 overlap=false writes_meet=false wt=2 rt=2
n=4 w=3 r=2 overlap=true  writes_meet=true  wt=1 rt=2
n=5 w=3 r=3 overlap=true  writes_meet=true  wt=2 rt=2
n=5 w=3 r=2 overlap=false writes_meet=true  wt=2 rt=3
n=5 w=2 r=4 overlap=true  writes_meet=false wt=3 rt=1
n=5 w=2 r=2 overlap=false writes_meet=false wt=3 rt=3
n=5 w=5 r=1 overlap=true  writes_meet=true  wt=0 rt=4
n=9 w=5 r=5 overlap=true  writes_meet=true  wt=4 rt=4
n=9 w=1 r=9 overlap=true  writes_meet=false wt=8 rt=0
";

#[test]
fn read_and_write_quorums_overlap_when_r_plus_w_exceeds_n() {
    for row in rows(
        QUORUMS,
        &["n", "w", "r", "overlap", "writes_meet", "wt", "rt"],
    ) {
        let (n, w, r) = (row.num("n"), row.num("w"), row.num("r"));
        let q = Quorums::new(n, w, r).unwrap_or_else(|e| panic!("line {}: {e}", row.line));
        assert_eq!((q.n(), q.w(), q.r()), (n, w, r));
        assert_eq!(
            q.reads_see_writes(),
            row.flag("overlap"),
            "line {}: N={n} W={w} R={r}",
            row.line
        );
        assert_eq!(
            q.writes_meet(),
            row.flag("writes_meet"),
            "line {}: N={n} W={w}",
            row.line
        );
        assert_eq!(q.write_tolerates(), row.num("wt"), "line {}", row.line);
        assert_eq!(q.read_tolerates(), row.num("rt"), "line {}", row.line);
        assert_eq!(
            Quorums::clamped(n, w, r),
            q,
            "line {}: clamping a valid triple changed it",
            row.line
        );
    }
}

const REFUSED: &str = "
# A triple that is not a quorum system cannot be built.
n=0 w=1 r=1 error=NoMembers
n=0 w=0 r=0 error=NoMembers
n=3 w=0 r=1 error=ZeroWrite
n=3 w=0 r=0 error=ZeroWrite
n=3 w=2 r=0 error=ZeroRead
n=3 w=4 r=1 error=WriteAboveN
n=3 w=2 r=4 error=ReadAboveN
n=1 w=1 r=2 error=ReadAboveN
";

#[test]
fn zero_and_oversized_quorums_are_refused() {
    for row in rows(REFUSED, &["n", "w", "r", "error"]) {
        let (n, w, r) = (row.num("n"), row.num("w"), row.num("r"));
        let got = Quorums::new(n, w, r).map_err(|e| format!("{e:?}"));
        assert_eq!(
            got,
            Err(row.text("error").unwrap().to_string()),
            "line {}: N={n} W={w} R={r}",
            row.line
        );
    }
    assert_eq!(QuorumError::ZeroWrite.to_string(), "W is 0");
}

const CLAMPED: &str = "
# Out-of-range values move to the nearest quorum system (to_*), as the
# register's configuration does; strict_r: the smallest R meeting every W.
n=0 w=0 r=0 to_n=1 to_w=1 to_r=1 strict_r=1
n=3 w=0 r=9 to_n=3 to_w=1 to_r=3 strict_r=3
n=3 w=9 r=2 to_n=3 to_w=3 to_r=2 strict_r=1
n=5 w=2 r=2 to_n=5 to_w=2 to_r=2 strict_r=4
n=5 w=3 r=3 to_n=5 to_w=3 to_r=3 strict_r=3
n=1 w=1 r=1 to_n=1 to_w=1 to_r=1 strict_r=1
";

#[test]
fn clamping_and_the_smallest_overlapping_read() {
    for row in rows(
        CLAMPED,
        &["n", "w", "r", "to_n", "to_w", "to_r", "strict_r"],
    ) {
        let (n, w, r) = (row.num("n"), row.num("w"), row.num("r"));
        let q = Quorums::clamped(n, w, r);
        assert_eq!(
            (q.n(), q.w(), q.r()),
            (row.num("to_n"), row.num("to_w"), row.num("to_r")),
            "line {}",
            row.line
        );
        let strict = Quorums::strict_with_write(n, w);
        assert_eq!(
            (strict.w(), strict.r()),
            (q.w(), row.num("strict_r")),
            "line {}",
            row.line
        );
        assert!(
            strict.reads_see_writes(),
            "line {}: the strict R does not overlap",
            row.line
        );
        if strict.r() > 1 {
            assert!(
                !Quorums::clamped(n, w, strict.r() - 1).reads_see_writes(),
                "line {}: a smaller R overlaps too",
                row.line
            );
        }
    }
    assert_eq!(Quorums::any(5), Quorums::new(5, 1, 1).unwrap());
    assert_eq!(
        Quorums::majority(0),
        Quorums::new(1, 1, 1).unwrap(),
        "a cluster has at least one member"
    );
}

/// The rules themselves: for every N up to 7 and every W and R, the
/// formula agrees with a search over all pairs of member sets.
#[test]
fn overlap_rules_match_a_search_over_every_pair_of_sets() {
    for n in 1..=7usize {
        let sets = |k: usize| (0u32..1 << n).filter(move |s| s.count_ones() as usize == k);
        for w in 1..=n {
            let writes_meet = sets(w).all(|a| sets(w).all(|b| a & b != 0));
            assert_eq!(
                Quorums::new(n, w, 1).unwrap().writes_meet(),
                writes_meet,
                "N={n} W={w}"
            );
            for r in 1..=n {
                let meet = sets(w).all(|a| sets(r).all(|b| a & b != 0));
                assert_eq!(
                    Quorums::new(n, w, r).unwrap().reads_see_writes(),
                    meet,
                    "N={n} W={w} R={r}"
                );
            }
        }
        let m = majority(n);
        assert!(
            sets(m).all(|a| sets(m).all(|b| a & b != 0)),
            "N={n}: majorities must meet"
        );
        assert!(
            m == 1 || !sets(m - 1).all(|a| sets(m - 1).all(|b| a & b != 0)),
            "N={n}: a smaller quorum meets itself"
        );
    }
}
