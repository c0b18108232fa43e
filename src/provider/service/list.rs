//! Lists and searches (GET on a collection, POST `.search`): filter, index hints, sort,
//! paging (index-based, RFC 7644 §3.4.2.4, or cursor-based, RFC 9865) and projection into a
//! ListResponse.

use super::*;

impl Provider {
    /// GET /{Users|Groups} and POST /.search (one kind or, for the root, several).
    pub fn list(&self, slot: &TenantSlot, kinds: &[Kind], sent: &ListQuery) -> ScimResult<Reply> {
        let rewritten = self.hooks.list_query(sent);
        let q = rewritten.as_ref().unwrap_or(sent);
        let filter = match q.filter.as_deref() {
            None => None,
            Some(text) => {
                self.hooks.screen_filter(text)?;
                match self.parse_filter(text, kinds) {
                    Ok(f) => Some(self.hooks.filter(f)),
                    Err(e) if self.hooks.tolerate(Stage::Filter, &e) => {
                        return Ok(Reply::json(200, &query::list_response(0, 1, Vec::new())));
                    }
                    Err(e) => return Err(e),
                }
            }
        };
        if let Some(by) = q.sort_by.as_ref() {
            self.check_sort_by(by, kinds)?;
        }
        self.hooks.screen_list_query(q, &self.limits)?;
        let start_index = q.start_index.saturating_add(self.rules.start_index_shift);
        let d = slot.tenant.data.read();
        let paging = self.rules.paging;
        let sort_by = q.sort_by.as_ref();

        if let Some(token) = q.cursor.as_deref() {
            return self.list_by_cursor(&d, kinds, filter.as_ref(), q, sent, token);
        }

        // Fast path: one kind, no filter, no sort: page straight off the table.
        if let ([kind], None, None) = (kinds, &filter, sort_by) {
            let table = d.table(*kind);
            let total = table.len();
            let range = self.page_of(total, start_index, q, paging);
            let proj = self.list_projection(q);
            let mut page = Vec::with_capacity(range.len());
            for e in table.iter().skip(range.start).take(range.len()) {
                let v = self.materialize(&d, *kind, e)?;
                page.push(self.project_owned(*kind, v, &proj)?);
            }
            return Ok(Reply::json(200, &self.list_body(total, sent, page)));
        }

        let hits = self.matching(&d, kinds, filter.as_ref())?;
        let hits = match sort_by {
            Some(by) => self.sorted_hits(hits, kinds, by, q)?,
            None => hits.into_iter().map(|h| (h.kind, h.value)).collect(),
        };
        let total = hits.len();
        self.hooks.screen_total(total, filter.is_some())?;
        let range = self.page_of(total, start_index, q, paging);
        let proj = self.list_projection(q);
        let mut page = Vec::with_capacity(range.len());
        for (kind, v) in hits.into_iter().skip(range.start).take(range.len()) {
            page.push(self.project_owned(kind, v, &proj)?);
        }
        Ok(Reply::json(200, &self.list_body(total, sent, page)))
    }

    /// The resources of `kinds` that match `filter`, in table order within each kind.
    fn matching(
        &self,
        d: &TenantData,
        kinds: &[Kind],
        filter: Option<&Filter>,
    ) -> ScimResult<Vec<Hit>> {
        let mut hits = Vec::new();
        for (rank, &kind) in kinds.iter().enumerate() {
            let schema = self.schema(kind)?;
            for e in self.candidates(d, kind, filter) {
                let v = self.materialize(d, kind, &e)?;
                let keep = match filter {
                    None => true,
                    Some(f) => f.matches(&v, &schema) && self.hooks.also_matches(f, &v),
                };
                if keep {
                    hits.push(Hit {
                        kind,
                        rank: u8::try_from(rank).unwrap_or(u8::MAX),
                        seq: e.seq,
                        value: v,
                    });
                }
            }
        }
        Ok(hits)
    }

    /// `hits` in `sortBy` / `sortOrder` order, each with its resource type.
    fn sorted_hits(
        &self,
        hits: Vec<Hit>,
        kinds: &[Kind],
        by: &AttrPath,
        q: &ListQuery,
    ) -> ScimResult<Vec<(Kind, Value)>> {
        let kind = kinds.first().copied().unwrap_or(Kind::User);
        let schema = self.schema(kind)?;
        let mut values: Vec<Value> = hits.into_iter().map(|h| h.value).collect();
        let order = q.sort_order;
        query::sort(&mut values, by, order, &schema);
        self.hooks.sorted(&mut values, by, order, &schema);
        // Every served resource names its type in meta.resourceType.
        Ok(values
            .into_iter()
            .map(|v| {
                let k = match v.pointer("/meta/resourceType").and_then(Value::as_str) {
                    Some("Group") => Kind::Group,
                    Some("User") => Kind::User,
                    _ => kind,
                };
                (k, v)
            })
            .collect())
    }

    /// A cursor-paged list (RFC 9865 §2): `token` is the `cursor` (empty for the first page;
    /// `q` is the query after the list-query hook, `sent` as the client sent it).
    /// Unsorted, the results are in (resource type, insertion) order and a cursor names
    /// the last resource served, so inserts and deletes between pages shift nothing already
    /// listed; sorted, a cursor names the last resource's id. See `scim::query::cursor`.
    fn list_by_cursor(
        &self,
        d: &TenantData,
        kinds: &[Kind],
        filter: Option<&Filter>,
        q: &ListQuery,
        sent: &ListQuery,
        token: &str,
    ) -> ScimResult<Reply> {
        let sort_by = q.sort_by.as_ref();
        let by_text = sort_by.map(ToString::to_string).unwrap_or_default();
        let order_text = match sort_by {
            Some(_) => format!("{:?}", q.sort_order),
            None => String::new(),
        };
        let kinds_text: Vec<&str> = kinds.iter().map(|k| k.id()).collect();
        let kinds_text = kinds_text.join(",");
        let fp = query::fingerprint([
            q.filter.as_deref().unwrap_or(""),
            by_text.as_str(),
            order_text.as_str(),
            kinds_text.as_str(),
        ]);
        let mut hits = self.matching(d, kinds, filter)?;
        let (ordered, keys) = match sort_by {
            Some(by) => (self.sorted_hits(hits, kinds, by, q)?, None),
            None => {
                hits.sort_by_key(|h| (h.rank, h.seq));
                let keys: Vec<(u8, u64)> = hits.iter().map(|h| (h.rank, h.seq)).collect();
                let ordered = hits.into_iter().map(|h| (h.kind, h.value)).collect();
                (ordered, Some(keys))
            }
        };
        let total = ordered.len();
        self.hooks.screen_total(total, filter.is_some())?;
        let start = if token.is_empty() {
            0
        } else {
            match query::Cursor::decode(token, &self.cursor_key) {
                Ok(c) if c.query == fp => match (c.position, &keys) {
                    (query::Position::After { kind, seq }, Some(keys)) => {
                        keys.partition_point(|&k| k <= (kind, seq))
                    }
                    (query::Position::AfterId { offset, id }, None) => ordered
                        .iter()
                        .position(|(_, v)| v.get("id").and_then(Value::as_str) == Some(&id))
                        .map_or(offset.min(total), |i| i + 1),
                    _ => return Err(foreign_cursor()),
                },
                _ if !self.rules.refuse_unknown_cursors => 0,
                Ok(_) => return Err(foreign_cursor()),
                Err(e) => return Err(e),
            }
        };
        let range = if self.rules.paging {
            query::cursor_page(
                total,
                start,
                q.count,
                self.limits.default_count,
                self.limits.filter_max_results,
            )
        } else {
            0..total
        };
        let next = (range.end < total && !range.is_empty()).then(|| {
            let last = range.end - 1;
            let position = match &keys {
                Some(keys) => {
                    let (kind, seq) = keys.get(last).copied().unwrap_or_default();
                    query::Position::After { kind, seq }
                }
                None => query::Position::AfterId {
                    offset: range.end,
                    id: ordered
                        .get(last)
                        .and_then(|(_, v)| v.get("id"))
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_string(),
                },
            };
            query::Cursor {
                query: fp,
                position,
            }
            .encode(&self.cursor_key)
        });
        let proj = self.list_projection(q);
        let mut page = Vec::with_capacity(range.len());
        for (kind, v) in ordered.into_iter().skip(range.start).take(range.len()) {
            page.push(self.project_owned(kind, v, &proj)?);
        }
        let mut body = query::cursor_list_response(total, page, next);
        self.hooks.list_body(sent, &mut body);
        Ok(Reply::json(200, &body))
    }

    /// The index range of the page `q` asks for among `total` hits (all of them when paging
    /// is off): `count` defaulted and capped by the provider's limits.
    fn page_of(
        &self,
        total: usize,
        start_index: usize,
        q: &ListQuery,
        paging: bool,
    ) -> std::ops::Range<usize> {
        if paging {
            query::page_range(
                total,
                start_index,
                Some(q.count.unwrap_or(self.limits.default_count)),
                self.limits.filter_max_results,
            )
        } else {
            0..total
        }
    }

    pub(super) fn list_projection(&self, q: &ListQuery) -> Projection {
        Projection {
            attributes: q.attributes.clone(),
            excluded: q.excluded_attributes.clone(),
        }
    }

    /// The ListResponse for a page (`q` as the client sent it), through the list-body hook.
    pub(super) fn list_body(&self, total: usize, q: &ListQuery, page: Vec<Value>) -> Value {
        let mut body = query::list_response(total, q.start_index.max(1), page);
        self.hooks.list_body(q, &mut body);
        body
    }

    pub(super) fn parse_filter(&self, text: &str, kinds: &[Kind]) -> ScimResult<Filter> {
        let f = Filter::parse(text).map_err(ScimError::from)?;
        let mut last_err = None;
        for &kind in kinds {
            match f.validate(&self.schema(kind)?) {
                Ok(()) => return Ok(f),
                Err(e) => last_err = Some(e),
            }
        }
        match last_err {
            Some(e) => Err(e),
            None => Ok(f),
        }
    }

    /// `sortBy` must name an attribute of at least one of `kinds` (root `.search` spans both).
    pub(super) fn check_sort_by(&self, by: &AttrPath, kinds: &[Kind]) -> ScimResult<()> {
        let mut last_err = None;
        for &kind in kinds {
            match query::check_sort_by(by, &self.schema(kind)?) {
                Ok(()) => return Ok(()),
                Err(e) => last_err = Some(e),
            }
        }
        last_err.map_or(Ok(()), Err)
    }

    /// The entries worth evaluating `filter` on: an index hit when the filter pins a unique
    /// attribute, the id or the externalId; the whole table otherwise.
    pub(super) fn candidates(
        &self,
        d: &TenantData,
        kind: Kind,
        filter: Option<&Filter>,
    ) -> Vec<Arc<Entry>> {
        let table = d.table(kind);
        if let Some(f) = filter {
            if let Some(id) = f.equality_on(&AttrPath::attr("id")) {
                return table.get(id).cloned().into_iter().collect();
            }
            if let Some(ext) = f.equality_on(&AttrPath::attr("externalId")) {
                return table
                    .by_external_id(ext)
                    .iter()
                    .filter_map(|id| table.get(id).cloned())
                    .collect();
            }
            if let Ok(schema) = self.schema(kind) {
                for urn in schema.schema_urns() {
                    let Some(s) = self.registry.schema(urn) else {
                        continue;
                    };
                    for a in &s.attributes {
                        if a.uniqueness == crate::scim::schema::Uniqueness::None || a.multi_valued {
                            continue;
                        }
                        let path = AttrPath::attr(a.name.clone());
                        if let Some(value) = f.equality_on(&path) {
                            let folded = if a.case_exact {
                                value.to_string()
                            } else {
                                value.to_lowercase()
                            };
                            let key = format!("{path}\0{folded}");
                            if self.rules.uniqueness != Uniqueness::AsDeclared {
                                break;
                            }
                            return table
                                .unique_owner(&key)
                                .and_then(|id| table.get(id).cloned())
                                .into_iter()
                                .collect();
                        }
                    }
                }
            }
            if kind == Kind::Group {
                let member = f
                    .equality_on(&AttrPath::sub("members", "value"))
                    .or_else(|| member_value_path(f));
                if let Some(uid) = member {
                    return d
                        .groups_of(uid)
                        .iter()
                        .filter_map(|g| table.get(g).cloned())
                        .collect();
                }
            }
        }
        table.iter().cloned().collect()
    }
}

/// One resource matching a list query, before ordering.
struct Hit {
    kind: Kind,
    /// Index of `kind` in the query's resource types.
    rank: u8,
    /// Insertion sequence (table order).
    seq: u64,
    value: Value,
}

/// 400 `invalidCursor` for a cursor issued for another query.
fn foreign_cursor() -> ScimError {
    ScimError::invalid_cursor(
        "the cursor belongs to another query: keep filter, sortBy and sortOrder as in the request that returned it",
    )
}

/// `members[value eq "x"]` as an index hint.
fn member_value_path(f: &Filter) -> Option<&str> {
    match f {
        Filter::ValuePath { attr, filter } if attr.attr.eq_ignore_ascii_case("members") => {
            filter.equality_on(&AttrPath::attr("value"))
        }
        Filter::And(a, b) => member_value_path(a).or_else(|| member_value_path(b)),
        _ => None,
    }
}
