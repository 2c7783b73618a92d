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

pub const CATALOG: &[LabInfo] = &[
    LabInfo {
        id: "raft",
        title: "Raft consensus",
        tagline: "Leader election and log replication",
        blurb: "Five servers elect a leader and replicate a log. Crash the leader, split the network, drop messages, \
                and watch Raft keep every committed entry. Switch off a safety rule and watch which invariant breaks, \
                and at which step.",
        topics: &["leader election", "terms", "log matching", "commit rule", "Figure 8", "split brain"],
        paper: "Ongaro & Ousterhout, In Search of an Understandable Consensus Algorithm (2014)",
    },
    LabInfo {
        id: "cap",
        title: "CAP and PACELC",
        tagline: "Consistency or availability, on one register",
        blurb: "Five replicas in CP (ABD majority quorums) or AP (last-writer-wins or version vectors). Split the network \
                and count, per side, what is served, refused, read stale or lost; run both modes side by side on the same \
                faults, and see what consistency costs with no partition at all. Check any history for linearizability.",
        topics: &["CAP", "PACELC", "ABD", "linearizability", "last-writer-wins", "version vectors", "history checking"],
        paper: "Gilbert & Lynch's partition argument (2002) on an ABD register (Attiya, Bar-Noy & Dolev, 1995); Abadi's PACELC (2012)",
    },
    LabInfo {
        id: "quorum",
        title: "Quorums, Dynamo style",
        tagline: "N, W, R and how stale a read can be",
        blurb: "Turn N, W and R and watch each read's replica set meet the last write's — or miss it when W + R ≤ N. \
                Switch on sloppy quorums with hinted handoff, read repair and anti-entropy, and see which anomalies each \
                one closes. The PBS panel computes the chance of a stale read and simulates how fast it fades after a write.",
        topics: &["quorums", "W + R > N", "sloppy quorum", "hinted handoff", "read repair", "anti-entropy", "PBS"],
        paper: "DeCandia et al., Dynamo (2007); Bailis et al., Probabilistically Bounded Staleness, VLDB (2012)",
    },
];
