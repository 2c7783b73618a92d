//! What a learner or a scenario script can do to a run: faults and
//! protocol commands. Each has a compact, URL-safe text form so that a link
//! reproduces every injected event, e.g. `crash.2`, `part.0-1~2-3-4`,
//! `cmd.5.submit-2-17`, `clock.2.-200000` (step node 2's clock to 200 ms
//! behind true time), `drift.3.100` (node 3's clock runs 100 ppm fast),
//! `pause.1.800000` (node 1 stops for 800 ms), `dup.42` (message 42
//! arrives twice). A clock or pause value out
//! of range is refused with a message rather than clamped silently; the
//! world clamps the same inputs built in code.

use super::clock::{DRIFT_PPM_MAX, OFFSET_US_MAX};
use super::net::NodeId;
use super::world::PAUSE_US_MAX;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A node named directly, or by role at the moment the input applies.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Who {
    Id(NodeId),
    /// The current leader, as the protocol defines it; an input naming a
    /// leader when there is none does nothing and says so.
    Leader,
}

/// An injected event. `C` is the lab's own command type.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Input<C> {
    Crash(Who),
    Restart(Who),
    /// Cut a node off from every other node, both ways.
    Isolate(Who),
    /// Split nodes into groups; nodes not named form one more group.
    Partition(Vec<Vec<NodeId>>),
    /// Remove every partition and cut.
    Heal,
    /// Cut the link from `.0` to `.1`, one way.
    Cut(NodeId, NodeId),
    /// Drop one message in flight, by its id.
    Drop(u64),
    /// Send a second copy of one message in flight, by its id: the copy
    /// leaves when the original does (now, if it already has) and takes
    /// its own latency on the same link, so it may overtake the original
    /// or trail it. It is not subject to random loss (it is the fault),
    /// but partitions, cuts and a down receiver stop it as any message.
    Duplicate(u64),
    /// Multiply the latency of everything a node sends or receives (1 = normal).
    Slow(Who, u8),
    /// Set the latency range (µs) of the link from `.0` to `.1`, one way.
    LinkLatency(NodeId, NodeId, u64, u64),
    /// Step a node's clock so it reads this far (µs) from true time
    /// (negative: behind), within ±[`OFFSET_US_MAX`].
    ClockOffset(Who, i64),
    /// Make a node's clock run this many ppm fast (negative: slow), within
    /// ±[`DRIFT_PPM_MAX`], continuing from its current reading.
    ClockDrift(Who, i32),
    /// Stop a node for this long (µs, 1 to [`PAUSE_US_MAX`]) without
    /// crashing it, as a garbage collector's stop-the-world pause does.
    Pause(Who, u64),
    /// A lab-specific command, delivered to a node.
    Command(Who, C),
}

/// A lab command's text form, for links. Implementations must never
/// panic on any input to `parse`.
pub trait CommandCodec: Sized {
    fn encode(&self) -> String;
    fn parse(s: &str) -> Result<Self, String>;
}

fn who_str(w: &Who) -> String {
    match w {
        Who::Id(n) => n.0.to_string(),
        Who::Leader => "L".into(),
    }
}

fn parse_who(s: &str, n_nodes: usize) -> Result<Who, String> {
    if s == "L" {
        return Ok(Who::Leader);
    }
    Ok(Who::Id(parse_node(s, n_nodes)?))
}

fn parse_node(s: &str, n_nodes: usize) -> Result<NodeId, String> {
    let v: usize = s
        .parse()
        .map_err(|_| format!("'{s}' is not a node number"))?;
    if v >= n_nodes {
        return Err(if n_nodes == 0 {
            format!("there is no node {v}: this run has no nodes")
        } else {
            format!(
                "there is no node {v} (a link numbers this run's nodes 0–{}, clients included)",
                n_nodes - 1
            )
        });
    }
    Ok(NodeId(v as u8))
}

impl<C: CommandCodec> Input<C> {
    pub fn encode(&self) -> String {
        match self {
            Input::Crash(w) => format!("crash.{}", who_str(w)),
            Input::Restart(w) => format!("restart.{}", who_str(w)),
            Input::Isolate(w) => format!("iso.{}", who_str(w)),
            Input::Partition(groups) => {
                let gs: Vec<String> = groups
                    .iter()
                    .map(|g| {
                        g.iter()
                            .map(|n| n.0.to_string())
                            .collect::<Vec<_>>()
                            .join("-")
                    })
                    .collect();
                format!("part.{}", gs.join("~"))
            }
            Input::Heal => "heal".into(),
            Input::Cut(a, b) => format!("cut.{}.{}", a.0, b.0),
            Input::Drop(id) => format!("drop.{id}"),
            Input::Duplicate(id) => format!("dup.{id}"),
            Input::Slow(w, f) => format!("slow.{}.{f}", who_str(w)),
            Input::LinkLatency(a, b, lo, hi) => format!("lat.{}.{}-{lo}-{hi}", a.0, b.0),
            Input::ClockOffset(w, offset_us) => format!("clock.{}.{offset_us}", who_str(w)),
            Input::ClockDrift(w, drift_ppm) => format!("drift.{}.{drift_ppm}", who_str(w)),
            Input::Pause(w, for_us) => format!("pause.{}.{for_us}", who_str(w)),
            Input::Command(w, c) => format!("cmd.{}.{}", who_str(w), c.encode()),
        }
    }

    /// Parses [`Input::encode`]'s form, checking node numbers against `n_nodes`.
    pub fn parse(s: &str, n_nodes: usize) -> Result<Input<C>, String> {
        let mut parts = s.splitn(3, '.');
        let head = parts.next().unwrap_or("");
        let a = parts.next();
        let b = parts.next();
        fn need<'x>(x: Option<&'x str>, s: &str) -> Result<&'x str, String> {
            x.ok_or_else(|| format!("'{s}' is missing a part"))
        }
        match head {
            "crash" => Ok(Input::Crash(parse_who(need(a, s)?, n_nodes)?)),
            "restart" => Ok(Input::Restart(parse_who(need(a, s)?, n_nodes)?)),
            "iso" => Ok(Input::Isolate(parse_who(need(a, s)?, n_nodes)?)),
            "heal" => Ok(Input::Heal),
            "part" => {
                let body = need(a, s)?;
                let mut groups = Vec::new();
                for g in body.split('~') {
                    let mut members = Vec::new();
                    for m in g.split('-').filter(|m| !m.is_empty()) {
                        members.push(parse_node(m, n_nodes)?);
                    }
                    groups.push(members);
                }
                if groups.len() > 16 {
                    return Err("too many partition groups".into());
                }
                Ok(Input::Partition(groups))
            }
            "cut" => Ok(Input::Cut(
                parse_node(need(a, s)?, n_nodes)?,
                parse_node(need(b, s)?, n_nodes)?,
            )),
            "drop" => {
                let id = need(a, s)?
                    .parse()
                    .map_err(|_| format!("'{s}': bad message id"))?;
                Ok(Input::Drop(id))
            }
            "dup" => {
                let id = need(a, s)?
                    .parse()
                    .map_err(|_| format!("'{s}': bad message id"))?;
                Ok(Input::Duplicate(id))
            }
            "slow" => {
                let w = parse_who(need(a, s)?, n_nodes)?;
                let f: u8 = need(b, s)?
                    .parse()
                    .map_err(|_| format!("'{s}': bad slow factor"))?;
                Ok(Input::Slow(w, f.clamp(1, 20)))
            }
            "lat" => {
                let from = parse_node(need(a, s)?, n_nodes)?;
                let rest: Vec<&str> = need(b, s)?.split('-').collect();
                let [to, lo, hi] = rest[..] else {
                    return Err(format!("'{s}': expected lat.FROM.TO-MIN-MAX"));
                };
                let to = parse_node(to, n_nodes)?;
                let lo: u64 = lo
                    .parse()
                    .map_err(|_| format!("'{s}': bad minimum latency"))?;
                let hi: u64 = hi
                    .parse()
                    .map_err(|_| format!("'{s}': bad maximum latency"))?;
                if lo > hi || hi > super::net::LATENCY_US_MAX {
                    return Err(format!(
                        "'{s}': latency must satisfy MIN <= MAX <= {}",
                        super::net::LATENCY_US_MAX
                    ));
                }
                Ok(Input::LinkLatency(from, to, lo, hi))
            }
            "clock" => {
                let w = parse_who(need(a, s)?, n_nodes)?;
                let offset_us: i64 = need(b, s)?
                    .parse()
                    .map_err(|_| format!("'{s}': bad clock offset (µs)"))?;
                if offset_us.unsigned_abs() > OFFSET_US_MAX.unsigned_abs() {
                    return Err(format!(
                        "'{s}': a clock offset must be within ±{OFFSET_US_MAX} µs"
                    ));
                }
                Ok(Input::ClockOffset(w, offset_us))
            }
            "drift" => {
                let w = parse_who(need(a, s)?, n_nodes)?;
                let drift_ppm: i32 = need(b, s)?
                    .parse()
                    .map_err(|_| format!("'{s}': bad clock drift (ppm)"))?;
                if drift_ppm.unsigned_abs() > DRIFT_PPM_MAX.unsigned_abs() {
                    return Err(format!(
                        "'{s}': a clock drift must be within ±{DRIFT_PPM_MAX} ppm"
                    ));
                }
                Ok(Input::ClockDrift(w, drift_ppm))
            }
            "pause" => {
                let w = parse_who(need(a, s)?, n_nodes)?;
                let for_us: u64 = need(b, s)?
                    .parse()
                    .map_err(|_| format!("'{s}': bad pause length (µs)"))?;
                if !(1..=PAUSE_US_MAX).contains(&for_us) {
                    return Err(format!("'{s}': a pause lasts 1 to {PAUSE_US_MAX} µs"));
                }
                Ok(Input::Pause(w, for_us))
            }
            "cmd" => {
                let w = parse_who(need(a, s)?, n_nodes)?;
                Ok(Input::Command(w, C::parse(need(b, s)?)?))
            }
            _ => Err(format!("unknown event '{s}'")),
        }
    }
}

impl fmt::Display for Who {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Who::Id(n) => write!(f, "node {}", n.0),
            Who::Leader => f.write_str("the leader"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Debug, PartialEq)]
    struct Poke(u8);
    impl CommandCodec for Poke {
        fn encode(&self) -> String {
            format!("poke-{}", self.0)
        }
        fn parse(s: &str) -> Result<Self, String> {
            s.strip_prefix("poke-")
                .and_then(|v| v.parse().ok())
                .map(Poke)
                .ok_or("bad poke".into())
        }
    }

    #[test]
    fn every_input_round_trips() {
        let inputs: Vec<Input<Poke>> = vec![
            Input::Crash(Who::Id(NodeId(2))),
            Input::Restart(Who::Leader),
            Input::Isolate(Who::Id(NodeId(0))),
            Input::Partition(vec![
                vec![NodeId(0), NodeId(1)],
                vec![NodeId(2), NodeId(3), NodeId(4)],
            ]),
            Input::Heal,
            Input::Cut(NodeId(1), NodeId(3)),
            Input::Drop(1234),
            Input::Duplicate(77),
            Input::Slow(Who::Id(NodeId(4)), 5),
            Input::LinkLatency(NodeId(0), NodeId(3), 1_000, 250_000),
            Input::ClockOffset(Who::Id(NodeId(2)), 200_000),
            Input::ClockOffset(Who::Leader, -OFFSET_US_MAX),
            Input::ClockDrift(Who::Id(NodeId(3)), 100),
            Input::ClockDrift(Who::Id(NodeId(0)), -DRIFT_PPM_MAX),
            Input::Pause(Who::Id(NodeId(1)), 800_000),
            Input::Pause(Who::Leader, PAUSE_US_MAX),
            Input::Command(Who::Leader, Poke(9)),
        ];
        for i in inputs {
            assert_eq!(
                Input::parse(&i.encode(), 5),
                Ok(i.clone()),
                "{}",
                i.encode()
            );
        }
    }

    #[test]
    fn bad_text_is_an_error_not_a_panic() {
        for s in [
            "",
            "crash",
            "crash.9",
            "crash.-1",
            "part.0-x",
            "cut.1",
            "drop.zz",
            "dup",
            "dup.-1",
            "dup.x",
            "cmd.1.nope",
            "slow.1.999",
            "ü.ü",
            "crash.L.L",
            "lat.0.1",
            "lat.0.1-5",
            "lat.0.1-9-3",
            "lat.0.7-1-2",
            "lat.0.1-1-99999999",
            "clock.1",
            "clock.1.x",
            "clock.9.5",
            "clock.1.3600000001",
            "clock.1.-99999999999999999999",
            "drift.2",
            "drift.2.1.5",
            "drift.2.100001",
            "drift.2.-100001",
            "drift.2.99999999999",
            "pause.1",
            "pause.1.0",
            "pause.1.-5",
            "pause.1.60000001",
            "pause.1.1e6",
            "pause.x.5",
        ] {
            let r: Result<Input<Poke>, String> = Input::parse(s, 5);
            assert!(r.is_err() || s == "crash.L.L", "{s} parsed as {r:?}");
        }
    }
}
