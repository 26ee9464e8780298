//! The relations graph: inline SVG, the entity in the middle, related entities around
//! it grouped by relation type, labelled edges; clicking a node opens its entity page.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;
use portal_types::{Entity, EntityRef};

use crate::graph::{ellipsize, layout, NODE_H, NODE_W};
use crate::refs::{display_name, entity_path, relation_label};

/// The relations of `entity` as `(type, target)` pairs (unparsable targets skipped).
pub fn entity_relations(entity: &Entity) -> Vec<(String, EntityRef)> {
    entity
        .relations
        .iter()
        .flatten()
        .filter_map(|r| {
            EntityRef::parse(&r.target_ref, None, None)
                .ok()
                .map(|t| (r.relation_type.clone(), t))
        })
        .collect()
}

/// The graph of `entity` and its direct relations.
#[component]
pub fn RelationsGraph(
    /// The entity in the middle.
    entity: Entity,
) -> impl IntoView {
    let relations = entity_relations(&entity);
    let l = layout(
        &entity.entity_ref(),
        &display_name(&entity),
        &relations,
        |r| r.name.clone(),
    );
    let navigate = use_navigate();
    let (w, h) = (l.width, l.height);
    let edges = l
        .edges
        .into_iter()
        .map(|e| {
            let label = (!e.label.is_empty()).then(|| {
                view! {
                    <text class="graph-edge-label" x=e.lx y=e.ly + 4.0 text-anchor="middle">
                        {relation_label(&e.label)}
                    </text>
                }
            });
            view! {
                <line class="graph-edge" x1=e.x1 y1=e.y1 x2=e.x2 y2=e.y2 />
                {label}
            }
        })
        .collect_view();
    let nodes = l
        .nodes
        .into_iter()
        .map(|n| {
            let transform = format!("translate({},{})", n.x - NODE_W / 2.0, n.y - NODE_H / 2.0);
            let class = if n.center {
                "graph-node graph-node-center"
            } else if n.entity.is_none() {
                "graph-node graph-node-more"
            } else {
                "graph-node"
            };
            let href = n.entity.as_ref().filter(|_| !n.center).map(entity_path);
            let data_ref = n.entity.as_ref().map(|r| r.to_string());
            let navigate = navigate.clone();
            let go = href.clone();
            let go2 = href.clone();
            let navigate2 = navigate.clone();
            view! {
                <g
                    class=class
                    transform=transform
                    data-testid="graph-node"
                    data-ref=data_ref
                    role=href.as_ref().map(|_| "link")
                    tabindex=href.as_ref().map(|_| "0")
                    on:click=move |_| {
                        if let Some(h) = &go {
                            navigate(h, NavigateOptions::default());
                        }
                    }
                    on:keydown=move |ev| {
                        if ev.key() == "Enter" {
                            if let Some(h) = &go2 {
                                navigate2(h, NavigateOptions::default());
                            }
                        }
                    }
                >
                    <rect width=NODE_W height=NODE_H rx="8" />
                    <text class="graph-node-caption" x="12" y="18">{n.caption}</text>
                    <text class="graph-node-label" x="12" y="36">{ellipsize(&n.label, 22)}</text>
                </g>
            }
        })
        .collect_view();
    view! {
        <div class="relations-graph" data-testid="relations-graph">
            <svg
                viewBox=format!("0 0 {w} {h}")
                width="100%"
                style=format!("max-width:{w}px;max-height:{}px", h.max(120.0))
                role="img"
                aria-label="Relations graph"
            >
                {edges}
                {nodes}
            </svg>
        </div>
    }
}
