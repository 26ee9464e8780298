//! Layout of the relations graph: the entity in the middle, its related entities on an
//! ellipse around it, grouped by relation type, one labelled edge per relation.
//! Pure geometry; the SVG is drawn by `components::relations_graph`.

use portal_types::EntityRef;

/// Node box width.
pub const NODE_W: f64 = 176.0;
/// Node box height.
pub const NODE_H: f64 = 46.0;
/// Nodes shown per relation type before a "+N more" node.
pub const MAX_PER_TYPE: usize = 6;
const MARGIN: f64 = 16.0;

/// Display order of relation types (others follow alphabetically).
const TYPE_ORDER: &[&str] = &[
    "ownedBy",
    "partOf",
    "hasPart",
    "providesApi",
    "consumesApi",
    "apiProvidedBy",
    "apiConsumedBy",
    "dependsOn",
    "dependencyOf",
    "childOf",
    "parentOf",
    "memberOf",
    "hasMember",
    "ownerOf",
];

/// A box in the graph.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The entity (none for the "+N more" nodes).
    pub entity: Option<EntityRef>,
    /// Main text.
    pub label: String,
    /// Small text above the label (kind or relation type).
    pub caption: String,
    /// Center x.
    pub x: f64,
    /// Center y.
    pub y: f64,
    /// The entity the page is about.
    pub center: bool,
}

/// A labelled edge from the center to a node.
#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    /// Start (center node).
    pub x1: f64,
    /// Start.
    pub y1: f64,
    /// End (related node).
    pub x2: f64,
    /// End.
    pub y2: f64,
    /// Relation type; empty on all but the middle edge of a group of three or more.
    pub label: String,
    /// Label position.
    pub lx: f64,
    /// Label position.
    pub ly: f64,
}

/// The whole drawing; coordinates are in `0..width`, `0..height`.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// View box width.
    pub width: f64,
    /// View box height.
    pub height: f64,
    /// Nodes, the center first.
    pub nodes: Vec<Node>,
    /// Edges (drawn under the nodes).
    pub edges: Vec<Edge>,
}

fn type_rank(t: &str) -> usize {
    TYPE_ORDER
        .iter()
        .position(|x| x.eq_ignore_ascii_case(t))
        .unwrap_or(TYPE_ORDER.len())
}

/// Group `(relation type, target)` pairs by type in display order, deduplicated.
pub fn group_relations(relations: &[(String, EntityRef)]) -> Vec<(String, Vec<EntityRef>)> {
    let mut groups: Vec<(String, Vec<EntityRef>)> = Vec::new();
    for (t, r) in relations {
        match groups.iter_mut().find(|(g, _)| g == t) {
            Some((_, refs)) => {
                if !refs.contains(r) {
                    refs.push(r.clone())
                }
            }
            None => groups.push((t.clone(), vec![r.clone()])),
        }
    }
    groups.sort_by(|a, b| type_rank(&a.0).cmp(&type_rank(&b.0)).then(a.0.cmp(&b.0)));
    for (_, refs) in &mut groups {
        refs.sort();
    }
    groups
}

/// Lay out `center` and its relations. `label(r)` gives the text of a related node.
pub fn layout(
    center: &EntityRef,
    center_label: &str,
    relations: &[(String, EntityRef)],
    label: impl Fn(&EntityRef) -> String,
) -> Layout {
    // (relation type, entity or "+N more", text, whether its edge carries the label)
    let mut around: Vec<(String, Option<EntityRef>, String, bool)> = Vec::new();
    for (t, refs) in group_relations(relations) {
        let shown = refs.len().min(MAX_PER_TYPE) + usize::from(refs.len() > MAX_PER_TYPE);
        let labelled = |i: usize| shown <= 2 || i == shown / 2;
        for (i, r) in refs.iter().take(MAX_PER_TYPE).enumerate() {
            around.push((t.clone(), Some(r.clone()), label(r), labelled(i)));
        }
        if refs.len() > MAX_PER_TYPE {
            let more = format!("+{} more", refs.len() - MAX_PER_TYPE);
            around.push((t.clone(), None, more, labelled(shown - 1)));
        }
    }
    let n = around.len() as f64;
    let rx = (n * 30.0).max(if n <= 1.0 { 220.0 } else { 290.0 });
    let ry = (n * 17.0).max(if n <= 2.0 { 0.0 } else { 130.0 });
    let mut nodes = vec![Node {
        entity: Some(center.clone()),
        label: center_label.to_string(),
        caption: crate::refs::kind_label(&center.kind),
        x: 0.0,
        y: 0.0,
        center: true,
    }];
    let mut edges = Vec::new();
    for (i, (t, r, text, labelled)) in around.into_iter().enumerate() {
        // start on the left, go clockwise: two relations face each other left/right
        let a = std::f64::consts::PI + std::f64::consts::TAU * i as f64 / n;
        let (x, y) = (rx * a.cos(), ry * a.sin());
        let (x, y) = (round(x), round(y));
        edges.push(Edge {
            x1: 0.0,
            y1: 0.0,
            x2: x,
            y2: y,
            label: if labelled { t.clone() } else { String::new() },
            // the middle of the visible part of the edge (both boxes have the same size)
            lx: round(x * 0.5),
            ly: round(y * 0.5),
        });
        nodes.push(Node {
            caption: match &r {
                Some(r) => crate::refs::kind_label(&r.kind),
                None => crate::refs::relation_label(&t),
            },
            entity: r,
            label: text,
            x,
            y,
            center: false,
        });
    }
    // translate into a positive view box
    let min_x = nodes.iter().map(|n| n.x).fold(f64::MAX, f64::min) - NODE_W / 2.0 - MARGIN;
    let max_x = nodes.iter().map(|n| n.x).fold(f64::MIN, f64::max) + NODE_W / 2.0 + MARGIN;
    let min_y = nodes.iter().map(|n| n.y).fold(f64::MAX, f64::min) - NODE_H / 2.0 - MARGIN;
    let max_y = nodes.iter().map(|n| n.y).fold(f64::MIN, f64::max) + NODE_H / 2.0 + MARGIN;
    for node in &mut nodes {
        node.x -= min_x;
        node.y -= min_y;
    }
    for e in &mut edges {
        e.x1 -= min_x;
        e.x2 -= min_x;
        e.lx -= min_x;
        e.y1 -= min_y;
        e.y2 -= min_y;
        e.ly -= min_y;
    }
    Layout {
        width: max_x - min_x,
        height: max_y - min_y,
        nodes,
        edges,
    }
}

fn round(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// Shorten `s` to at most `max` characters with an ellipsis.
pub fn ellipsize(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(max.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> EntityRef {
        EntityRef::parse(s, None, None).unwrap()
    }

    fn rels(list: &[(&str, &str)]) -> Vec<(String, EntityRef)> {
        list.iter().map(|(t, x)| (t.to_string(), r(x))).collect()
    }

    #[test]
    fn should_group_by_type_in_display_order_without_duplicates() {
        let g = group_relations(&rels(&[
            ("dependsOn", "resource:default/db"),
            ("zeta", "component:default/z"),
            ("ownedBy", "group:default/team-a"),
            ("dependsOn", "component:default/auth"),
            ("dependsOn", "resource:default/db"),
        ]));
        let types: Vec<_> = g.iter().map(|(t, refs)| (t.as_str(), refs.len())).collect();
        assert_eq!(types, [("ownedBy", 1), ("dependsOn", 2), ("zeta", 1)]);
        assert_eq!(g[1].1[0].name, "auth");
    }

    #[test]
    fn should_place_center_and_related_nodes_inside_the_view_box() {
        let l = layout(
            &r("component:default/payments"),
            "payments",
            &rels(&[
                ("ownedBy", "group:default/team-a"),
                ("partOf", "system:default/shop"),
                ("providesApi", "api:default/payments-api"),
                ("dependsOn", "resource:default/db"),
            ]),
            |x| x.name.clone(),
        );
        assert_eq!(l.nodes.len(), 5);
        assert_eq!(l.edges.len(), 4);
        assert!(l.nodes[0].center);
        let c = &l.nodes[0];
        for n in &l.nodes {
            assert!(
                n.x - NODE_W / 2.0 >= 0.0 && n.x + NODE_W / 2.0 <= l.width,
                "{n:?}"
            );
            assert!(
                n.y - NODE_H / 2.0 >= 0.0 && n.y + NODE_H / 2.0 <= l.height,
                "{n:?}"
            );
        }
        for (e, n) in l.edges.iter().zip(&l.nodes[1..]) {
            assert_eq!((e.x1, e.y1), (c.x, c.y));
            assert_eq!((e.x2, e.y2), (n.x, n.y));
            // label between the two ends
            assert!(e.lx >= e.x1.min(e.x2) && e.lx <= e.x1.max(e.x2));
        }
        // no two related boxes overlap
        for (i, a) in l.nodes.iter().enumerate() {
            for b in &l.nodes[i + 1..] {
                let overlap = (a.x - b.x).abs() < NODE_W && (a.y - b.y).abs() < NODE_H;
                assert!(!overlap, "{a:?} overlaps {b:?}");
            }
        }
        assert_eq!(l.nodes[1].caption, "Group");
        assert_eq!(l.edges[0].label, "ownedBy");
    }

    #[test]
    fn should_collapse_large_groups_and_keep_boxes_apart() {
        let many: Vec<(String, EntityRef)> = (0..20)
            .map(|i| ("hasMember".to_string(), r(&format!("user:default/u{i:02}"))))
            .chain((0..3).map(|i| ("parentOf".to_string(), r(&format!("group:default/g{i}")))))
            .collect();
        let l = layout(&r("group:default/team"), "team", &many, |x| x.name.clone());
        // 3 children + 6 members + "+14 more"
        assert_eq!(l.nodes.len(), 1 + 3 + 6 + 1);
        let more = l.nodes.iter().find(|n| n.entity.is_none()).unwrap();
        assert_eq!(more.label, "+14 more");
        assert_eq!(more.caption, "has member");
        // one label per group of three or more
        let labels: Vec<_> = l
            .edges
            .iter()
            .filter(|e| !e.label.is_empty())
            .map(|e| e.label.as_str())
            .collect();
        assert_eq!(labels, ["parentOf", "hasMember"]);
        for (i, a) in l.nodes.iter().enumerate() {
            for b in &l.nodes[i + 1..] {
                let overlap = (a.x - b.x).abs() < NODE_W && (a.y - b.y).abs() < NODE_H;
                assert!(!overlap, "{a:?} overlaps {b:?}");
            }
        }
    }

    #[test]
    fn should_handle_no_relations_and_one_relation() {
        let l = layout(&r("component:default/a"), "a", &[], |x| x.name.clone());
        assert_eq!(l.nodes.len(), 1);
        assert!(l.width > NODE_W && l.height > NODE_H);
        let l = layout(
            &r("component:default/a"),
            "a",
            &rels(&[("ownedBy", "group:default/t")]),
            |x| x.name.clone(),
        );
        assert_eq!(l.nodes.len(), 2);
        assert!((l.nodes[0].x - l.nodes[1].x).abs() >= NODE_W);
    }

    #[test]
    fn should_ellipsize_long_labels() {
        assert_eq!(ellipsize("short", 10), "short");
        assert_eq!(ellipsize("a-very-long-name", 8), "a-very-…");
    }
}
