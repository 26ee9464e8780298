//! Isolates a plugin's view: errors and pending resources stay inside the boundary.

use leptos::prelude::*;

use crate::icon::Icon;
use crate::spinner::Loading;

/// Wraps an extension view in an `ErrorBoundary` + `Suspense`. An `Err` rendered by the
/// extension shows a contained card naming the extension instead of blanking the app.
/// (A Rust panic aborts the whole wasm module and cannot be contained.)
#[component]
pub fn ExtensionBoundary(
    /// Plugin id, shown in the error card.
    #[prop(into)]
    plugin: String,
    /// Extension id, e.g. `page:catalog`.
    #[prop(into)]
    extension: String,
    /// The extension's view.
    children: Children,
) -> impl IntoView {
    let label = StoredValue::new((plugin, extension));
    view! {
        <ErrorBoundary fallback=move |errors| {
            let (plugin, extension) = label.get_value();
            view! {
                <div class="extension-error" role="alert" data-testid="extension-error">
                    <Icon name="alert" size=20 />
                    <div>
                        <strong>{format!("The {plugin} plugin failed to render")}</strong>
                        <ul>
                            {move || {
                                errors
                                    .get()
                                    .into_iter()
                                    .map(|(_, e)| view! { <li>{e.to_string()}</li> })
                                    .collect_view()
                            }}
                        </ul>
                        <small class="muted">{extension}</small>
                    </div>
                </div>
            }
        }>
            <Suspense fallback=|| view! { <Loading /> }>{children()}</Suspense>
        </ErrorBoundary>
    }
}
