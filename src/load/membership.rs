//! What each group must hold after the run's own member writes (`check-members`): set from the
//! members a pool group was created with, changed by every add, remove and replace that the
//! target answered 2xx, forgotten after one it refused (what it kept is then unknown), and
//! compared with a read-back: a member lost, one never written, or one listed twice is a
//! finding. Meaningful only with one virtual user (the scenario language enforces it).

use parking_lot::Mutex;
use serde_json::Value;
use std::collections::{HashMap, HashSet};

/// The expected members of each group, by group id.
#[derive(Debug, Default)]
pub struct Expected(Mutex<HashMap<String, HashSet<String>>>);

/// A member write whose outcome the expectation follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Write {
    /// Members added.
    Add,
    /// Members removed.
    Remove,
    /// The member list replaced.
    Replace,
}

impl Expected {
    /// Group `gid` holds exactly `ids` (a group created with them, or a replace).
    pub fn set(&self, gid: &str, ids: impl IntoIterator<Item = String>) {
        self.0
            .lock()
            .insert(gid.to_string(), ids.into_iter().collect());
    }

    /// Follow a member write to `gid` that the target answered `ok` (2xx) or not.
    pub fn wrote(&self, gid: &str, write: Write, ids: &[String], ok: bool) {
        let mut map = self.0.lock();
        if !ok {
            map.remove(gid);
            return;
        }
        match write {
            Write::Replace => {
                map.insert(gid.to_string(), ids.iter().cloned().collect());
            }
            Write::Add | Write::Remove => {
                if let Some(set) = map.get_mut(gid) {
                    for id in ids {
                        if write == Write::Add {
                            set.insert(id.clone());
                        } else {
                            set.remove(id);
                        }
                    }
                }
            }
        }
    }

    /// A copy of what `gid` must hold, if that is known.
    pub fn of(&self, gid: &str) -> Option<HashSet<String>> {
        self.0.lock().get(gid).cloned()
    }
}

/// How a group document's `members` differ from `want`; `None` when they are exactly it.
pub fn differ(body: &[u8], want: &HashSet<String>) -> Option<String> {
    let Ok(v) = serde_json::from_slice::<Value>(body) else {
        return Some("the group read back is not JSON".into());
    };
    let got: Vec<&str> = v["members"]
        .as_array()
        .map(|a| a.iter().filter_map(|m| m["value"].as_str()).collect())
        .unwrap_or_default();
    let set: HashSet<&str> = got.iter().copied().collect();
    let lost = want.iter().filter(|id| !set.contains(id.as_str())).count();
    let invented = set.iter().filter(|id| !want.contains(**id)).count();
    let twice = got.len() - set.len();
    if lost == 0 && invented == 0 && twice == 0 {
        return None;
    }
    Some(format!(
        "members differ: {lost} lost, {invented} never written, {twice} listed twice ({} read, {} expected)",
        got.len(),
        want.len()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn follows_writes_and_forgets_after_a_refusal() {
        let e = Expected::default();
        e.set("g", ids(&["a", "b"]));
        e.wrote("g", Write::Add, &ids(&["c"]), true);
        e.wrote("g", Write::Remove, &ids(&["a", "x"]), true);
        assert_eq!(e.of("g"), Some(ids(&["b", "c"]).into_iter().collect()));
        e.wrote("g", Write::Replace, &ids(&["z"]), true);
        assert_eq!(e.of("g"), Some(ids(&["z"]).into_iter().collect()));
        e.wrote("g", Write::Add, &ids(&["y"]), false);
        assert_eq!(e.of("g"), None);
    }

    #[test]
    fn a_read_back_must_match_exactly() {
        let want: HashSet<String> = ids(&["a", "b"]).into_iter().collect();
        let body = |m: &str| format!("{{\"members\":[{m}]}}").into_bytes();
        assert_eq!(differ(&body(r#"{"value":"b"},{"value":"a"}"#), &want), None);
        let lost = differ(&body(r#"{"value":"a"}"#), &want).unwrap_or_default();
        assert!(lost.contains("1 lost"), "{lost}");
        let dup = differ(&body(r#"{"value":"a"},{"value":"b"},{"value":"a"}"#), &want);
        assert!(dup.unwrap_or_default().contains("1 listed twice"));
        let new = differ(&body(r#"{"value":"a"},{"value":"b"},{"value":"c"}"#), &want);
        assert!(new.unwrap_or_default().contains("1 never written"));
        assert!(differ(b"{}", &want).unwrap_or_default().contains("2 lost"));
    }
}
