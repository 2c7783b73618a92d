//! The labs content can link into, through the simulator's lab registry:
//! a "Show me" step or a prediction is rebuilt exactly as the lab page
//! rebuilds a link, so it lands on the state the learner sees.

pub use dsviz_sim::labs::registry::{ids, AnyRun};
use dsviz_sim::labs::registry::{self, LABS};

/// Whether content may link to lab `id`.
pub fn known(id: &str) -> bool {
    registry::find(id).is_some()
}

/// The scenario ids of a lab, or `None` for an unknown lab.
pub fn scenario_ids(lab: &str) -> Option<Vec<&'static str>> {
    registry::find(lab).map(|l| l.scenarios().iter().map(|s| s.id).collect())
}

/// Checks a lab, scenario and parameters, building the run (at step 0).
pub fn check_target(lab: &str, scenario: &str, params: &[(String, String)]) -> Result<(), String> {
    let l = registry::find(lab).ok_or_else(|| format!("unknown lab '{lab}' (known: {})", ids().join(", ")))?;
    let scenarios = l.scenarios();
    if !scenarios.iter().any(|s| s.id == scenario) {
        let all: Vec<&str> = scenarios.iter().map(|s| s.id).collect();
        return Err(format!("lab '{lab}' has no scenario '{scenario}' (it has: {})", all.join(", ")));
    }
    let keys: Vec<&str> = l.params().iter().map(|p| p.key).collect();
    for (k, _) in params {
        if k == "seed" {
            continue;
        }
        if !keys.contains(&k.as_str()) {
            return Err(format!("lab '{lab}' reads no parameter '{k}' (it reads: seed, {})", keys.join(", ")));
        }
    }
    build_at(lab, scenario, params, 0).map(|_| ())
}

/// The run the app shows for `?lab=…&sc=…&<params>&step=…`, or an error
/// naming the first problem (a bad parameter, a run that ends before `step`).
pub fn build_at(lab: &str, scenario: &str, params: &[(String, String)], step: u64) -> Result<Box<dyn AnyRun>, String> {
    let mut pairs: Vec<(String, String)> = vec![("sc".into(), scenario.into())];
    pairs.extend(params.iter().cloned());
    registry::build_at(lab, &pairs, step).map_err(|e| format!("{lab}/{scenario}: {e}"))
}

/// Every lab id, in catalog order.
pub fn all() -> impl Iterator<Item = &'static str> {
    LABS.iter().map(|l| l.info().id)
}
