//! The provider's in-memory store: one `Tenant` per bearer token, each with a table of Users and
//! one of Groups, and the indexes that keep look-ups from scanning: id, every attribute the schema
//! declares unique (userName case-insensitively), externalId, and group membership both ways.
//!
//! Resources are kept as their serialised JSON, packed (`compact.rs`: the phrases every resource
//! repeats stored as one byte each), not as `serde_json::Value` trees: a typical user's document
//! costs ~200 bytes instead of several KiB, and `GET /Users/{id}` answers by copying bytes, without
//! re-serialising. The store knows nothing about HTTP or SCIM semantics; `service.rs` does.

use crate::provider::compact;
use bytes::Bytes;
use parking_lot::RwLock;
use std::collections::{BTreeMap, BTreeSet};

/// The store's hash maps: foldhash (randomly seeded per map, so resistant to crafted keys) is
/// several times cheaper than SipHash on the short keys used here (ids, userNames).
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// The two resource types the provider serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// `/Users`
    User,
    /// `/Groups`
    Group,
}

impl Kind {
    /// The resource type id (`User`, `Group`).
    pub fn id(self) -> &'static str {
        match self {
            Kind::User => "User",
            Kind::Group => "Group",
        }
    }
    /// The endpoint (`Users`, `Groups`) without a slash.
    pub fn endpoint(self) -> &'static str {
        match self {
            Kind::User => "Users",
            Kind::Group => "Groups",
        }
    }
    /// From an endpoint segment (`Users`), case-insensitively.
    pub fn from_endpoint(s: &str) -> Option<Kind> {
        if s.eq_ignore_ascii_case("Users") {
            Some(Kind::User)
        } else if s.eq_ignore_ascii_case("Groups") {
            Some(Kind::Group)
        } else {
            None
        }
    }
}

/// One stored resource.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The server-issued id.
    pub id: Arc<str>,
    /// Insertion sequence (list order).
    pub seq: u64,
    /// The version behind `meta.version` / the ETag.
    pub version: u64,
    /// The stored representation, packed (read it with [`Entry::stored`], replace it with
    /// [`Entry::set_stored`]). It never contains writeOnly attributes, computed `groups`, or
    /// `meta.location` (derivable from the id; `service.rs` splices it in on the way out, which
    /// keeps a typical user ~90 bytes smaller in memory). `meta` is always its last member.
    packed: Box<[u8]>,
    /// The writeOnly password, kept apart so it can never be served by accident.
    pub password: Option<Box<str>>,
    /// Uniqueness keys (`attr\0value`, value already case-folded as the schema says), shared
    /// with the table's uniqueness index.
    pub unique_keys: Box<[Arc<str>]>,
    /// externalId, if any, shared with the table's externalId index.
    pub external_id: Option<Arc<str>>,
    /// For groups: the members, kept apart from the stored document (which never holds
    /// `members`) so that a PATCH adding or removing a few members costs what it carries, not
    /// the group's size.
    pub members: Members,
    /// For groups: displayName (for `User.groups[].display`); for users: none.
    pub display: Option<Box<str>>,
}

impl Entry {
    /// A new entry storing `json` (compact JSON as serde_json writes it), with no password, no
    /// uniqueness keys, no externalId, no members and no display name.
    pub fn new(id: Arc<str>, seq: u64, version: u64, json: &[u8]) -> Entry {
        Entry {
            packed: compact::pack(json, &id),
            id,
            seq,
            version,
            password: None,
            unique_keys: Box::default(),
            external_id: None,
            members: Members::default(),
            display: None,
        }
    }

    /// The stored representation (without the members), as JSON.
    pub fn stored(&self) -> Vec<u8> {
        compact::unpack(&self.packed, &self.id)
    }

    /// Replace the stored representation (compact JSON; see [`Entry::stored`]).
    pub fn set_stored(&mut self, json: &[u8]) {
        self.packed = compact::pack(json, &self.id);
    }

    /// The stored document with the members (when there are any) spliced in just before `meta`:
    /// the full representation, minus what `service` adds on the way out. O(members).
    pub fn document(&self) -> Bytes {
        let mut out = Vec::new();
        self.document_into(&mut out);
        Bytes::from(out)
    }

    /// [`Entry::document`], appended to `out`.
    pub fn document_into(&self, out: &mut Vec<u8>) {
        let start = out.len();
        compact::unpack_into(&self.packed, &self.id, out);
        if self.members.is_empty() {
            return;
        }
        out.reserve(self.members.json_len() + 16);
        match meta_start(&out[start..]) {
            Some(at) => {
                // `…,` + `"members":[…],` + `"meta":{…}}`
                let tail = out.split_off(start + at);
                out.extend_from_slice(b"\"members\":");
                self.members.write_json(out);
                out.push(b',');
                out.extend_from_slice(&tail);
            }
            None => {
                // No `meta` (not the shape the service writes): members go last.
                if out.len() > start && out.ends_with(b"}") {
                    out.pop();
                }
                if !out[start..].ends_with(b"{") {
                    out.push(b',');
                }
                out.extend_from_slice(b"\"members\":");
                self.members.write_json(out);
                out.push(b'}');
            }
        }
    }
}

/// Byte offset of the top-level `"meta"` key of a stored document (its last member, whose first
/// key is always `resourceType`), if the document has that shape.
pub fn meta_start(j: &[u8]) -> Option<usize> {
    const KEY: &[u8] = b",\"meta\":{\"resourceType\"";
    j.windows(KEY.len())
        .rposition(|w| w == KEY)
        .map(|at| at + 1)
}

/// A group's members in list order, indexed by `value` (the member's id). One pointer while
/// there are none (every user, and empty groups).
#[derive(Debug, Clone, Default)]
pub struct Members(Option<Box<MemberList>>);

/// The members of a group that has (or had) some.
#[derive(Debug, Clone, Default)]
struct MemberList {
    order: BTreeMap<u64, Member>,
    index: HashMap<Arc<str>, u64>,
    next: u64,
    bytes: usize,
}

/// One member: its `value` and its serialised object (`{"value":…,"$ref":…,"type":…}`).
#[derive(Debug, Clone)]
struct Member {
    value: Arc<str>,
    json: Box<str>,
}

impl Members {
    /// Number of members.
    pub fn len(&self) -> usize {
        self.0.as_ref().map_or(0, |l| l.index.len())
    }
    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Whether `value` is a member.
    pub fn contains(&self, value: &str) -> bool {
        self.0.as_ref().is_some_and(|l| l.index.contains_key(value))
    }
    /// Append a member (its `value` and serialised object); false (and no change) when a member
    /// with that value is already there.
    pub fn push(&mut self, value: &str, json: Box<str>) -> bool {
        self.0.get_or_insert_default().push(value, json)
    }
    /// Remove the member with this value; false when there is none.
    pub fn remove(&mut self, value: &str) -> bool {
        let Some(l) = self.0.as_mut() else {
            return false;
        };
        let removed = l.remove(value);
        if l.index.is_empty() {
            self.0 = None;
        }
        removed
    }
    /// The member values, in list order.
    pub fn values(&self) -> impl Iterator<Item = &str> {
        self.0
            .iter()
            .flat_map(|l| l.order.values().map(|m| &*m.value))
    }
    /// The serialised list's length in bytes (about).
    fn json_len(&self) -> usize {
        self.0.as_ref().map_or(0, |l| l.bytes) + 2
    }
    /// Append the list as a JSON array.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        out.push(b'[');
        if let Some(l) = &self.0 {
            for (i, m) in l.order.values().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(m.json.as_bytes());
            }
        }
        out.push(b']');
    }
}

impl MemberList {
    fn push(&mut self, value: &str, json: Box<str>) -> bool {
        if self.index.contains_key(value) {
            return false;
        }
        let value: Arc<str> = Arc::from(value);
        self.next += 1;
        self.bytes += json.len() + 1;
        self.index.insert(value.clone(), self.next);
        self.order.insert(self.next, Member { value, json });
        true
    }
    fn remove(&mut self, value: &str) -> bool {
        let Some(at) = self.index.remove(value) else {
            return false;
        };
        if let Some(m) = self.order.remove(&at) {
            self.bytes -= m.json.len() + 1;
        }
        true
    }
}

/// One resource type's table.
#[derive(Debug, Default)]
pub struct Table {
    by_id: HashMap<Arc<str>, Arc<Entry>>,
    order: BTreeMap<u64, Arc<str>>,
    unique: HashMap<Arc<str>, Arc<str>>,
    external: HashMap<Arc<str>, IdList>,
}

/// The ids sharing one externalId: almost always exactly one, kept without a heap allocation.
#[derive(Debug, Clone)]
enum IdList {
    One(Arc<str>),
    Many(Vec<Arc<str>>),
}

impl IdList {
    fn to_vec(&self) -> Vec<Arc<str>> {
        match self {
            IdList::One(id) => vec![id.clone()],
            IdList::Many(v) => v.clone(),
        }
    }
    fn push(&mut self, id: Arc<str>) {
        match self {
            IdList::One(first) => *self = IdList::Many(vec![first.clone(), id]),
            IdList::Many(v) => v.push(id),
        }
    }
    /// Remove `id`; true when the list became empty.
    fn remove(&mut self, id: &str) -> bool {
        match self {
            IdList::One(x) => &**x == id,
            IdList::Many(v) => {
                v.retain(|x| &**x != id);
                match v.first().cloned() {
                    None => true,
                    Some(only) if v.len() == 1 => {
                        *self = IdList::One(only);
                        false
                    }
                    Some(_) => false,
                }
            }
        }
    }
}

impl Table {
    /// The entry with `id`.
    pub fn get(&self, id: &str) -> Option<&Arc<Entry>> {
        self.by_id.get(id)
    }
    /// Number of entries.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }
    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
    /// The entry with `id`, for changing in place (copied first if a reader still holds it).
    /// The caller must not change anything an index is built from (unique keys, externalId,
    /// seq, members: see [`TenantData::change_members`]).
    pub fn get_mut(&mut self, id: &str) -> Option<&mut Entry> {
        self.by_id.get_mut(id).map(Arc::make_mut)
    }
    /// Entries in insertion order.
    pub fn iter(&self) -> impl Iterator<Item = &Arc<Entry>> {
        self.order.values().filter_map(|id| self.by_id.get(id))
    }
    /// The id holding uniqueness key `key`, if any.
    pub fn unique_owner(&self, key: &str) -> Option<&Arc<str>> {
        self.unique.get(key)
    }
    /// Ids with this externalId.
    pub fn by_external_id(&self, ext: &str) -> Vec<Arc<str>> {
        self.external
            .get(ext)
            .map(IdList::to_vec)
            .unwrap_or_default()
    }

    /// Insert or replace an entry, keeping every index right.
    pub fn put(&mut self, entry: Entry) {
        if let Some(old) = self.by_id.get(&entry.id).cloned() {
            self.unindex(&old);
        }
        let entry = Arc::new(entry);
        for k in &entry.unique_keys {
            self.unique.insert(k.clone(), entry.id.clone());
        }
        if let Some(ext) = &entry.external_id {
            match self.external.get_mut(&**ext) {
                Some(ids) => ids.push(entry.id.clone()),
                None => {
                    self.external
                        .insert(ext.clone(), IdList::One(entry.id.clone()));
                }
            }
        }
        self.order.insert(entry.seq, entry.id.clone());
        self.by_id.insert(entry.id.clone(), entry);
    }

    /// Remove an entry and its index entries.
    pub fn remove(&mut self, id: &str) -> Option<Arc<Entry>> {
        let old = self.by_id.remove(id)?;
        self.unindex(&old);
        Some(old)
    }

    fn unindex(&mut self, old: &Entry) {
        for k in &old.unique_keys {
            if self.unique.get(&**k).is_some_and(|owner| *owner == old.id) {
                self.unique.remove(&**k);
            }
        }
        if let Some(ext) = &old.external_id
            && let Some(ids) = self.external.get_mut(&**ext)
            && ids.remove(&old.id)
        {
            self.external.remove(&**ext);
        }
        self.order.remove(&old.seq);
    }
}

/// One change to a group's members, for [`TenantData::change_members`].
#[derive(Debug, Clone)]
pub enum MemberChange {
    /// Add a member (no change if a member has this value).
    Add {
        /// The member's id.
        value: String,
        /// Its serialised object.
        json: Box<str>,
    },
    /// Remove the member with this value (no change if there is none).
    Remove(String),
}

/// One tenant's data.
#[derive(Debug, Default)]
pub struct TenantData {
    /// Users.
    pub users: Table,
    /// Groups.
    pub groups: Table,
    /// member id → ids of the groups that list it directly.
    pub member_of: HashMap<String, BTreeSet<Arc<str>>>,
    /// Only with a read lag (`Semantics::read_lag`; empty otherwise): id → the version a write
    /// replaced, its kind, and when it was replaced; GET by id serves it for a short while.
    pub stale: HashMap<Arc<str>, (Kind, Arc<Entry>, std::time::Instant)>,
}

impl TenantData {
    /// The table of a kind.
    pub fn table(&self, kind: Kind) -> &Table {
        match kind {
            Kind::User => &self.users,
            Kind::Group => &self.groups,
        }
    }
    /// The table of a kind, for writing.
    pub fn table_mut(&mut self, kind: Kind) -> &mut Table {
        match kind {
            Kind::User => &mut self.users,
            Kind::Group => &mut self.groups,
        }
    }
    /// Which kind holds `id`, if any.
    pub fn kind_of(&self, id: &str) -> Option<Kind> {
        if self.users.get(id).is_some() {
            Some(Kind::User)
        } else if self.groups.get(id).is_some() {
            Some(Kind::Group)
        } else {
            None
        }
    }

    /// Store a group, updating the membership index from its old and new member lists.
    pub fn put_group(&mut self, entry: Entry) {
        let id = entry.id.clone();
        if let Some(old) = self.groups.get(&id).cloned() {
            for m in old.members.values() {
                if let Some(set) = self.member_of.get_mut(m) {
                    set.remove(&id);
                    if set.is_empty() {
                        self.member_of.remove(m);
                    }
                }
            }
        }
        for m in entry.members.values() {
            self.member_of
                .entry(m.to_string())
                .or_default()
                .insert(id.clone());
        }
        self.groups.put(entry);
    }

    /// Add and remove members of group `gid` in place, in the order given, keeping the
    /// membership index right: work in proportion to the changes, not the group. `None` when
    /// there is no such group; otherwise whether anything changed.
    pub fn change_members(&mut self, gid: &str, changes: Vec<MemberChange>) -> Option<bool> {
        let e = self.groups.get_mut(gid)?;
        let id = e.id.clone();
        let mut changed = false;
        for c in changes {
            match c {
                MemberChange::Add { value, json } => {
                    if e.members.push(&value, json) {
                        changed = true;
                        self.member_of.entry(value).or_default().insert(id.clone());
                    }
                }
                MemberChange::Remove(value) => {
                    if e.members.remove(&value) {
                        changed = true;
                        if let Some(set) = self.member_of.get_mut(&value) {
                            set.remove(&id);
                            if set.is_empty() {
                                self.member_of.remove(&value);
                            }
                        }
                    }
                }
            }
        }
        Some(changed)
    }

    /// Remove a group and its membership-index entries.
    pub fn remove_group(&mut self, id: &str) -> Option<Arc<Entry>> {
        let old = self.groups.remove(id)?;
        for m in old.members.values() {
            if let Some(set) = self.member_of.get_mut(m) {
                set.remove(id);
                if set.is_empty() {
                    self.member_of.remove(m);
                }
            }
        }
        Some(old)
    }

    /// Ids of the groups that list `member` directly.
    pub fn groups_of(&self, member: &str) -> Vec<Arc<str>> {
        self.member_of
            .get(member)
            .map(|s| s.iter().cloned().collect())
            .unwrap_or_default()
    }
}

/// A tenant's data as a PUT or PATCH holds it: the lock taken upgradable, so readers go on while
/// the write reads the resource and computes the new one, and exclusive only for the change
/// itself (`with_upgraded`). Writes exclude each other throughout, so what a write read is still
/// current when it changes it.
pub type TenantWrite<'a> = parking_lot::RwLockUpgradableReadGuard<'a, TenantData>;

/// A tenant: its data behind one lock (cross-type operations, such as deleting a user that is a
/// member of groups, must be atomic).
#[derive(Debug, Default)]
pub struct Tenant {
    /// The data.
    pub data: RwLock<TenantData>,
    /// Outside the lock so a user's document can be built before the lock is taken.
    seq: AtomicU64,
}

impl Tenant {
    /// A fresh number, used both for insertion order and for versions (so an ETag is never
    /// reused within a tenant, even across delete and re-create).
    pub fn next_seq(&self) -> u64 {
        self.seq.fetch_add(1, Ordering::Relaxed) + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str, seq: u64, keys: &[&str], ext: Option<&str>, members: &[&str]) -> Entry {
        let mut e = Entry::new(id.into(), seq, seq, b"{}");
        e.unique_keys = keys.iter().map(|s| Arc::from(*s)).collect();
        e.external_id = ext.map(Arc::from);
        for m in members {
            e.members.push(m, format!("{{\"value\":\"{m}\"}}").into());
        }
        e
    }

    #[test]
    fn put_replace_remove_keep_indexes_consistent() {
        let mut t = Table::default();
        t.put(entry("a", 1, &["userName\0alice"], Some("e1"), &[]));
        assert_eq!(t.unique_owner("userName\0alice").map(|s| &**s), Some("a"));
        t.put(entry("a", 1, &["userName\0alicia"], Some("e2"), &[]));
        assert!(t.unique_owner("userName\0alice").is_none());
        assert_eq!(t.by_external_id("e2").len(), 1);
        assert!(t.by_external_id("e1").is_empty());
        t.put(entry("b", 2, &[], Some("e2"), &[]));
        t.put(entry("c", 3, &[], Some("e2"), &[]));
        assert_eq!(t.by_external_id("e2").len(), 3);
        t.remove("b");
        t.remove("c");
        assert_eq!(t.by_external_id("e2").len(), 1);
        assert!(t.remove("a").is_some());
        assert!(t.unique_owner("userName\0alicia").is_none());
        assert!(t.is_empty());
        assert_eq!(t.iter().count(), 0);
    }

    #[test]
    fn membership_index_follows_group_updates() {
        let mut d = TenantData::default();
        d.put_group(entry("g", 1, &[], None, &["u1", "u2"]));
        assert_eq!(d.groups_of("u1").len(), 1);
        d.put_group(entry("g", 1, &[], None, &["u2"]));
        assert!(d.groups_of("u1").is_empty());
        d.remove_group("g");
        assert!(d.groups_of("u2").is_empty());
    }

    #[test]
    fn iteration_follows_insertion_order() {
        let mut t = Table::default();
        t.put(entry("b", 2, &[], None, &[]));
        t.put(entry("a", 1, &[], None, &[]));
        let ids: Vec<&str> = t.iter().map(|e| &*e.id).collect();
        assert_eq!(ids, vec!["a", "b"]);
    }
}
