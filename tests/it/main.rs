//! Integration tests: one binary, every test starts its own provider on 127.0.0.1:0.

mod support;

mod check_catalogue;
mod check_cli;
mod deploy_manifests;
mod fixtures_format;
mod fuzz_properties;
mod hostile;
mod hostile_tcp;
mod interrupt_trials;
mod load_cli;
mod load_correctness;
mod load_scenarios;
mod load_shard;
mod provider_auth;
mod provider_bulk;
mod provider_conformance;
mod provider_discovery;
mod provider_errors;
mod provider_etag;
mod provider_faults;
mod provider_groups;
mod provider_isolation;
mod provider_limits;
mod provider_list;
mod provider_patch;
mod provider_robustness;
mod provider_users;
mod record;
mod replay;
mod replay_cli;
mod replay_snapshots;
mod report_html;
mod report_snapshots;
mod secrets;
mod smoke_binary;
