//! The network between nodes: latency, loss, duplication, partitions,
//! one-way cuts, crashed and slow nodes.
//!
//! The network decides a message's fate when it is sent (lost or not, its
//! latency, a duplicate) but checks links and liveness again when it
//! arrives: a partition that starts while a message is in flight drops it,
//! as a cut cable would.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

/// A node's index in the world: servers first, then any clients.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct NodeId(pub u8);

impl NodeId {
    pub fn idx(self) -> usize {
        self.0 as usize
    }
}

/// Network parameters. Latency is uniform in `[latency_us_min, latency_us_max]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NetConfig {
    pub latency_us_min: u64,
    pub latency_us_max: u64,
    /// Probability that a message is lost, in `[0, 0.9]`.
    pub loss: f64,
    /// Probability that a delivered message arrives twice, in `[0, 0.5]`.
    pub duplicate: f64,
}

impl Default for NetConfig {
    fn default() -> Self {
        NetConfig {
            latency_us_min: 10_000,
            latency_us_max: 20_000,
            loss: 0.0,
            duplicate: 0.0,
        }
    }
}

/// Bounds on [`NetConfig`]; values outside are clamped.
pub const LATENCY_US_MAX: u64 = 5_000_000;
pub const LOSS_MAX: f64 = 0.9;
pub const DUPLICATE_MAX: f64 = 0.5;

impl NetConfig {
    pub fn clamped(mut self) -> NetConfig {
        self.latency_us_max = self.latency_us_max.min(LATENCY_US_MAX);
        self.latency_us_min = self.latency_us_min.min(self.latency_us_max);
        self.loss = if self.loss.is_finite() {
            self.loss.clamp(0.0, LOSS_MAX)
        } else {
            0.0
        };
        self.duplicate = if self.duplicate.is_finite() {
            self.duplicate.clamp(0.0, DUPLICATE_MAX)
        } else {
            0.0
        };
        self
    }
}

/// Why the network did not deliver a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DropReason {
    /// Random loss, decided at send time.
    Lost,
    /// The sender and receiver were on different sides of a partition.
    Partition,
    /// The link from sender to receiver was cut one way.
    LinkCut,
    /// The receiver was down when the message arrived.
    ReceiverDown,
    /// The learner dropped it by hand.
    ByHand,
}

impl fmt::Display for DropReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DropReason::Lost => "lost in the network",
            DropReason::Partition => "blocked by the partition",
            DropReason::LinkCut => "blocked by a cut link",
            DropReason::ReceiverDown => "receiver is down",
            DropReason::ByHand => "dropped by hand",
        })
    }
}

/// The live state of the network: who is up, who can reach whom.
#[derive(Clone, Debug, PartialEq)]
pub struct Network {
    pub config: NetConfig,
    /// Partition group of each node; two nodes talk only within a group.
    pub group: Vec<u8>,
    /// One-way cuts: messages from `.0` to `.1` are dropped.
    pub cuts: BTreeSet<(NodeId, NodeId)>,
    pub up: Vec<bool>,
    /// Latency multiplier per node (1 = normal), applied to messages it
    /// sends and receives.
    pub slow: Vec<u8>,
    /// Per-link latency ranges (µs) that replace the default range for
    /// messages from `.0` to `.1`.
    pub link_latency: BTreeMap<(NodeId, NodeId), (u64, u64)>,
}

/// A group number for nodes not named in a partition: they stay together.
pub const REST_GROUP: u8 = u8::MAX;

impl Network {
    pub fn new(n_nodes: usize, config: NetConfig) -> Network {
        Network {
            config: config.clamped(),
            group: vec![0; n_nodes],
            cuts: BTreeSet::new(),
            up: vec![true; n_nodes],
            slow: vec![1; n_nodes],
            link_latency: BTreeMap::new(),
        }
    }

    /// The latency range (µs) of the link from `from` to `to`.
    pub fn latency_range(&self, from: NodeId, to: NodeId) -> (u64, u64) {
        self.link_latency
            .get(&(from, to))
            .copied()
            .unwrap_or((self.config.latency_us_min, self.config.latency_us_max))
    }

    /// Sets one link's latency range, clamped like [`NetConfig`]'s.
    pub fn set_link_latency(&mut self, from: NodeId, to: NodeId, min_us: u64, max_us: u64) {
        let max_us = max_us.min(LATENCY_US_MAX);
        self.link_latency
            .insert((from, to), (min_us.min(max_us), max_us));
    }

    pub fn n_nodes(&self) -> usize {
        self.up.len()
    }

    pub fn is_partitioned(&self) -> bool {
        self.group.iter().any(|&g| g != self.group[0]) || !self.cuts.is_empty()
    }

    /// Why a message from `from` to `to` cannot pass right now, if it cannot.
    pub fn blocked(&self, from: NodeId, to: NodeId) -> Option<DropReason> {
        if self.group[from.idx()] != self.group[to.idx()] {
            Some(DropReason::Partition)
        } else if self.cuts.contains(&(from, to)) {
            Some(DropReason::LinkCut)
        } else {
            None
        }
    }

    /// Splits the nodes into groups. Nodes named in no group form one more
    /// group together.
    pub fn partition(&mut self, groups: &[Vec<NodeId>]) {
        for g in self.group.iter_mut() {
            *g = REST_GROUP;
        }
        for (gi, members) in groups.iter().enumerate() {
            for m in members {
                if let Some(slot) = self.group.get_mut(m.idx()) {
                    *slot = gi.min(250) as u8;
                }
            }
        }
    }

    pub fn heal(&mut self) {
        for g in self.group.iter_mut() {
            *g = 0;
        }
        self.cuts.clear();
    }

    /// The groups as lists of nodes, in node order (for display).
    pub fn groups(&self) -> Vec<Vec<NodeId>> {
        let mut keys: Vec<u8> = Vec::new();
        let mut out: Vec<Vec<NodeId>> = Vec::new();
        for (i, &g) in self.group.iter().enumerate() {
            let node = NodeId(i as u8);
            match keys.iter().position(|&k| k == g) {
                Some(p) => out[p].push(node),
                None => {
                    keys.push(g);
                    out.push(vec![node]);
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_groups_unnamed_nodes_together() {
        let mut net = Network::new(5, NetConfig::default());
        net.partition(&[vec![NodeId(1)]]);
        assert_eq!(
            net.blocked(NodeId(1), NodeId(0)),
            Some(DropReason::Partition)
        );
        assert_eq!(net.blocked(NodeId(0), NodeId(4)), None);
        assert_eq!(
            net.groups(),
            vec![
                vec![NodeId(0), NodeId(2), NodeId(3), NodeId(4)],
                vec![NodeId(1)]
            ]
        );
        net.heal();
        assert!(!net.is_partitioned());
    }

    #[test]
    fn cuts_are_one_way() {
        let mut net = Network::new(3, NetConfig::default());
        net.cuts.insert((NodeId(0), NodeId(2)));
        assert_eq!(net.blocked(NodeId(0), NodeId(2)), Some(DropReason::LinkCut));
        assert_eq!(net.blocked(NodeId(2), NodeId(0)), None);
    }

    #[test]
    fn config_is_clamped() {
        let c = NetConfig {
            latency_us_min: 9,
            latency_us_max: 3,
            loss: 2.0,
            duplicate: f64::NAN,
        }
        .clamped();
        assert_eq!((c.latency_us_min, c.latency_us_max), (3, 3));
        assert_eq!(c.loss, LOSS_MAX);
        assert_eq!(c.duplicate, 0.0);
    }
}
