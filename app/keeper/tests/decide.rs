//! The keeper's verdicts on the localnet deployment after a price move: the program's own decision
//! for each vault, and the keeper's minimum step on top. The decision bench times this snapshot.

use turbo_keeper::{Policy, Settings, Verdict};
use turbo_math::{Action, Bps};

/// Each vault's verdict, by symbol: what the keeper would send, leave small, or leave idle.
fn verdicts(policy: Policy) -> Vec<(String, &'static str, Action)> {
    let (snap, at) = tokio::runtime::Runtime::new().unwrap().block_on(turbo_testkit::localnet::after_a_move());
    turbo_keeper::decide(&snap, Default::default(), at, policy)
        .into_iter()
        .map(|v| match v {
            Verdict::Act(i) => (i.symbol, "act", i.plan.action),
            Verdict::Small { symbol, action } => (symbol, "small", action),
            Verdict::Idle { symbol, action } => (symbol, "idle", action),
            Verdict::Skip { symbol, why } => panic!("{symbol} skipped: {why}"),
            Verdict::Retired { symbol } => panic!("{symbol} is retired"),
        })
        .collect()
}

#[test]
fn after_a_move_the_keeper_sends_the_real_steps_and_leaves_the_funding_drift() {
    let policy = Settings { bounty_account: Some(Default::default()), ..Default::default() }.policy();
    assert_eq!(policy.min_step, Bps(10));
    let v = verdicts(policy);
    let expect = [
        ("tBTC", "act", Action::Trim),
        ("tSOL", "act", Action::Relever),
        ("tFET", "small", Action::Trim),
        ("bBTC", "act", Action::Relever),
        ("bSOL", "idle", Action::InBand),
    ];
    // The whole verdict list, one per vault, nothing extra or contradictory.
    let mut want: Vec<(String, &str, Action)> = expect.iter().map(|(s, k, a)| (s.to_string(), *k, *a)).collect();
    let mut got = v.clone();
    want.sort_by(|a, b| a.0.cmp(&b.0));
    got.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(got, want);
    // With no minimum, Turbo FET's drift is sent too.
    let v = verdicts(Policy { min_step: Bps(0), ..policy });
    assert!(v.contains(&("tFET".to_string(), "act", Action::Trim)), "{v:?}");
}

/// A step the program's step limit capped is as large as a step may be, so no minimum holds it
/// back: even a minimum of the whole position sends Turbo SOL's and Bear BTC's capped
/// re-leverages, and leaves only the uncapped trims.
#[test]
fn a_capped_step_is_never_small() {
    let v = verdicts(Policy { min_step: Bps(10_000), ..Policy::default() });
    let mut kinds: Vec<(&str, &str)> = v.iter().map(|(s, k, _)| (s.as_str(), *k)).collect();
    kinds.sort();
    assert_eq!(kinds, [("bBTC", "act"), ("bSOL", "idle"), ("tBTC", "small"), ("tFET", "small"), ("tSOL", "act")]);
}
