//! A link to an entity page from an entity reference.

use leptos::prelude::*;

use crate::refs::{entity_path, humanize, parse_ref};

/// Renders a ref such as `group:default/team-a` as a link to its entity page, labelled
/// with `title` when given, else the humanized ref (`team-a` when the kind is
/// `default_kind`, `group:team-a` otherwise). A ref that does not parse is shown as text.
#[component]
pub fn EntityRefLink(
    /// The ref, full (`group:default/team-a`) or short (`team-a`, with `default_kind`).
    #[prop(into)]
    entity_ref: String,
    /// Kind assumed when the ref has none, and left out of the label when it matches.
    #[prop(optional, into)]
    default_kind: Option<String>,
    /// Namespace assumed when the ref has none (default `default`).
    #[prop(optional, into)]
    default_namespace: Option<String>,
    /// Label to show instead of the humanized ref.
    #[prop(default = None, into)]
    title: Option<String>,
) -> impl IntoView {
    let ns = default_namespace.unwrap_or_else(|| "default".into());
    match parse_ref(&entity_ref, default_kind.as_deref(), &ns) {
        Some(r) => {
            let label = title.unwrap_or_else(|| humanize(&r, default_kind.as_deref()));
            let full = r.to_string();
            view! {
                <a class="entity-ref-link" href=entity_path(&r) title=full.clone() data-ref=full>
                    {label}
                </a>
            }
            .into_any()
        }
        None => view! { <span class="entity-ref-text">{entity_ref}</span> }.into_any(),
    }
}
