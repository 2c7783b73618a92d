//! One process: its clocks, its event log, its replica of the store and
//! its transactions, and one handler per thing that can happen to it.
//!
//! Every event goes through [`Proc::record`], which applies each clock's
//! rule (a tick, or a receive of the message's stamps) and appends the
//! event with all the stamps at once.

use super::event::{Event, EventId, EventKind, KvEffect, Stamps};
use super::stamps::{hlc_pt, Hlc, Lamport, TtInterval, VClock};
use super::{
    signed, ClockNote, Clocks, Cmd, Lww, Msg, MsgStamps, Timer, What, EVENTS_MAX, SIBLINGS_MAX,
    TXNS_OPEN_MAX,
};
use crate::kernel::workload::exponential_us;
use crate::kernel::{Ctx, NodeId, TimeUs};
use serde::Serialize;
use std::collections::BTreeMap;

type CCtx<'a> = Ctx<'a, Msg, Timer>;

/// A last-writer-wins timestamp: the chosen clock's value, a tie-breaking
/// minor part (HLC's `c`) and the writer's process. Ordered as a tuple.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Ts {
    pub major: i64,
    pub minor: u32,
    pub process: u8,
}

/// One write as the store holds it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Version {
    pub value: u32,
    /// The write event.
    pub writer: EventId,
    pub ts: Ts,
    /// The write's vector stamp: its version vector.
    pub vv: VClock,
}

/// A transaction at one process.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Txn {
    pub id: u32,
    pub start_true_us: TimeUs,
    /// Its commit timestamp, `TT.now().latest` at the start.
    pub s_us: i64,
    pub ack_true_us: Option<TimeUs>,
    /// It waited for `TT.now().earliest > s`.
    pub waited: bool,
    /// Lost to a crash during its commit wait.
    pub abandoned: bool,
}

#[derive(Clone, Debug)]
pub struct Proc {
    pub id: NodeId,
    pub lamport: Lamport,
    pub vector: VClock,
    pub hlc: Hlc,
    /// What the last NTP-style sync added to the kernel clock's reading.
    pub correction_us: i64,
    pub events: Vec<Event>,
    /// The replica: versions per key (one under LWW, siblings under version vectors).
    pub store: BTreeMap<u8, Vec<Version>>,
    pub txns: Vec<Txn>,
}

impl Proc {
    pub fn new(lab: &Clocks, id: NodeId) -> Proc {
        Proc {
            id,
            lamport: Lamport(0),
            vector: VClock::zero(lab.n_procs()),
            // Before any event, no physical time has been heard of: the
            // first event takes its own clock's, even a negative one.
            hlc: Hlc { l: i64::MIN, c: 0 },
            correction_us: 0,
            events: Vec::new(),
            store: BTreeMap::new(),
            txns: Vec::new(),
        }
    }

    fn me(&self) -> u8 {
        self.id.0
    }

    /// The process's wall clock: the kernel clock plus the sync correction.
    pub fn wall_us(&self, ctx: &CCtx<'_>) -> i64 {
        ctx.local_now_us().saturating_add(self.correction_us)
    }

    pub fn is_full(&self) -> bool {
        self.events.len() >= EVENTS_MAX
    }

    fn note(&self, what: What) -> ClockNote {
        ClockNote {
            node: self.id,
            what,
        }
    }

    /// Applies every clock's rule for one event (a receive of `from`'s
    /// stamps, or a tick) and records it. The caller checked there is room.
    fn record(
        &mut self,
        lab: &Clocks,
        ctx: &CCtx<'_>,
        kind: EventKind,
        from: Option<(EventId, &MsgStamps)>,
    ) -> EventId {
        let s = &lab.config.safety;
        let me = self.me() as usize;
        let wall_us = self.wall_us(ctx);
        let pt = hlc_pt(wall_us, lab.config.hlc_tick_us);
        match from {
            Some((_, m)) => {
                self.lamport = self.lamport.receive(m.lamport, s.lamport_max);
                self.vector = self.vector.receive(&m.vector, me, s.vector_max);
                self.hlc = self.hlc.receive(m.hlc, pt, s.hlc_counter);
            }
            None => {
                self.lamport = self.lamport.tick();
                self.vector = self.vector.tick(me);
                self.hlc = self.hlc.tick(pt, s.hlc_counter);
            }
        }
        let id = EventId {
            process: self.me(),
            index: self.events.len() as u32,
        };
        let stamps = Stamps {
            wall_us,
            lamport: self.lamport,
            vector: self.vector.clone(),
            hlc: self.hlc,
            pt,
            tt: TtInterval::now(wall_us, lab.config.tt_eps_us),
        };
        self.events.push(Event {
            id,
            kind,
            true_us: ctx.now,
            stamps,
            from: from.map(|(f, _)| f),
            kv: None,
        });
        id
    }

    fn msg_stamps(&self, id: EventId) -> MsgStamps {
        let s = &self.events[id.index as usize].stamps;
        MsgStamps {
            wall_us: s.wall_us,
            lamport: s.lamport,
            vector: s.vector.clone(),
            hlc: s.hlc,
        }
    }

    /// The events recorded since `before`, for the note.
    fn since(&self, before: usize) -> ClockNote {
        self.note(What::Events(self.events[before..].to_vec()))
    }

    /// How many events fit: `n` more, or the log is full.
    fn room(&self, n: usize) -> bool {
        self.events.len() + n <= EVENTS_MAX
    }

    // ---- Workload ---------------------------------------------------------------

    fn arm(&self, ctx: &mut CCtx<'_>, timer: Timer, mean_ms: u64) {
        if mean_ms > 0 {
            let gap = exponential_us(ctx.rng, mean_ms * 1000).max(1);
            ctx.set_timer_at(timer, ctx.now.saturating_add(gap));
        }
    }

    pub fn arm_all(&self, lab: &Clocks, ctx: &mut CCtx<'_>) {
        let c = &lab.config;
        self.arm(ctx, Timer::Local, c.local_ms);
        self.arm(ctx, Timer::Send, c.send_ms);
        self.arm(ctx, Timer::Write, c.write_ms);
        self.arm(ctx, Timer::Txn, c.txn_ms);
        if c.sync_ms > 0 {
            ctx.set_timer_at(Timer::Sync, ctx.now.saturating_add(c.sync_ms * 1000));
        }
    }

    pub fn on_timer(&mut self, lab: &Clocks, ctx: &mut CCtx<'_>, timer: Timer) -> ClockNote {
        let c = &lab.config;
        match timer {
            Timer::Local => {
                self.arm(ctx, timer, c.local_ms);
                self.local(lab, ctx)
            }
            Timer::Send => {
                self.arm(ctx, timer, c.send_ms);
                if lab.n_procs() < 2 {
                    return self.note(What::Ignored("no one to send to".into()));
                }
                let k = ctx.rng.range_u64(0, lab.n_procs() as u64 - 2) as u8;
                let to = if k >= self.me() { k + 1 } else { k };
                let request = ctx.rng.range_u64(0, 99) < c.request_pct as u64;
                self.send(lab, ctx, to, if request { 1 } else { 0 })
            }
            Timer::Write => {
                self.arm(ctx, timer, c.write_ms);
                let key = ctx.rng.range_u64(0, c.n_keys as u64 - 1) as u8;
                let value = ctx.rng.range_u64(1, 99) as u32;
                self.write(lab, ctx, key, value)
            }
            Timer::Txn => {
                self.arm(ctx, timer, c.txn_ms);
                self.commit(lab, ctx)
            }
            Timer::Sync => {
                ctx.set_timer_at(Timer::Sync, ctx.now.saturating_add(c.sync_ms * 1000));
                self.sync(lab, ctx)
            }
            Timer::CommitWait(txn) => self.commit_wait(lab, ctx, txn),
        }
    }

    pub fn on_command(&mut self, lab: &Clocks, ctx: &mut CCtx<'_>, cmd: &Cmd) -> ClockNote {
        match *cmd {
            Cmd::Local => self.local(lab, ctx),
            Cmd::Send { to } => self.send(lab, ctx, to, 0),
            Cmd::Request { to, rounds } => {
                self.send(lab, ctx, to, rounds.clamp(1, super::ROUNDS_MAX))
            }
            Cmd::Write { key, value } => {
                if key >= lab.config.n_keys {
                    return self.note(What::Ignored(format!(
                        "there is no key {key} (this run has {})",
                        lab.config.n_keys
                    )));
                }
                self.write(lab, ctx, key, value)
            }
            Cmd::Commit => self.commit(lab, ctx),
        }
    }

    // ---- Handlers -----------------------------------------------------------------

    /// A local event.
    pub fn local(&mut self, lab: &Clocks, ctx: &mut CCtx<'_>) -> ClockNote {
        if !self.room(1) {
            return self.note(What::Full);
        }
        let before = self.events.len();
        self.record(lab, ctx, EventKind::Local, None);
        self.since(before)
    }

    /// A message to `to`: a request with `rounds` round trips, or one-way with 0.
    pub fn send(&mut self, lab: &Clocks, ctx: &mut CCtx<'_>, to: u8, rounds: u32) -> ClockNote {
        if to as usize >= lab.n_procs() || to == self.me() {
            return self.note(What::Ignored(format!(
                "P{} cannot send to P{}",
                self.me() + 1,
                to as u16 + 1
            )));
        }
        if !self.room(1) {
            return self.note(What::Full);
        }
        let before = self.events.len();
        let id = self.record(
            lab,
            ctx,
            EventKind::Send {
                to: vec![to],
                request: rounds > 0,
            },
            None,
        );
        ctx.send(
            NodeId(to),
            Msg::Plain {
                send: id,
                stamps: self.msg_stamps(id),
                rounds,
            },
        );
        self.since(before)
    }

    /// A write: applied here under the store's rule, then replicated to every other process.
    pub fn write(&mut self, lab: &Clocks, ctx: &mut CCtx<'_>, key: u8, value: u32) -> ClockNote {
        if !self.room(1) {
            return self.note(What::Full);
        }
        let before = self.events.len();
        let id = self.record(lab, ctx, EventKind::Write { key, value }, None);
        let version = self.version_of(lab, id, value);
        let kv = self.settle(lab, key, version.clone());
        self.events[id.index as usize].kv = Some(kv);
        ctx.broadcast(Msg::Replicate {
            send: id,
            stamps: self.msg_stamps(id),
            key,
            version,
        });
        self.since(before)
    }

    fn version_of(&self, lab: &Clocks, writer: EventId, value: u32) -> Version {
        let s = &self.events[writer.index as usize].stamps;
        let (major, minor) = match lab.config.lww {
            Lww::Wall => (s.wall_us, 0),
            Lww::Lamport => (s.lamport.0.min(i64::MAX as u64) as i64, 0),
            Lww::Hlc | Lww::VersionVectors => (s.hlc.l, s.hlc.c),
        };
        Version {
            value,
            writer,
            ts: Ts {
                major,
                minor,
                process: writer.process,
            },
            vv: s.vector.clone(),
        }
    }

    /// Puts `incoming` into the store for `key` under the lab's rule, and
    /// says which writes it kept and which it threw away.
    fn settle(&mut self, lab: &Clocks, key: u8, incoming: Version) -> KvEffect {
        let versions = self.store.entry(key).or_default();
        settle(versions, incoming, lab.config.lww)
    }

    /// A message arrives.
    pub fn on_message(&mut self, lab: &Clocks, ctx: &mut CCtx<'_>, msg: Msg) -> ClockNote {
        let need = match &msg {
            Msg::Plain { rounds, .. } if *rounds > 0 => 2,
            Msg::Reply { rounds, .. } if *rounds > 1 => 2,
            _ => 1,
        };
        if !self.room(need) {
            return self.note(What::Full);
        }
        let before = self.events.len();
        let send = msg.send();
        let peer = send.process;
        match msg {
            Msg::Plain { stamps, rounds, .. } => {
                self.record(lab, ctx, EventKind::Receive, Some((send, &stamps)));
                if rounds > 0 {
                    let id = self.record(lab, ctx, EventKind::Reply { to: peer }, None);
                    ctx.send(
                        NodeId(peer),
                        Msg::Reply {
                            send: id,
                            stamps: self.msg_stamps(id),
                            rounds,
                        },
                    );
                }
            }
            Msg::Reply { stamps, rounds, .. } => {
                self.record(lab, ctx, EventKind::Receive, Some((send, &stamps)));
                if rounds > 1 {
                    let id = self.record(
                        lab,
                        ctx,
                        EventKind::Send {
                            to: vec![peer],
                            request: true,
                        },
                        None,
                    );
                    ctx.send(
                        NodeId(peer),
                        Msg::Plain {
                            send: id,
                            stamps: self.msg_stamps(id),
                            rounds: rounds - 1,
                        },
                    );
                }
            }
            Msg::Replicate {
                stamps,
                key,
                version,
                ..
            } => {
                let id = self.record(
                    lab,
                    ctx,
                    EventKind::Apply {
                        key,
                        value: version.value,
                    },
                    Some((send, &stamps)),
                );
                let kv = self.settle(lab, key, version);
                self.events[id.index as usize].kv = Some(kv);
            }
        }
        self.since(before)
    }

    /// A transaction starts: `s = TT.now().latest`; acknowledged at once
    /// without commit wait, else once `TT.now().earliest > s`.
    pub fn commit(&mut self, lab: &Clocks, ctx: &mut CCtx<'_>) -> ClockNote {
        let open = self
            .txns
            .iter()
            .filter(|t| t.ack_true_us.is_none() && !t.abandoned)
            .count();
        if open >= TXNS_OPEN_MAX {
            return self.note(What::Ignored(format!(
                "{open} transactions are already waiting"
            )));
        }
        if !self.room(2) {
            return self.note(What::Full);
        }
        let before = self.events.len();
        let txn = self.txns.len() as u32;
        let s_us = TtInterval::now(self.wall_us(ctx), lab.config.tt_eps_us).latest_us;
        self.record(lab, ctx, EventKind::CommitStart { txn, s_us }, None);
        let waits = lab.config.safety.commit_wait;
        self.txns.push(Txn {
            id: txn,
            start_true_us: ctx.now,
            s_us,
            ack_true_us: None,
            waited: waits,
            abandoned: false,
        });
        if waits {
            self.arm_wait(lab, ctx, txn, s_us);
        } else {
            self.ack(lab, ctx, txn);
        }
        self.since(before)
    }

    /// Sets the commit-wait timer for the local time when `earliest > s`.
    fn arm_wait(&self, lab: &Clocks, ctx: &mut CCtx<'_>, txn: u32, s_us: i64) {
        let earliest = self
            .wall_us(ctx)
            .saturating_sub(lab.config.tt_eps_us as i64);
        let wait = s_us.saturating_sub(earliest).saturating_add(1).max(1) as u64;
        ctx.set_timer(Timer::CommitWait(txn), wait);
    }

    fn ack(&mut self, lab: &Clocks, ctx: &mut CCtx<'_>, txn: u32) {
        let t = &mut self.txns[txn as usize];
        t.ack_true_us = Some(ctx.now);
        let s_us = t.s_us;
        self.record(lab, ctx, EventKind::CommitAck { txn, s_us }, None);
    }

    pub fn commit_wait(&mut self, lab: &Clocks, ctx: &mut CCtx<'_>, txn: u32) -> ClockNote {
        let Some(t) = self
            .txns
            .get(txn as usize)
            .filter(|t| t.ack_true_us.is_none() && !t.abandoned)
        else {
            return self.note(What::Ignored(format!("transaction {txn} is not waiting")));
        };
        let s_us = t.s_us;
        let earliest_us = TtInterval::now(self.wall_us(ctx), lab.config.tt_eps_us).earliest_us;
        if earliest_us <= s_us {
            // The clock was stepped back or runs slow: wait again.
            self.arm_wait(lab, ctx, txn, s_us);
            return self.note(What::Waiting {
                txn,
                s_us,
                earliest_us,
            });
        }
        if !self.room(1) {
            return self.note(What::Full);
        }
        let before = self.events.len();
        self.ack(lab, ctx, txn);
        self.since(before)
    }

    /// An NTP-style sync: the clock is set to true time plus an error drawn
    /// within the bound (the exchange with a time server, as its result).
    pub fn sync(&mut self, lab: &Clocks, ctx: &mut CCtx<'_>) -> ClockNote {
        let err = lab.config.sync_err_us;
        let error_us = ctx.rng.range_u64(0, 2 * err) as i64 - err as i64;
        let before = self.wall_us(ctx);
        let target = signed(ctx.now).saturating_add(error_us);
        self.correction_us = target.saturating_sub(ctx.local_now_us());
        self.note(What::Synced {
            error_us,
            step_us: target.saturating_sub(before),
        })
    }

    /// A crash: clocks, log and store are on disk; a commit wait in
    /// progress is lost (the kernel drops the timers).
    pub fn crash(&mut self) {
        for t in self.txns.iter_mut().filter(|t| t.ack_true_us.is_none()) {
            t.abandoned = true;
        }
    }

    pub fn restart(&mut self, lab: &Clocks, ctx: &mut CCtx<'_>) -> ClockNote {
        self.arm_all(lab, ctx);
        let abandoned = self.txns.iter().filter(|t| t.abandoned).count() as u32;
        self.note(What::Restarted { abandoned })
    }
}

/// The store's rule for one key: last-writer-wins on `ts`, or version
/// vectors (an incoming write below or equal to a held one is old news;
/// held writes below it are replaced; concurrent ones stay as siblings).
pub fn settle(versions: &mut Vec<Version>, incoming: Version, rule: Lww) -> KvEffect {
    if versions.iter().any(|v| v.writer == incoming.writer) {
        // A duplicate: nothing changes.
        return KvEffect {
            kept: versions.iter().map(|v| v.writer).collect(),
            discarded: vec![],
        };
    }
    let mut discarded = Vec::new();
    match rule {
        Lww::VersionVectors => {
            if versions.iter().any(|v| incoming.vv.le(&v.vv)) {
                discarded.push(incoming.writer);
            } else {
                versions.retain(|v| {
                    let older = v.vv.lt(&incoming.vv);
                    if older {
                        discarded.push(v.writer);
                    }
                    !older
                });
                versions.push(incoming);
                while versions.len() > SIBLINGS_MAX {
                    let (i, _) = versions
                        .iter()
                        .enumerate()
                        .min_by_key(|(_, v)| v.ts)
                        .expect("not empty");
                    discarded.push(versions.remove(i).writer);
                }
            }
        }
        _ => match versions.first() {
            Some(current) if current.ts >= incoming.ts => discarded.push(incoming.writer),
            _ => {
                discarded.extend(versions.drain(..).map(|v| v.writer));
                versions.push(incoming);
            }
        },
    }
    KvEffect {
        kept: versions.iter().map(|v| v.writer).collect(),
        discarded,
    }
}
