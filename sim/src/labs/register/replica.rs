//! A replica: the storage side of the register (answer reads, store
//! writes, merge repairs), anti-entropy, and hinted handoff. The same node
//! also coordinates client operations; that half lives in `coord.rs`.

use super::version::{merge_all, merge_one, same, values, Applied, Rule, Stamp, Version};
use super::{CoordOp, Msg, RCtx, RegNote, Register, Timer, What, SKEW_MS_MAX};
use crate::kernel::{NodeId, TimeUs};

/// Hinted versions a stand-in keeps at most; hinted writes beyond it are
/// not acknowledged.
pub const MAX_HINTS: usize = 64;

/// A version a stand-in holds for a preferred replica it could not reach.
#[derive(Clone, Debug, PartialEq)]
pub struct Hint {
    pub target: NodeId,
    pub version: Version,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Replica {
    pub id: NodeId,
    // Durable state (survives a crash).
    /// The register: at most one version, or siblings under version vectors.
    pub versions: Vec<Version>,
    pub hints: Vec<Hint>,
    /// This replica's own entry in the version vectors it has issued.
    pub vv_counter: u64,
    /// Numbers this coordinator's writes, so stamps are unique.
    pub write_seq: u32,
    /// Numbers requests, so a late reply is never taken for a new one.
    pub next_rid: u32,
    /// The replica's clock is virtual time plus this skew.
    pub skew_ms: i64,
    /// Siblings dropped at the [`super::MAX_SIBLINGS`] bound.
    pub evicted: u32,
    /// Bumped on every change to `versions` or `hints` (the checker skips unchanged replicas).
    pub data_version: u64,
    // Volatile state.
    /// Client operations this replica is coordinating.
    pub coord: Vec<CoordOp>,
    /// Anti-entropy rounds so far: the next peer in turn.
    pub ae_round: u32,
}

impl Replica {
    pub fn new(reg: &Register, id: NodeId, ctx: &mut RCtx<'_>) -> Replica {
        let r = Replica {
            id,
            versions: Vec::new(),
            hints: Vec::new(),
            vv_counter: 0,
            write_seq: 0,
            next_rid: 1,
            skew_ms: reg.config.skew_ms.get(id.idx()).copied().unwrap_or(0),
            evicted: 0,
            data_version: 0,
            coord: Vec::new(),
            ae_round: 0,
        };
        r.arm_anti_entropy(reg, ctx, true);
        r
    }

    pub(super) fn note(&self, what: What) -> RegNote {
        RegNote {
            node: self.id,
            what,
        }
    }

    /// The replica's clock in µs: virtual time plus skew, never below zero.
    pub fn clock_us(&self, now: TimeUs) -> u64 {
        (now as i64)
            .saturating_add(self.skew_ms.saturating_mul(1000))
            .max(0) as u64
    }

    pub(super) fn new_rid(&mut self) -> u32 {
        let r = self.next_rid;
        self.next_rid = self.next_rid.wrapping_add(1).max(1);
        r
    }

    /// What a read of this replica sees: its versions merged with any hints it holds.
    pub fn visible(&self, rule: Rule) -> Vec<Version> {
        let mut v = self.versions.clone();
        let hinted: Vec<Version> = self.hints.iter().map(|h| h.version.clone()).collect();
        merge_all(&mut v, &hinted, rule);
        v
    }

    pub(super) fn store(&mut self, rule: Rule, v: Version) -> Applied {
        let (a, evicted) = merge_one(&mut self.versions, v, rule);
        if matches!(a, Applied::New | Applied::Sibling) {
            self.data_version += 1;
        }
        self.evicted += evicted as u32;
        a
    }

    pub(super) fn store_all(&mut self, rule: Rule, vs: &[Version]) -> bool {
        let (changed, evicted) = merge_all(&mut self.versions, vs, rule);
        if changed {
            self.data_version += 1;
        }
        self.evicted += evicted;
        changed
    }

    fn arm_anti_entropy(&self, reg: &Register, ctx: &mut RCtx<'_>, first: bool) {
        let pref = reg.preferred();
        if !reg.uses_anti_entropy() || !pref.contains(&self.id) {
            return;
        }
        let ae = reg.config.ae_ms * 1000;
        // Replicas start staggered so rounds do not all fire at once.
        let after = if first {
            ae * (self.id.idx() as u64 + 1) / pref.len() as u64
        } else {
            ae
        };
        ctx.set_timer(Timer::AntiEntropy, after.max(1));
    }

    fn arm_handoff(&self, reg: &Register, ctx: &mut RCtx<'_>) {
        if !self.hints.is_empty() {
            ctx.set_timer(Timer::Handoff, reg.config.handoff_ms * 1000);
        }
    }

    pub fn on_message(
        &mut self,
        reg: &Register,
        ctx: &mut RCtx<'_>,
        from: NodeId,
        msg: Msg,
    ) -> RegNote {
        let rule = reg.rule();
        match msg {
            Msg::Request {
                op,
                kind,
                value,
                context,
            } => self.on_request(reg, ctx, from, op, kind, value, context),
            Msg::GetReply { rid, versions } => self.on_get_reply(reg, ctx, from, rid, versions),
            Msg::PutAck { rid, hint_for } => self.on_put_ack(reg, ctx, from, rid, hint_for),
            Msg::Get { rid } => {
                let versions = self.visible(rule);
                let vals = values(&versions);
                ctx.send(from, Msg::GetReply { rid, versions });
                self.note(What::GetServed {
                    coord: from,
                    values: vals,
                })
            }
            Msg::Put {
                rid,
                version,
                ack,
                hint_for: Some(target),
            } => {
                let value = version.value;
                if self.hints.len() >= MAX_HINTS {
                    return self.note(What::Ignored {
                        what: "a hinted write: its hint store is full",
                    });
                }
                let known = self
                    .hints
                    .iter()
                    .any(|h| h.target == target && h.version.stamp == version.stamp);
                let applied = if known {
                    Applied::Known
                } else {
                    let was_empty = self.hints.is_empty();
                    self.hints.push(Hint { target, version });
                    self.data_version += 1;
                    if was_empty {
                        self.arm_handoff(reg, ctx);
                    }
                    Applied::New
                };
                if ack {
                    ctx.send(
                        from,
                        Msg::PutAck {
                            rid,
                            hint_for: Some(target),
                        },
                    );
                }
                self.note(What::PutApplied {
                    coord: from,
                    value,
                    applied,
                    hint_for: Some(target),
                    ack,
                })
            }
            Msg::Put {
                rid,
                version,
                ack,
                hint_for: None,
            } => {
                let value = version.value;
                let applied = self.store(rule, version);
                if ack {
                    ctx.send(
                        from,
                        Msg::PutAck {
                            rid,
                            hint_for: None,
                        },
                    );
                }
                self.note(What::PutApplied {
                    coord: from,
                    value,
                    applied,
                    hint_for: None,
                    ack,
                })
            }
            Msg::Repair { versions } => {
                let changed = self.store_all(rule, &versions);
                self.note(What::RepairApplied { from, changed })
            }
            Msg::Sync { versions } => {
                let changed = self.store_all(rule, &versions);
                let replied = !same(&self.versions, &versions);
                if replied {
                    ctx.send(
                        from,
                        Msg::SyncReply {
                            versions: self.versions.clone(),
                        },
                    );
                }
                self.note(What::SyncMerged {
                    from,
                    changed,
                    replied,
                })
            }
            Msg::SyncReply { versions } => {
                let changed = self.store_all(rule, &versions);
                self.note(What::SyncMerged {
                    from,
                    changed,
                    replied: false,
                })
            }
            Msg::Handoff { versions } => {
                let changed = self.store_all(rule, &versions);
                let delivered: Vec<Stamp> = versions.iter().map(|v| v.stamp).collect();
                ctx.send(from, Msg::HandoffAck { delivered });
                self.note(What::HandoffMerged { from, changed })
            }
            Msg::HandoffAck { delivered } => {
                let before = self.hints.len();
                self.hints
                    .retain(|h| !(h.target == from && delivered.contains(&h.version.stamp)));
                let n = (before - self.hints.len()) as u8;
                if n > 0 {
                    self.data_version += 1;
                }
                if self.hints.is_empty() {
                    ctx.cancel_timer(Timer::Handoff);
                }
                self.note(What::HandoffAcked { from, n })
            }
            Msg::Reply { .. } => self.note(What::Ignored {
                what: "a reply meant for a client",
            }),
        }
    }

    pub fn on_timer(&mut self, reg: &Register, ctx: &mut RCtx<'_>, timer: Timer) -> RegNote {
        match timer {
            Timer::AntiEntropy => self.anti_entropy(reg, ctx, false),
            Timer::Handoff => self.handoff(reg, ctx),
            Timer::CoordOp(cid) => self.on_coord_timeout(reg, ctx, cid),
            Timer::Sloppy(cid) => self.on_sloppy(reg, ctx, cid),
            Timer::ClientOp(_) | Timer::Auto => self.note(What::Ignored {
                what: "a client timer",
            }),
        }
    }

    /// One anti-entropy round: push this replica's versions to the next
    /// peer in turn (which answers with its own if they differ). Every
    /// pair of replicas syncs once per `n − 1` rounds.
    pub fn anti_entropy(&mut self, reg: &Register, ctx: &mut RCtx<'_>, forced: bool) -> RegNote {
        let pref = reg.preferred();
        if !forced {
            self.arm_anti_entropy(reg, ctx, false);
        }
        if !pref.contains(&self.id) {
            return self.note(What::Ignored {
                what: "an anti-entropy round: it is a stand-in and holds no copy",
            });
        }
        let peers: Vec<NodeId> = pref.into_iter().filter(|p| *p != self.id).collect();
        let Some(&to) = peers.get(self.ae_round as usize % peers.len().max(1)) else {
            return self.note(What::Ignored {
                what: "an anti-entropy round: it has no peer",
            });
        };
        self.ae_round = self.ae_round.wrapping_add(1);
        ctx.send(
            to,
            Msg::Sync {
                versions: self.versions.clone(),
            },
        );
        self.note(What::SyncSent { to })
    }

    /// Hinted handoff: offer every hinted version to the replica it belongs to.
    fn handoff(&mut self, reg: &Register, ctx: &mut RCtx<'_>) -> RegNote {
        let mut targets: Vec<NodeId> = self.hints.iter().map(|h| h.target).collect();
        crate::sort::sort(&mut targets);
        targets.dedup();
        let mut n = 0u8;
        for t in &targets {
            let versions: Vec<Version> = self
                .hints
                .iter()
                .filter(|h| h.target == *t)
                .map(|h| h.version.clone())
                .collect();
            n = n.saturating_add(versions.len() as u8);
            ctx.send(*t, Msg::Handoff { versions });
        }
        self.arm_handoff(reg, ctx);
        if targets.is_empty() {
            return self.note(What::Ignored {
                what: "a handoff timer: it holds no hints",
            });
        }
        self.note(What::HandoffSent { to: targets, n })
    }

    pub fn set_skew(&mut self, _ctx: &mut RCtx<'_>, ms: i64) -> RegNote {
        self.skew_ms = ms.clamp(-SKEW_MS_MAX, SKEW_MS_MAX);
        self.note(What::SkewSet { ms: self.skew_ms })
    }

    /// Forgets volatile state: operations it was coordinating, its place in the anti-entropy rotation.
    pub fn crash(&mut self) {
        self.coord.clear();
        self.ae_round = 0;
    }

    pub fn restart(&mut self, reg: &Register, ctx: &mut RCtx<'_>) -> RegNote {
        self.arm_anti_entropy(reg, ctx, false);
        self.arm_handoff(reg, ctx);
        self.note(What::Restarted {
            values: values(&self.versions),
            n_hints: self.hints.len().min(255) as u8,
        })
    }
}
