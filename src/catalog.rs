//! The labs that exist, for the home page. Adding a lab adds a row here
//! and an id to [`crate::route::LABS`].

pub struct LabInfo {
    pub id: &'static str,
    pub title: &'static str,
    pub tagline: &'static str,
    pub blurb: &'static str,
    pub topics: &'static [&'static str],
    pub paper: &'static str,
}

pub const CATALOG: &[LabInfo] = &[LabInfo {
    id: "raft",
    title: "Raft consensus",
    tagline: "Leader election and log replication",
    blurb: "Five servers elect a leader and replicate a log. Crash the leader, split the network, drop messages, \
            and watch Raft keep every committed entry. Switch off a safety rule and watch which invariant breaks, \
            and at which step.",
    topics: &["leader election", "terms", "log matching", "commit rule", "Figure 8", "split brain"],
    paper: "Ongaro & Ousterhout, In Search of an Understandable Consensus Algorithm (2014)",
}];
