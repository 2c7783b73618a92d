//! Checks of the question bank against the simulator, through the lab
//! registry: every "Show me" opens a real state, every prediction names a
//! probe of its lab, and the answer it declares is what the simulation
//! does. The tests run these over the whole bank; pages never call them
//! (a page links only its own lab's code, and grades with
//! [`super::probes::grade_in`]).

use super::model::{Bank, Prediction};
use super::parse::ContentError;
use dsviz_sim::labs::registry::{self, AnyRun};

/// Every lab id, in catalog order.
pub fn labs() -> impl Iterator<Item = &'static str> {
    registry::LABS.iter().map(|l| l.info().id)
}

/// The scenario ids of a lab, or `None` for an unknown lab.
pub fn scenario_ids(lab: &str) -> Option<Vec<&'static str>> {
    registry::find(lab).map(|l| l.scenarios().iter().map(|s| s.id).collect())
}

/// Checks a lab, scenario and parameters, building the run (at step 0).
pub fn check_target(lab: &str, scenario: &str, params: &[(String, String)]) -> Result<(), String> {
    let l = registry::find(lab).ok_or_else(|| {
        format!(
            "unknown lab '{lab}' (known: {})",
            registry::ids().join(", ")
        )
    })?;
    let scenarios = l.scenarios();
    if !scenarios.iter().any(|s| s.id == scenario) {
        let all: Vec<&str> = scenarios.iter().map(|s| s.id).collect();
        return Err(format!(
            "lab '{lab}' has no scenario '{scenario}' (it has: {})",
            all.join(", ")
        ));
    }
    let keys: Vec<&str> = l.params().iter().map(|p| p.key).collect();
    for (k, _) in params {
        if k != "seed" && !keys.contains(&k.as_str()) {
            return Err(format!(
                "lab '{lab}' reads no parameter '{k}' (it reads: seed, {})",
                keys.join(", ")
            ));
        }
    }
    build_at(lab, scenario, params, 0).map(|_| ())
}

/// The run a link `?lab=…&sc=…&<params>&step=…` opens, or the first problem
/// with it (a bad parameter, a run that ends before `step`).
pub fn build_at(
    lab: &str,
    scenario: &str,
    params: &[(String, String)],
    step: u64,
) -> Result<Box<dyn AnyRun>, String> {
    let mut pairs: Vec<(String, String)> = vec![("sc".into(), scenario.into())];
    pairs.extend(params.iter().cloned());
    registry::build_at(lab, &pairs, step).map_err(|e| format!("{lab}/{scenario}: {e}"))
}

/// What the simulation really does for a prediction: the lab page's own
/// grading code (`probe::outcome_of`), reached through the registry.
pub fn outcome(p: &Prediction) -> Result<String, String> {
    let lab = registry::find(&p.lab).ok_or_else(|| format!("unknown lab '{}'", p.lab))?;
    lab.outcome(&super::probes::pairs_of(p), &p.probe, p.run_until)
}

/// Grades a choice as the lab page would.
pub fn grade(p: &Prediction, choice: &str) -> Result<super::Grade, String> {
    let actual = outcome(p)?;
    Ok(super::Grade {
        correct: actual == choice,
        actual,
    })
}

/// Every target and probe of the bank, checked; one error per problem,
/// each naming the file and line.
pub fn validate(bank: &Bank) -> Vec<ContentError> {
    let mut errors = Vec::new();
    let mut err = |file: &str, line: usize, message: String| {
        errors.push(ContentError {
            file: file.to_string(),
            line,
            message,
        })
    };
    for q in bank.questions() {
        for s in &q.show_me {
            if let Err(e) = check_target(&s.lab, &s.scenario, &s.params) {
                err(s.source.file, s.lab_line, e);
            } else if let Err(e) = build_at(&s.lab, &s.scenario, &s.params, s.step) {
                err(s.source.file, s.source.line, e);
            }
        }
        for p in &q.predictions {
            if let Err(e) = check_target(&p.lab, &p.scenario, &p.params) {
                err(p.source.file, p.lab_line, e);
                continue;
            }
            match registry::find(&p.lab).map(|l| l.parse_probe(&p.probe)) {
                Some(Err(e)) => err(p.source.file, p.probe_line, e),
                None => err(
                    p.source.file,
                    p.lab_line,
                    format!("unknown lab '{}'", p.lab),
                ),
                Some(Ok(_)) => {}
            }
        }
    }
    errors
}
