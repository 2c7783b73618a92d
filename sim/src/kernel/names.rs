//! Node names. A lab's nodes come in groups, in node order: Raft has
//! servers S1…Sn then one client; the register labs have replicas R1…Rn
//! then clients C1…Cm. One function names every node from its groups, so
//! no view builds `S{n+1}` by hand, and the same groups say which node of
//! one run is "the same" node in a run of another shape (two more
//! replicas, one client fewer) when the learner's events are replayed.

use super::net::NodeId;

/// A run of consecutive nodes with one role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NodeGroup {
    /// What one of them is ("server", "replica", "client").
    pub role: &'static str,
    /// The name's prefix: `S` names S1, S2, …
    pub prefix: &'static str,
    pub count: usize,
    /// The name of the only member of a group of one, if it has its own
    /// ("Client" rather than "C1").
    pub solo: Option<&'static str>,
}

impl NodeGroup {
    pub const fn numbered(role: &'static str, prefix: &'static str, count: usize) -> NodeGroup {
        NodeGroup {
            role,
            prefix,
            count,
            solo: None,
        }
    }
}

/// Where a node sits: (group, index in the group), or `None` past the last group.
pub fn locate(groups: &[NodeGroup], id: NodeId) -> Option<(usize, usize)> {
    let mut first = 0;
    for (g, group) in groups.iter().enumerate() {
        if id.idx() < first + group.count {
            return Some((g, id.idx() - first));
        }
        first += group.count;
    }
    None
}

/// The node at `index` of group `g`, if it exists.
pub fn node_at(groups: &[NodeGroup], g: usize, index: usize) -> Option<NodeId> {
    let group = groups.get(g)?;
    if index >= group.count {
        return None;
    }
    let first: usize = groups[..g].iter().map(|x| x.count).sum();
    u8::try_from(first + index).ok().map(NodeId)
}

/// A node's name: `S3`, `R1`, `C2`, `Client`; a node past every group
/// (which no valid input names) is `node 7`.
pub fn node_name(groups: &[NodeGroup], id: NodeId) -> String {
    match locate(groups, id) {
        Some((g, i)) => {
            let group = &groups[g];
            match group.solo {
                Some(name) if group.count == 1 => name.to_string(),
                _ => format!("{}{}", group.prefix, i + 1),
            }
        }
        None => format!("node {}", id.0),
    }
}

/// The node a name written by a learner or an author means (`S3`, `r2`,
/// `Client`), if it exists.
pub fn parse_name(groups: &[NodeGroup], name: &str) -> Option<NodeId> {
    let t = name.trim();
    for (g, group) in groups.iter().enumerate() {
        if group.solo.is_some_and(|s| s.eq_ignore_ascii_case(t)) && group.count == 1 {
            return node_at(groups, g, 0);
        }
        let Some(digits) = t
            .get(..group.prefix.len())
            .filter(|p| p.eq_ignore_ascii_case(group.prefix))
            .map(|_| &t[group.prefix.len()..])
        else {
            continue;
        };
        if let Ok(k) = digits.parse::<usize>() {
            if k >= 1 {
                return node_at(groups, g, k - 1);
            }
        }
    }
    None
}

/// The node of a run with groups `to` that plays the part `id` played in
/// a run with groups `from` (same group, same index), if there is one.
pub fn remap(id: NodeId, from: &[NodeGroup], to: &[NodeGroup]) -> Option<NodeId> {
    let (g, i) = locate(from, id)?;
    node_at(to, g, i)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raft(n: usize) -> Vec<NodeGroup> {
        vec![
            NodeGroup::numbered("server", "S", n),
            NodeGroup {
                role: "client",
                prefix: "C",
                count: 1,
                solo: Some("Client"),
            },
        ]
    }
    fn register(n: usize, c: usize) -> Vec<NodeGroup> {
        vec![
            NodeGroup::numbered("replica", "R", n),
            NodeGroup::numbered("client", "C", c),
        ]
    }

    #[test]
    fn names_follow_the_groups() {
        let g = raft(5);
        let names: Vec<String> = (0..7).map(|i| node_name(&g, NodeId(i))).collect();
        assert_eq!(names, ["S1", "S2", "S3", "S4", "S5", "Client", "node 6"]);
        let g = register(3, 2);
        assert_eq!(node_name(&g, NodeId(3)), "C1");
        assert_eq!(node_name(&g, NodeId(4)), "C2");
    }

    #[test]
    fn names_parse_back() {
        let g = raft(5);
        for i in 0..6 {
            assert_eq!(parse_name(&g, &node_name(&g, NodeId(i))), Some(NodeId(i)));
        }
        assert_eq!(parse_name(&g, "s2"), Some(NodeId(1)));
        for bad in [
            "S0",
            "S6",
            "S",
            "X1",
            "",
            "Client2",
            "S-1",
            "S99999999999999999999",
        ] {
            assert_eq!(parse_name(&g, bad), None, "{bad}");
        }
    }

    #[test]
    fn remapping_keeps_role_and_index() {
        let (from, to) = (register(5, 2), register(3, 2));
        assert_eq!(remap(NodeId(1), &from, &to), Some(NodeId(1)));
        assert_eq!(remap(NodeId(4), &from, &to), None, "R5 is gone");
        assert_eq!(
            remap(NodeId(5), &from, &to),
            Some(NodeId(3)),
            "C1 moves down"
        );
        assert_eq!(remap(NodeId(6), &from, &register(3, 1)), None, "C2 is gone");
        assert_eq!(
            remap(NodeId(5), &raft(5), &raft(7)),
            Some(NodeId(7)),
            "the client follows the servers"
        );
    }
}
