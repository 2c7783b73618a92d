//! A lab's parameter table, and reading parameters from text (link query
//! values, CLI flags) without ever panicking.
//!
//! Each lab lists its parameters once, as a table of [`Param`]s: the key
//! a link uses, a label, the unit, the allowed range or choices, the text
//! settings show, and how to read and write the value in the lab's
//! config. Everything else is derived from that table: reading a link
//! ([`read`]), writing one ([`write`]), the settings form, the CLI's
//! `list` output and `--param` flags, and the warnings a bad value gets.
//! No view restates a range.
//!
//! Reading follows one rule for every lab. A value that does not parse
//! keeps the base value; a value outside its range is clamped to it; then
//! the lab's own `clamp` enforces the rules between parameters (W ≤ N),
//! and a value it changed gets a warning too. Every problem is a warning
//! the UI shows; nothing here fails.

use std::collections::BTreeMap;
use std::fmt::Write as _;

/// One choice of a [`Kind::Choice`] parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Choice {
    /// The value in links (`cp`).
    pub value: &'static str,
    /// What settings show (`CP: majority quorums`).
    pub label: &'static str,
}

/// What values a parameter takes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Kind {
    /// A whole number in `[min, max]`.
    Int { min: i64, max: i64 },
    /// A number in `[min, max]`.
    Float { min: f64, max: f64 },
    /// Two whole numbers written `a-b`, each in `[min, max]`, `a ≤ b`.
    Range { min: u64, max: u64 },
    /// On or off, written `1` or `0`.
    Flag,
    /// One of a few named values.
    Choice(&'static [Choice]),
    /// Whole numbers written `a,b,c`, one per node, each in `[min, max]`.
    List { min: i64, max: i64 },
}

/// A parameter's value, as the table reads and writes it.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Int(i64),
    Float(f64),
    Range(u64, u64),
    Flag(bool),
    Choice(&'static str),
    List(Vec<i64>),
}

impl Value {
    /// The text form links use.
    pub fn text(&self) -> String {
        match self {
            Value::Int(v) => v.to_string(),
            Value::Float(v) => format!("{v}"),
            Value::Range(a, b) => format!("{a}-{b}"),
            Value::Flag(b) => (*b as u8).to_string(),
            Value::Choice(c) => (*c).to_string(),
            Value::List(vs) => vs
                .iter()
                .map(|v| v.to_string())
                .collect::<Vec<_>>()
                .join(","),
        }
    }
    pub fn as_int(&self) -> i64 {
        match self {
            Value::Int(v) => *v,
            Value::Flag(b) => *b as i64,
            Value::Float(f) => *f as i64,
            _ => 0,
        }
    }
    pub fn as_float(&self) -> f64 {
        match self {
            Value::Float(f) => *f,
            Value::Int(v) => *v as f64,
            _ => 0.0,
        }
    }
    pub fn as_flag(&self) -> bool {
        matches!(self, Value::Flag(true))
    }
    pub fn as_range(&self) -> (u64, u64) {
        match self {
            Value::Range(a, b) => (*a, *b),
            _ => (0, 0),
        }
    }
    pub fn as_list(&self) -> Vec<i64> {
        match self {
            Value::List(v) => v.clone(),
            _ => Vec::new(),
        }
    }
    pub fn as_choice(&self) -> &'static str {
        match self {
            Value::Choice(c) => c,
            _ => "",
        }
    }
}

/// Where settings put a parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Group {
    /// An ordinary setting.
    Setting,
    /// A safety rule of the protocol; switching it off breaks an invariant.
    Safety,
}

/// How settings show a value whose link unit is not the friendliest:
/// latency in µs shown in ms, a probability shown in %.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Shown {
    pub unit: &'static str,
    /// Shown value = link value × factor.
    pub factor: f64,
}

/// One row of a lab's parameter table, for config type `C`.
pub struct Param<C> {
    /// The key in links and in the CLI's `--param key=value`.
    pub key: &'static str,
    pub label: &'static str,
    /// The unit of the value in links ("ms", "µs", "" for a count).
    pub unit: &'static str,
    /// How settings show it, if not in `unit`.
    pub shown: Option<Shown>,
    pub kind: Kind,
    /// One sentence for settings: what it does.
    pub help: &'static str,
    pub group: Group,
    pub get: fn(&C) -> Value,
    pub set: fn(&mut C, Value),
    /// Bounds that depend on other parameters (W is at most N), read from
    /// the config as it stands when this parameter is read; `None`: the
    /// kind's own. Parameters are read in table order.
    pub limit: Option<fn(&C) -> (i64, i64)>,
    /// The rule the lab's clamp applies beyond the range, for warnings
    /// ("0 (off) or 10–10,000 ms").
    pub rule: &'static str,
    /// Whether the parameter matters in a configuration (anti-entropy
    /// does not in CP mode); settings grey it out when it does not.
    /// `None`: always.
    pub when: Option<fn(&C) -> bool>,
}

impl<C> Param<C> {
    /// A setting shown plainly, with no getter or setter yet: a table
    /// fills those in with struct update syntax.
    pub const fn new(
        key: &'static str,
        label: &'static str,
        unit: &'static str,
        kind: Kind,
        help: &'static str,
    ) -> Param<C> {
        Param {
            key,
            label,
            unit,
            shown: None,
            kind,
            help,
            group: Group::Setting,
            get: |_| Value::Int(0),
            set: |_, _| {},
            limit: None,
            rule: "",
            when: None,
        }
    }
}

/// A parameter as the registry and the CLI see it, without its config type.
#[derive(Clone, Debug, PartialEq)]
pub struct ParamInfo {
    pub key: &'static str,
    pub label: &'static str,
    pub unit: &'static str,
    pub shown: Option<Shown>,
    pub kind: Kind,
    pub help: &'static str,
    pub group: Group,
    /// The value in the lab's default configuration.
    pub default: Value,
}

impl<C> Param<C> {
    pub fn info(&self, default: &C) -> ParamInfo {
        ParamInfo {
            key: self.key,
            label: self.label,
            unit: self.unit,
            shown: self.shown,
            kind: self.kind,
            help: self.help,
            group: self.group,
            default: (self.get)(default),
        }
    }

    /// The bounds this parameter has in `c` (for a range, of each end).
    pub fn bounds(&self, c: &C) -> Option<(f64, f64)> {
        if let Some(f) = self.limit {
            let (lo, hi) = f(c);
            return Some((lo as f64, hi as f64));
        }
        kind_bounds(&self.kind)
    }
}

/// The static bounds of a kind, if it has any.
pub fn kind_bounds(k: &Kind) -> Option<(f64, f64)> {
    match *k {
        Kind::Int { min, max } | Kind::List { min, max } => Some((min as f64, max as f64)),
        Kind::Float { min, max } => Some((min, max)),
        Kind::Range { min, max } => Some((min as f64, max as f64)),
        Kind::Flag => Some((0.0, 1.0)),
        Kind::Choice(_) => None,
    }
}

/// A number for messages: `10000` as `10,000`, `0.5` as `0.5`.
pub fn fmt_num(v: f64) -> String {
    if v.fract() != 0.0 || !v.is_finite() {
        return format!("{v}");
    }
    let neg = v < 0.0;
    let digits = format!("{}", v.abs() as u128);
    let mut out = String::new();
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if neg {
        format!("−{out}")
    } else {
        out
    }
}

/// Shortens what a link said for a message: at most 24 characters.
fn quote(raw: &str) -> String {
    let mut s: String = raw.chars().take(24).collect();
    if raw.chars().count() > 24 {
        s.push('…');
    }
    s
}

/// Parses one value of `kind` from text, checking `bounds`. Returns the
/// value (clamped if it was out of range) and a warning, if any; `None`
/// when the text is not a value of that kind at all.
pub fn parse_value(
    key: &str,
    kind: &Kind,
    bounds: Option<(f64, f64)>,
    raw: &str,
) -> (Option<Value>, Option<String>) {
    let t = raw.trim();
    let (lo, hi) = bounds.unwrap_or((f64::MIN, f64::MAX));
    // "outside 1–9", or for a range of one value "not allowed here (only 1 is)".
    let range_text = if lo == hi {
        format!("not allowed here (only {} is)", fmt_num(lo))
    } else {
        format!("outside {}–{}", fmt_num(lo), fmt_num(hi))
    };
    match kind {
        Kind::Int { .. } => match t.parse::<i64>() {
            Ok(v) if (v as f64) < lo || (v as f64) > hi => {
                let c = (v as f64).clamp(lo, hi) as i64;
                (
                    Some(Value::Int(c)),
                    Some(format!("{key}={v} is {range_text}; using {c}")),
                )
            }
            Ok(v) => (Some(Value::Int(v)), None),
            Err(_) => (
                None,
                Some(format!("{key}='{}' is not a whole number", quote(raw))),
            ),
        },
        Kind::Float { .. } => match t.parse::<f64>() {
            Ok(v) if v.is_finite() && (v < lo || v > hi) => {
                let c = v.clamp(lo, hi);
                (
                    Some(Value::Float(c)),
                    Some(format!("{key}={v} is {range_text}; using {c}")),
                )
            }
            Ok(v) if v.is_finite() => (Some(Value::Float(v)), None),
            _ => (
                None,
                Some(format!("{key}='{}' is not a number", quote(raw))),
            ),
        },
        Kind::Range { .. } => {
            let parsed = t.split_once('-').and_then(|(a, b)| {
                Some((a.trim().parse::<u64>().ok()?, b.trim().parse::<u64>().ok()?))
            });
            match parsed {
                Some((a, b)) => {
                    let cl = |x: u64| (x as f64).clamp(lo.max(0.0), hi) as u64;
                    let (ca, cb) = (cl(a), cl(b));
                    let (ca, cb) = (ca.min(cb), ca.max(cb));
                    let warn = ((ca, cb) != (a, b)).then(|| {
                        format!(
                            "{key}={} adjusted to {ca}-{cb} (allowed {range_text}, low end first)",
                            quote(raw)
                        )
                    });
                    (Some(Value::Range(ca, cb)), warn)
                }
                None => (
                    None,
                    Some(format!(
                        "{key}='{}' is not a range like 150-300",
                        quote(raw)
                    )),
                ),
            }
        }
        Kind::Flag => match t {
            "1" | "on" | "true" => (Some(Value::Flag(true)), None),
            "0" | "off" | "false" => (Some(Value::Flag(false)), None),
            _ => (None, Some(format!("{key}='{}' is not 1 or 0", quote(raw)))),
        },
        Kind::Choice(choices) => match choices.iter().find(|c| c.value == t) {
            Some(c) => (Some(Value::Choice(c.value)), None),
            None => {
                let names: Vec<&str> = choices.iter().map(|c| c.value).collect();
                (
                    None,
                    Some(format!("{key}='{}' is not {}", quote(raw), or_list(&names))),
                )
            }
        },
        Kind::List { .. } => {
            let mut out = Vec::new();
            let mut warn: Option<String> = None;
            for part in t.split(',') {
                match part.trim().parse::<i64>() {
                    Ok(v) if (v as f64) < lo || (v as f64) > hi => {
                        let c = (v as f64).clamp(lo, hi) as i64;
                        warn.get_or_insert_with(|| {
                            format!("{key}: {v} is {range_text}; using {c}")
                        });
                        out.push(c);
                    }
                    Ok(v) => out.push(v),
                    Err(_) => {
                        return (
                            None,
                            Some(format!(
                                "{key}: '{}' is not a whole number",
                                quote(part.trim())
                            )),
                        )
                    }
                }
            }
            (Some(Value::List(out)), warn)
        }
    }
}

/// `a, b or c`.
pub fn or_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        [rest @ .., last] => format!("{} or {last}", rest.join(", ")),
    }
}

/// Reads `pairs` into a config on top of `base`, by `table`, then applies
/// the lab's `clamp`. Unknown keys are left to the caller. Returns the
/// config and one warning per problem, each ending in what was used.
pub fn read<C: Clone>(
    table: &[Param<C>],
    base: &C,
    pairs: &BTreeMap<String, String>,
    clamp: impl Fn(C) -> C,
) -> (C, Vec<String>) {
    let mut c = base.clone();
    let mut warnings = Vec::new();
    let mut given: Vec<(&Param<C>, Value)> = Vec::new();
    for p in table {
        let Some(raw) = pairs.get(p.key) else {
            continue;
        };
        let (value, warn) = parse_value(p.key, &p.kind, p.bounds(&c), raw);
        match value {
            Some(v) => {
                if let Some(w) = warn {
                    warnings.push(w);
                }
                (p.set)(&mut c, v.clone());
                given.push((p, v));
            }
            None => {
                let kept = (p.get)(&c).text();
                warnings.push(format!("{}; using {kept}", warn.unwrap_or_default()));
            }
        }
    }
    let c = clamp(c);
    for (p, v) in given {
        let now = (p.get)(&c);
        if now != v {
            let mut w = format!("{}={} adjusted to {}", p.key, v.text(), now.text());
            if !p.rule.is_empty() {
                let _ = write!(w, " ({})", p.rule);
            }
            warnings.push(w);
        }
    }
    (c, warnings)
}

/// The parameters of `c` that differ from `base`, as link pairs, in table order.
pub fn write<C>(table: &[Param<C>], c: &C, base: &C) -> Vec<(&'static str, String)> {
    table
        .iter()
        .filter_map(|p| {
            let v = (p.get)(c);
            (v != (p.get)(base)).then(|| (p.key, v.text()))
        })
        .collect()
}

/// Sets one parameter of `c` from text, as [`read`] would, and returns
/// the warnings (empty when the value was taken as given).
pub fn set_one<C: Clone>(
    table: &[Param<C>],
    c: &C,
    key: &str,
    raw: &str,
    clamp: impl Fn(C) -> C,
) -> Result<(C, Vec<String>), String> {
    if !table.iter().any(|p| p.key == key) {
        return Err(format!("there is no setting '{}'", quote(key)));
    }
    let pairs: BTreeMap<String, String> = [(key.to_string(), raw.to_string())].into();
    Ok(read(table, c, &pairs, clamp))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Debug, PartialEq)]
    struct Cfg {
        n: i64,
        w: i64,
        gap: (u64, u64),
        loss: f64,
        on: bool,
        mode: &'static str,
        skew: Vec<i64>,
    }

    const MODES: &[Choice] = &[
        Choice {
            value: "a",
            label: "A",
        },
        Choice {
            value: "b",
            label: "B",
        },
    ];

    fn table() -> Vec<Param<Cfg>> {
        vec![
            Param {
                key: "n",
                label: "Nodes",
                unit: "",
                shown: None,
                kind: Kind::Int { min: 3, max: 9 },
                help: "",
                group: Group::Setting,
                get: |c| Value::Int(c.n),
                set: |c, v| c.n = v.as_int(),
                limit: None,
                rule: "",
                when: None,
            },
            Param {
                key: "w",
                label: "W",
                unit: "",
                shown: None,
                kind: Kind::Int { min: 1, max: 9 },
                help: "",
                group: Group::Setting,
                get: |c| Value::Int(c.w),
                set: |c, v| c.w = v.as_int(),
                limit: Some(|c| (1, c.n)),
                rule: "",
                when: None,
            },
            Param {
                key: "gap",
                label: "Gap",
                unit: "ms",
                shown: None,
                kind: Kind::Range { min: 1, max: 1000 },
                help: "",
                group: Group::Setting,
                get: |c| Value::Range(c.gap.0, c.gap.1),
                set: |c, v| c.gap = v.as_range(),
                limit: None,
                rule: "",
                when: None,
            },
            Param {
                key: "loss",
                label: "Loss",
                unit: "",
                shown: Some(Shown {
                    unit: "%",
                    factor: 100.0,
                }),
                kind: Kind::Float { min: 0.0, max: 0.5 },
                help: "",
                group: Group::Setting,
                get: |c| Value::Float(c.loss),
                set: |c, v| c.loss = v.as_float(),
                limit: None,
                rule: "",
                when: None,
            },
            Param {
                key: "on",
                label: "On",
                unit: "",
                shown: None,
                kind: Kind::Flag,
                help: "",
                group: Group::Safety,
                get: |c| Value::Flag(c.on),
                set: |c, v| c.on = v.as_flag(),
                limit: None,
                rule: "",
                when: None,
            },
            Param {
                key: "mode",
                label: "Mode",
                unit: "",
                shown: None,
                kind: Kind::Choice(MODES),
                help: "",
                group: Group::Setting,
                get: |c| Value::Choice(c.mode),
                set: |c, v| c.mode = v.as_choice(),
                limit: None,
                rule: "",
                when: None,
            },
            Param {
                key: "skew",
                label: "Skew",
                unit: "ms",
                shown: None,
                kind: Kind::List {
                    min: -100,
                    max: 100,
                },
                help: "",
                group: Group::Setting,
                get: |c| Value::List(c.skew.clone()),
                set: |c, v| c.skew = v.as_list(),
                limit: None,
                rule: "one per node",
                when: None,
            },
        ]
    }

    fn base() -> Cfg {
        Cfg {
            n: 5,
            w: 2,
            gap: (150, 300),
            loss: 0.0,
            on: true,
            mode: "a",
            skew: vec![0; 5],
        }
    }

    fn clamp(mut c: Cfg) -> Cfg {
        c.skew.resize(c.n as usize, 0);
        c
    }

    fn pairs(p: &[(&str, &str)]) -> BTreeMap<String, String> {
        p.iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_written_config_reads_back_with_no_warning() {
        let t = table();
        let custom = Cfg {
            n: 7,
            w: 6,
            gap: (12, 24),
            loss: 0.1,
            on: false,
            mode: "b",
            skew: vec![1, -2, 0, 0, 0, 0, 3],
        };
        let written = write(&t, &custom, &base());
        assert_eq!(written.len(), 7);
        let owned: BTreeMap<String, String> = written
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect();
        let (c, w) = read(&t, &base(), &owned, clamp);
        assert_eq!(c, custom);
        assert!(w.is_empty(), "{w:?}");
        assert!(write(&t, &base(), &base()).is_empty());
    }

    #[test]
    fn bad_values_keep_the_base_and_out_of_range_values_clamp_each_with_one_warning() {
        let t = table();
        let (c, w) = read(
            &t,
            &base(),
            &pairs(&[
                ("n", "12"),
                ("w", "11"),
                ("gap", "300-150"),
                ("loss", "NaN"),
                ("on", "maybe"),
                ("mode", "z"),
                ("skew", "5,x"),
            ]),
            clamp,
        );
        assert_eq!(
            (c.n, c.w, c.gap, c.loss, c.on, c.mode),
            (9, 9, (150, 300), 0.0, true, "a")
        );
        assert_eq!(c.skew.len(), 9, "the lab's clamp resized the list");
        assert_eq!(w.len(), 7, "{w:?}");
        assert_eq!(w[0], "n=12 is outside 3–9; using 9");
        assert_eq!(
            w[1], "w=11 is outside 1–9; using 9",
            "the limit reads n as already read"
        );
        assert!(
            w[3].starts_with("loss='NaN' is not a number; using 0"),
            "{}",
            w[3]
        );
        assert_eq!(w[5], "mode='z' is not a or b; using a");
        assert!(w[6].contains("'x' is not a whole number"), "{}", w[6]);
    }

    #[test]
    fn a_rule_of_the_lab_that_changes_a_given_value_is_reported() {
        let t = table();
        let (c, w) = read(&t, &base(), &pairs(&[("skew", "1,2")]), clamp);
        assert_eq!(c.skew, vec![1, 2, 0, 0, 0]);
        assert_eq!(
            w,
            vec!["skew=1,2 adjusted to 1,2,0,0,0 (one per node)".to_string()]
        );
    }

    #[test]
    fn numbers_print_with_thousands_separators() {
        assert_eq!(fmt_num(10_000.0), "10,000");
        assert_eq!(fmt_num(-5_000_000.0), "−5,000,000");
        assert_eq!(fmt_num(0.5), "0.5");
        assert_eq!(fmt_num(999.0), "999");
    }

    #[test]
    fn set_one_refuses_unknown_keys() {
        assert!(set_one(&table(), &base(), "nope", "1", clamp).is_err());
        let (c, w) = set_one(&table(), &base(), "n", "4", clamp).unwrap();
        assert_eq!(c.n, 4);
        assert!(w.is_empty());
    }

    #[test]
    fn a_range_of_one_value_is_named_as_that_value() {
        let (v, w) = parse_value("w", &Kind::Int { min: 1, max: 9 }, Some((1.0, 1.0)), "0");
        assert_eq!(v, Some(Value::Int(1)));
        assert_eq!(
            w.as_deref(),
            Some("w=0 is not allowed here (only 1 is); using 1")
        );
    }
}
