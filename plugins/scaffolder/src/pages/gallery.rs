//! `/create`: the template gallery.

use frontend_plugin_api::use_api;
use leptos::prelude::*;
use portal_types::EntityRef;
use portal_ui::{Badge, EmptyState, ErrorPanel, Loading, PageHeader, Tone};
use serde_json::Value;

use crate::{api, wizard_path, BASE};

/// One gallery card's data.
#[derive(Debug, Clone, PartialEq)]
pub struct TemplateCard {
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// Title (or name).
    pub title: String,
    /// Description.
    pub description: String,
    /// `spec.type`.
    pub template_type: String,
    /// Tags.
    pub tags: Vec<String>,
    /// `spec.owner`.
    pub owner: Option<String>,
}

impl TemplateCard {
    /// From a Template entity.
    pub fn from_entity(e: &Value) -> Option<Self> {
        let name = e["metadata"]["name"].as_str()?.to_string();
        Some(Self {
            namespace: e["metadata"]["namespace"]
                .as_str()
                .unwrap_or("default")
                .to_string(),
            title: e["metadata"]["title"].as_str().unwrap_or(&name).to_string(),
            description: e["metadata"]["description"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
            template_type: e["spec"]["type"].as_str().unwrap_or_default().to_string(),
            tags: e["metadata"]["tags"]
                .as_array()
                .map(|t| {
                    t.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
            owner: e["spec"]["owner"].as_str().map(str::to_string),
            name,
        })
    }

    /// Whether the card matches the search text, type and tag filters.
    pub fn matches(&self, search: &str, template_type: &str, tag: &str) -> bool {
        let s = search.trim().to_lowercase();
        (s.is_empty()
            || self.title.to_lowercase().contains(&s)
            || self.name.contains(&s)
            || self.description.to_lowercase().contains(&s)
            || self.tags.iter().any(|t| t.contains(&s)))
            && (template_type.is_empty() || self.template_type == template_type)
            && (tag.is_empty() || self.tags.iter().any(|t| t == tag))
    }
}

fn owner_link(owner: &str) -> Option<(String, String)> {
    let r = EntityRef::parse(owner, Some("group"), None).ok()?;
    Some((
        format!("/catalog/{}/{}/{}", r.namespace, r.kind, r.name),
        r.name,
    ))
}

/// The gallery page.
#[component]
pub fn Gallery() -> impl IntoView {
    let api = use_api();
    let templates = LocalResource::new(move || api::templates(api.clone()));
    let search = RwSignal::new(String::new());
    let ty = RwSignal::new(String::new());
    let tag = RwSignal::new(String::new());
    let cards = Memo::new(move |_| {
        templates.get().and_then(|r| r.ok()).map(|v| {
            v.iter()
                .filter_map(TemplateCard::from_entity)
                .collect::<Vec<_>>()
        })
    });
    let types = move || {
        let mut t: Vec<String> = cards
            .get()
            .unwrap_or_default()
            .into_iter()
            .map(|c| c.template_type)
            .filter(|t| !t.is_empty())
            .collect();
        t.sort();
        t.dedup();
        t
    };
    let tags = move || {
        let mut t: Vec<String> = cards
            .get()
            .unwrap_or_default()
            .into_iter()
            .flat_map(|c| c.tags)
            .collect();
        t.sort();
        t.dedup();
        t
    };
    view! {
        <div class="page scaffolder-gallery">
            <PageHeader title="Create something new" subtitle="Start a service, a workspace or anything else from a software template; the portal does the setup and registers the result in the catalog.">
                <a class="button" href=format!("{BASE}/tasks") data-testid="tasks-link">"Task list"</a>
            </PageHeader>
            <div class="gallery-toolbar card">
                <input
                    class="input gallery-search"
                    type="search"
                    placeholder="Search templates"
                    data-testid="template-search"
                    prop:value=move || search.get()
                    on:input=move |ev| search.set(event_target_value(&ev))
                />
                <select class="select gallery-type" data-testid="template-type" prop:value=move || ty.get() on:change=move |ev| ty.set(event_target_value(&ev))>
                    <option value="">"All types"</option>
                    {move || types().into_iter().map(|t| view! { <option value=t.clone()>{t.clone()}</option> }).collect_view()}
                </select>
                <div class="gallery-tags" data-testid="template-tags">
                    {move || tags().into_iter().map(|t| {
                        let t2 = t.clone();
                        let t3 = t.clone();
                        view! {
                            <button
                                type="button"
                                class="tag-toggle"
                                class:tag-toggle-on=move || tag.get() == t2
                                data-testid=format!("tag-{t}")
                                on:click=move |_| tag.update(|cur| if *cur == t3 { cur.clear() } else { *cur = t3.clone() })
                            >
                                {t.clone()}
                            </button>
                        }
                    }).collect_view()}
                </div>
            </div>
            {move || match templates.get() {
                None => view! { <Loading /> }.into_any(),
                Some(Err(e)) => view! { <ErrorPanel error=e title="Templates could not be loaded" /> }.into_any(),
                Some(Ok(_)) => {
                    let all = cards.get().unwrap_or_default();
                    let shown: Vec<TemplateCard> = all.iter().filter(|c| c.matches(&search.get(), &ty.get(), &tag.get())).cloned().collect();
                    if all.is_empty() {
                        view! {
                            <EmptyState title="No templates yet" message="Register a Template entity (scaffolder.backstage.io/v1beta3) in the catalog to offer it here." icon="templates">
                                <a class="button" href="/catalog/register">"Register a template"</a>
                            </EmptyState>
                        }.into_any()
                    } else if shown.is_empty() {
                        view! { <EmptyState title="No template matches" message="Change the search or the filters." icon="search" /> }.into_any()
                    } else {
                        view! {
                            <div class="template-grid" data-testid="template-grid">
                                {shown.into_iter().map(|c| view! { <Card card=c /> }).collect_view()}
                            </div>
                        }.into_any()
                    }
                }
            }}
        </div>
    }
}

#[component]
fn Card(card: TemplateCard) -> impl IntoView {
    let href = wizard_path(&card.namespace, &card.name);
    let owner = card.owner.as_deref().and_then(owner_link);
    view! {
        <article class="card template-card" data-testid=format!("template-card-{}", card.name)>
            <div class="template-card-top">
                <Badge tone=Tone::Info>{card.template_type.clone()}</Badge>
            </div>
            <h2 class="template-card-title">{card.title.clone()}</h2>
            <p class="template-card-desc">{card.description.clone()}</p>
            <div class="template-card-tags">
                {card.tags.iter().map(|t| view! { <span class="badge badge-neutral">{t.clone()}</span> }).collect_view()}
            </div>
            <div class="template-card-footer">
                {owner.map(|(href, name)| view! { <span class="muted">"Owner "<a class="entity-ref-link" href=href>{name}</a></span> })}
                <a class="button button-primary" href=href data-testid=format!("choose-{}", card.name)>"Choose"</a>
            </div>
        </article>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn should_filter_cards() {
        let c = TemplateCard::from_entity(&json!({
            "metadata": {"name": "rust-service", "title": "Rust HTTP service", "description": "An axum skeleton", "tags": ["rust"]},
            "spec": {"type": "service"}
        }))
        .unwrap();
        assert!(c.matches("", "", ""));
        assert!(c.matches("AXUM", "service", "rust"));
        assert!(!c.matches("", "workspace", ""));
        assert!(!c.matches("", "", "go"));
        assert_eq!(
            owner_link("group:default/team-a"),
            Some(("/catalog/default/group/team-a".into(), "team-a".into()))
        );
    }
}
