//! Table helpers.

use leptos::prelude::*;

/// A full-width table with a header row; `children` are the `<tr>` rows.
#[component]
pub fn DataTable(
    /// Column headings.
    headers: Vec<&'static str>,
    /// The `<tr>` rows.
    children: Children,
) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="table">
                <thead>
                    <tr>{headers.into_iter().map(|h| view! { <th scope="col">{h}</th> }).collect_view()}</tr>
                </thead>
                <tbody>{children()}</tbody>
            </table>
        </div>
    }
}

/// A definition list of label/value rows: `<KeyValue items=vec![("Version", "0.1.0".into())]/>`.
#[component]
pub fn KeyValue(
    /// `(label, value)` rows.
    items: Vec<(&'static str, AnyView)>,
) -> impl IntoView {
    view! {
        <dl class="kv">
            {items
                .into_iter()
                .map(|(k, v)| view! { <div class="kv-row"><dt>{k}</dt><dd>{v}</dd></div> })
                .collect_view()}
        </dl>
    }
}
