//! A card listing related entities (has part, depends on, members …).

use std::collections::HashMap;

use leptos::prelude::*;
use portal_types::EntityRef;
use portal_ui::{Badge, Card, DataTable};
use serde_json::Value;

use super::{lifecycle_tone, str_at};
use crate::components::entity_ref_link::EntityRefLink;
use crate::refs::kind_label;

/// Related entities by canonical ref, as fetched with `POST /entities/by-refs`.
pub type RelatedMap = HashMap<String, Value>;

/// Index the `by-refs` answer by canonical ref.
pub fn related_map(items: Vec<Option<Value>>) -> RelatedMap {
    items
        .into_iter()
        .flatten()
        .filter_map(|v| {
            let kind = str_at(&v, "kind")?;
            let name = str_at(&v, "metadata.name")?;
            let ns = str_at(&v, "metadata.namespace").unwrap_or("default");
            Some((EntityRef::new(kind, ns, name).to_string(), v))
        })
        .collect()
}

/// A table of the entities `refs`, with details from `related` when loaded.
#[component]
pub fn RelatedTable(
    /// Card title.
    #[prop(into)]
    title: String,
    /// Relation type (used in the test id `relation-table-<type>`).
    relation: &'static str,
    /// The entities.
    refs: Vec<EntityRef>,
    /// Details of related entities.
    #[prop(into)]
    related: Signal<RelatedMap>,
) -> impl IntoView {
    let testid = format!("relation-table-{}", relation.to_ascii_lowercase());
    let rows = move || {
        let related = related.get();
        refs.iter()
            .map(|r| {
                let key = r.to_string();
                let v = related.get(&key);
                let title = v
                    .and_then(|v| {
                        str_at(v, "metadata.title").or(str_at(v, "spec.profile.displayName"))
                    })
                    .map(String::from);
                let typ = v.and_then(|v| str_at(v, "spec.type")).map(String::from);
                let lifecycle = v.and_then(|v| str_at(v, "spec.lifecycle")).map(String::from);
                let desc = v
                    .and_then(|v| str_at(v, "metadata.description").or(str_at(v, "spec.profile.email")))
                    .map(String::from);
                let missing = v.is_none() && !related.is_empty();
                view! {
                    <tr data-testid="related-row">
                        <td>
                            <div class="cell-name">
                                <EntityRefLink entity_ref=key.clone() default_kind=r.kind.clone() title=title />
                                <small class="muted">{kind_label(&r.kind)}</small>
                            </div>
                        </td>
                        <td>
                            <div class="cell-type">
                                {typ}
                                {lifecycle.map(|l| view! { <Badge tone=lifecycle_tone(&l)>{l.clone()}</Badge> })}
                            </div>
                        </td>
                        <td class="muted">
                            <div class="cell-desc-wrap">
                                {desc}
                                {missing.then(|| view! { <em>"not in the catalog"</em> })}
                            </div>
                        </td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <div data-testid=testid class="related-card">
            <Card title=title>
                <DataTable headers=vec!["Name", "Type", "Description"]>{rows}</DataTable>
            </Card>
        </div>
    }
}
