//! `scimtest load`: goose scenarios of the SCIM provisioning path. `scenario` is the TOML
//! format and the shipped scenarios, `ops` the operations as goose transactions, `engine` one
//! run (pool set-up, the attack, cleanup), `stats` the per-operation latency collector,
//! `plot` the SVG plots, `correctness` the checks run under load.

pub mod engine;
pub mod ops;
pub mod scenario;
pub mod stats;

/// TEMPORARY: the plan of a scenario (replaced when the scenario module lands).
pub fn plan_for(_name: &str) -> Result<engine::Plan, String> {
    use engine::PlanOp;
    use scenario::Op;
    let op = |op, weight| PlanOp {
        op,
        weight,
        sequence: None,
    };
    Ok(engine::Plan {
        name: "smoke".into(),
        users: 8,
        ramp: std::time::Duration::from_secs(1),
        duration: Some(std::time::Duration::from_secs(10)),
        iterations: None,
        timeout: std::time::Duration::from_secs(10),
        throttle: None,
        ops: vec![
            op(Op::CreateUser, 2),
            op(Op::GetUser, 4),
            op(Op::FilterUser, 4),
            op(Op::PatchUser, 2),
            op(Op::CreateGroup, 1),
            op(Op::AddMembers, 1),
            op(Op::DeleteUser, 1),
        ],
        pool_users: 50,
        pool_groups: 2,
        members_per_group: 10,
        members_per_patch: 5,
        page_size: 100,
        enterprise: true,
    })
}
