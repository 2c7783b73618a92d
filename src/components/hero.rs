//! The home page's live picture: a real Raft run (first election, client
//! writes, the leader crashes, a new one is elected), looping. It is the
//! lab's own simulation and view, not an animation; it is decorative, so
//! it is hidden from assistive technology and takes no input.

use crate::lab::raft::view::{diagram, DiagramProps};
use dsviz_sim::kernel::{Input, NodeId, Timeline, Who, World};
use dsviz_sim::labs::raft::{Cmd, Raft, RaftConfig};
use gloo::render::{request_animation_frame, AnimationFrame};
use yew::prelude::*;

/// Virtual seconds per wall second.
const SPEED: f64 = 0.12;
/// Virtual length of one loop.
const LOOP_US: u64 = 2_600_000;

pub struct Hero {
    tl: Timeline<Raft>,
    view_us: f64,
    last_ms: Option<f64>,
    seed: u64,
    _frame: Option<AnimationFrame>,
}

pub enum HeroMsg {
    Frame(f64),
}

fn run(seed: u64) -> Timeline<Raft> {
    let raft = Raft::new(RaftConfig::default());
    let client = raft.client_id();
    let mut script: Vec<(u64, Input<Cmd>)> = (1..8u32)
        .map(|k| {
            (
                250_000 + k as u64 * 280_000,
                Input::Command(Who::Id(client), Cmd::Submit { value: k, to: None }),
            )
        })
        .collect();
    script.push((1_200_000, Input::Crash(Who::Leader)));
    script.push((2_200_000, Input::Restart(Who::Id(NodeId((seed % 5) as u8)))));
    dsviz_sim::sort::sort_by_key(&mut script, |(t, _)| *t);
    Timeline::new(World::new(raft, seed, script))
}

impl Component for Hero {
    type Message = HeroMsg;
    type Properties = ();

    fn create(ctx: &Context<Self>) -> Self {
        let link = ctx.link().clone();
        Hero {
            tl: run(11),
            view_us: 0.0,
            last_ms: None,
            seed: 11,
            _frame: Some(request_animation_frame(move |t| {
                link.send_message(HeroMsg::Frame(t))
            })),
        }
    }

    fn update(&mut self, ctx: &Context<Self>, msg: HeroMsg) -> bool {
        let HeroMsg::Frame(t) = msg;
        let dt = self
            .last_ms
            .map(|l| (t - l).clamp(0.0, 100.0))
            .unwrap_or(0.0);
        self.last_ms = Some(t);
        self.view_us += dt * SPEED * 1000.0;
        if self.view_us as u64 > LOOP_US {
            self.seed += 1;
            self.tl = run(self.seed);
            self.view_us = 0.0;
        }
        let _ = self.tl.run_until(self.view_us as u64, 5_000);
        let link = ctx.link().clone();
        self._frame = Some(request_animation_frame(move |t| {
            link.send_message(HeroMsg::Frame(t))
        }));
        true
    }

    fn view(&self, _ctx: &Context<Self>) -> Html {
        let svg = diagram(&DiagramProps {
            world: self.tl.world(),
            view_us: self.view_us,
            selected: None,
            on_node: Callback::noop(),
            on_msg: Callback::noop(),
        });
        html! { <div class="hero-cluster" aria-hidden="true" inert=true>{svg}</div> }
    }
}
