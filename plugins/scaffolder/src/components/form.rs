//! A form generated from a JSON Schema object (one wizard page): every property becomes a
//! field chosen by [`field_kind`] (text, password, textarea, number, checkbox, select,
//! multi-select, list, nested object, catalog-backed pickers), in `ui:order`, with
//! `ui:help`, `ui:autofocus`, required markers and inline errors.

use std::collections::HashSet;

use frontend_plugin_api::use_api;
use leptos::html;
use leptos::prelude::*;
use plugin_scaffolder_common::conditional::{is_conditional, resolve};
use plugin_scaffolder_common::schema::{
    field_kind, ordered_properties, ui_options, FieldError, FieldKind,
};
use serde_json::Value;

use crate::api;
use crate::form::{
    dotted, entity_option, field_label, get_path, number_from_input, picker_query, set_path,
};

/// Shared state of one form.
#[derive(Clone, Copy)]
pub struct FormState {
    /// All values of the wizard (every page writes into the same object).
    pub values: RwSignal<Value>,
    /// Current validation errors.
    pub errors: Signal<Vec<FieldError>>,
    /// Fields the user has left (their errors show).
    pub touched: RwSignal<HashSet<String>>,
    /// Show every error (after "Next" was pressed).
    pub show_all: RwSignal<bool>,
}

impl FormState {
    fn error_for(&self, path: &str) -> Option<String> {
        if !self.show_all.get() && !self.touched.with(|t| t.contains(path)) {
            return None;
        }
        self.errors.with(|errs| {
            errs.iter()
                .find(|e| e.field() == path)
                .map(|e| e.display_message())
        })
    }

    fn touch(&self, path: &str) {
        let path = path.to_string();
        if !self.touched.with_untracked(|t| t.contains(&path)) {
            self.touched.update(|t| {
                t.insert(path);
            });
        }
    }

    fn get(&self, path: &[String]) -> Option<Value> {
        self.values.with(|v| get_path(v, path).cloned())
    }

    fn set(&self, path: &[String], value: Option<Value>) {
        self.values.update(|v| set_path(v, path, value));
    }
}

/// The fields of an object schema at `path` (empty = the root): the page's own properties,
/// then those that conditional branches (`dependencies`, `oneOf`, `if`/`then`/`else`) add for
/// the values entered so far — they appear and disappear as those values change.
#[component]
pub fn SchemaFields(schema: Value, path: Vec<String>, state: FormState) -> impl IntoView {
    let required = required_of(&schema);
    let base: Vec<String> = ordered_properties(&schema);
    let fields = base
        .iter()
        .filter_map(|name| {
            let prop = schema["properties"][name].clone();
            field_view(name, prop, &path, required.contains(name), state)
        })
        .collect_view();
    if !is_conditional(&schema) {
        return fields.into_any();
    }
    let path2 = path.clone();
    // Only the added fields (name, schema, required) — the view rebuilds when that set
    // changes, not on every keystroke.
    let extras = Memo::new(move |_| {
        let values = state.get(&path2).unwrap_or(Value::Null);
        let resolved = resolve(&schema, &values);
        let required = required_of(&resolved);
        ordered_properties(&resolved)
            .into_iter()
            .filter(|n| !base.contains(n))
            .map(|n| {
                let req = required.contains(&n);
                (n.clone(), resolved["properties"][&n].clone(), req)
            })
            .collect::<Vec<_>>()
    });
    view! {
        {fields}
        {move || {
            extras
                .get()
                .into_iter()
                .filter_map(|(name, prop, req)| field_view(&name, prop, &path, req, state))
                .collect_view()
        }}
    }
    .into_any()
}

fn required_of(schema: &Value) -> Vec<String> {
    schema["required"]
        .as_array()
        .map(|r| {
            r.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn field_view(
    name: &str,
    prop: Value,
    path: &[String],
    required: bool,
    state: FormState,
) -> Option<AnyView> {
    if prop.get("ui:widget").and_then(Value::as_str) == Some("hidden") {
        return None;
    }
    let mut p = path.to_vec();
    p.push(name.to_string());
    let name = name.to_string();
    Some(view! { <Field name=name schema=prop path=p required=required state=state /> }.into_any())
}

/// One property.
#[component]
fn Field(
    name: String,
    schema: Value,
    path: Vec<String>,
    required: bool,
    state: FormState,
) -> impl IntoView {
    let key = dotted(&path);
    let label = field_label(&name, &schema);
    let help = schema["ui:help"].as_str().map(str::to_string);
    let description = schema["description"].as_str().map(str::to_string);
    let kind = field_kind(&schema);
    let key_err = key.clone();
    let error = Memo::new(move |_| state.error_for(&key_err));
    let test_id = format!("field-{key}");
    let control = control(
        kind.clone(),
        schema.clone(),
        path.clone(),
        key.clone(),
        state,
        test_id.clone(),
    );
    if let FieldKind::Object = kind {
        return view! {
            <fieldset class="form-fieldset" data-testid=test_id>
                <legend>{label}</legend>
                {description.map(|d| view! { <p class="field-hint">{d}</p> })}
                <SchemaFields schema=schema path=path state=state />
            </fieldset>
        }
        .into_any();
    }
    let is_check = matches!(kind, FieldKind::Boolean);
    let err_id = format!("field-error-{key}");
    view! {
        <div class="form-field" class:form-field-invalid=move || error.get().is_some() class:form-field-check=is_check>
            {(!is_check).then(|| view! {
                <span class="field-label">{label.clone()}{required.then(|| view! { <span class="required" title="required">" *"</span> })}</span>
            })}
            {control}
            {description.map(|d| view! { <span class="field-hint">{d}</span> })}
            {help.map(|h| view! { <span class="field-hint field-help">{h}</span> })}
            {move || error.get().map(|e| view! {
                <span class="field-error" role="alert" data-testid=err_id.clone()>{format!("{label} {e}")}</span>
            })}
        </div>
    }
    .into_any()
}

fn autofocus(schema: &Value, node: NodeRef<html::Input>) {
    if schema["ui:autofocus"].as_bool() == Some(true) {
        Effect::new(move |_| {
            if let Some(el) = node.get() {
                let _ = el.focus();
            }
        });
    }
}

fn control(
    kind: FieldKind,
    schema: Value,
    path: Vec<String>,
    key: String,
    state: FormState,
    test_id: String,
) -> AnyView {
    let get_str = {
        let path = path.clone();
        move || match state.get(&path) {
            Some(Value::String(s)) => s,
            Some(Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        }
    };
    let placeholder = schema["ui:placeholder"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let touch = {
        let key = key.clone();
        move || state.touch(&key)
    };
    match kind {
        FieldKind::Text | FieldKind::Password | FieldKind::EntityNamePicker | FieldKind::Unknown(_) => {
            let node = NodeRef::<html::Input>::new();
            autofocus(&schema, node);
            let ty = if kind == FieldKind::Password { "password" } else { "text" };
            let p2 = path.clone();
            let note = match &kind {
                FieldKind::Unknown(f) => Some(format!("(custom field {f} is shown as text)")),
                _ => None,
            };
            view! {
                <input
                    class="input"
                    type=ty
                    node_ref=node
                    placeholder=placeholder
                    data-testid=test_id
                    autocomplete=if ty == "password" { "new-password" } else { "off" }
                    prop:value=get_str
                    on:input=move |ev| {
                        let v = event_target_value(&ev);
                        state.set(&p2, (!v.is_empty()).then_some(Value::String(v)));
                    }
                    on:blur=move |_| touch()
                />
                {note.map(|n| view! { <span class="field-hint">{n}</span> })}
            }
            .into_any()
        }
        FieldKind::Textarea => {
            let rows = ui_options(&schema).get("rows").and_then(Value::as_u64).unwrap_or(4);
            let p2 = path.clone();
            view! {
                <textarea
                    class="input textarea"
                    rows=rows.to_string()
                    data-testid=test_id
                    prop:value=get_str
                    on:input=move |ev| {
                        let v = event_target_value(&ev);
                        state.set(&p2, (!v.is_empty()).then_some(Value::String(v)));
                    }
                    on:blur=move |_| touch()
                ></textarea>
            }
            .into_any()
        }
        FieldKind::Number | FieldKind::Integer => {
            let node = NodeRef::<html::Input>::new();
            autofocus(&schema, node);
            let p2 = path.clone();
            let step = if kind == FieldKind::Integer { "1" } else { "any" };
            let min = schema["minimum"].as_f64().map(|m| m.to_string());
            let max = schema["maximum"].as_f64().map(|m| m.to_string());
            view! {
                <input
                    class="input input-number"
                    type="number"
                    step=step
                    min=min
                    max=max
                    node_ref=node
                    data-testid=test_id
                    prop:value=get_str
                    on:input=move |ev| state.set(&p2, number_from_input(&event_target_value(&ev)))
                    on:blur=move |_| touch()
                />
            }
            .into_any()
        }
        FieldKind::Boolean => {
            let p2 = path.clone();
            let p3 = path.clone();
            let label = field_label(path.last().map(String::as_str).unwrap_or_default(), &schema);
            view! {
                <label class="checkbox">
                    <input
                        type="checkbox"
                        data-testid=test_id
                        prop:checked=move || state.get(&p3) == Some(Value::Bool(true))
                        on:change=move |ev| {
                            state.set(&p2, Some(Value::Bool(event_target_checked(&ev))));
                            touch();
                        }
                    />
                    <span class="checkbox-text">{label}</span>
                </label>
            }
            .into_any()
        }
        FieldKind::Select(options) => {
            let p2 = path.clone();
            let opts = options.clone();
            let current = move || {
                let v = state.get(&path);
                options
                    .iter()
                    .position(|(o, _)| Some(o) == v.as_ref())
                    .map(|i| i.to_string())
                    .unwrap_or_default()
            };
            view! {
                <select
                    class="select"
                    data-testid=test_id
                    prop:value=current
                    on:change=move |ev| {
                        let i = event_target_value(&ev);
                        let v = i.parse::<usize>().ok().and_then(|i| opts.get(i)).map(|(v, _)| v.clone());
                        state.set(&p2, v);
                        touch();
                    }
                >
                    <option value="">"Select…"</option>
                    {options_view(&schema)}
                </select>
            }
            .into_any()
        }
        FieldKind::MultiSelect(options) => view! {
            <div class="checkbox-list" data-testid=test_id>
                {options
                    .into_iter()
                    .map(|(value, label)| {
                        let p2 = path.clone();
                        let p3 = path.clone();
                        let v2 = value.clone();
                        let touch = touch.clone();
                        view! {
                            <label class="checkbox">
                                <input
                                    type="checkbox"
                                    prop:checked=move || state.get(&p3).and_then(|a| a.as_array().cloned()).is_some_and(|a| a.contains(&value))
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        let mut list = state.get(&p2).and_then(|a| a.as_array().cloned()).unwrap_or_default();
                                        list.retain(|x| x != &v2);
                                        if on {
                                            list.push(v2.clone());
                                        }
                                        state.set(&p2, (!list.is_empty()).then_some(Value::Array(list)));
                                        touch();
                                    }
                                />
                                <span class="checkbox-text">{label}</span>
                            </label>
                        }
                    })
                    .collect_view()}
            </div>
        }
        .into_any(),
        FieldKind::Array(items) => {
            let numeric = matches!(items["type"].as_str(), Some("number") | Some("integer"));
            if items.is_null() || items["type"].as_str().is_some_and(|t| t == "string" || t == "number" || t == "integer") {
                view! { <ChipsInput path=path state=state test_id=test_id numeric=numeric suggestions=None /> }.into_any()
            } else {
                view! { <JsonInput path=path state=state test_id=test_id /> }.into_any()
            }
        }
        FieldKind::EntityTagsPicker => {
            let api = use_api();
            let tags = LocalResource::new(move || api::tags(api.clone()));
            let suggestions = Signal::derive(move || tags.get().and_then(|r| r.ok()).unwrap_or_default());
            view! { <ChipsInput path=path state=state test_id=test_id numeric=false suggestions=Some(suggestions) /> }.into_any()
        }
        FieldKind::EntityPicker | FieldKind::OwnerPicker | FieldKind::MultiEntityPicker => {
            let defaults: &[&str] = match kind {
                FieldKind::OwnerPicker => &["Group", "User"],
                _ => &[],
            };
            let query = picker_query(&ui_options(&schema), defaults);
            let api = use_api();
            let entities = LocalResource::new(move || api::picker_entities(api.clone(), query.clone()));
            let list_id = format!("picker-{}", key.replace('.', "-"));
            let options = move || {
                entities
                    .get()
                    .and_then(|r| r.ok())
                    .unwrap_or_default()
                    .iter()
                    .filter_map(entity_option)
                    .map(|(r, label)| view! { <option value=r.clone()>{label}</option> })
                    .collect_view()
            };
            if kind == FieldKind::MultiEntityPicker {
                return view! {
                    <ChipsInput path=path state=state test_id=test_id numeric=false suggestions=None />
                }
                .into_any();
            }
            let node = NodeRef::<html::Input>::new();
            autofocus(&schema, node);
            let p2 = path.clone();
            view! {
                <input
                    class="input"
                    type="text"
                    node_ref=node
                    list=list_id.clone()
                    placeholder="Start typing to search the catalog"
                    data-testid=test_id
                    autocomplete="off"
                    prop:value=get_str
                    on:input=move |ev| {
                        let v = event_target_value(&ev);
                        state.set(&p2, (!v.is_empty()).then_some(Value::String(v)));
                    }
                    on:blur=move |_| touch()
                />
                <datalist id=list_id>{options}</datalist>
            }
            .into_any()
        }
        FieldKind::Object => ().into_any(),
    }
}

fn options_view(schema: &Value) -> impl IntoView {
    match field_kind(schema) {
        FieldKind::Select(options) => options
            .into_iter()
            .enumerate()
            .map(|(i, (_, label))| view! { <option value=i.to_string()>{label}</option> })
            .collect_view()
            .into_any(),
        _ => ().into_any(),
    }
}

/// A list of short values edited as chips: type and press Enter (or comma) to add.
#[component]
fn ChipsInput(
    path: Vec<String>,
    state: FormState,
    test_id: String,
    numeric: bool,
    suggestions: Option<Signal<Vec<String>>>,
) -> impl IntoView {
    let draft = RwSignal::new(String::new());
    let key = dotted(&path);
    let items = {
        let path = path.clone();
        move || {
            state
                .get(&path)
                .and_then(|a| a.as_array().cloned())
                .unwrap_or_default()
        }
    };
    let add = {
        let path = path.clone();
        move || {
            let text = draft
                .get_untracked()
                .trim()
                .trim_end_matches(',')
                .trim()
                .to_string();
            if text.is_empty() {
                return;
            }
            let v = if numeric {
                number_from_input(&text).unwrap_or(Value::String(text))
            } else {
                Value::String(text)
            };
            let mut list = state
                .get(&path)
                .and_then(|a| a.as_array().cloned())
                .unwrap_or_default();
            if !list.contains(&v) {
                list.push(v);
            }
            state.set(&path, Some(Value::Array(list)));
            draft.set(String::new());
        }
    };
    let add2 = add.clone();
    let list_id = format!("chips-{}", key.replace('.', "-"));
    let key2 = key.clone();
    view! {
        <div class="chips">
            {move || {
                items()
                    .into_iter()
                    .enumerate()
                    .map(|(i, v)| {
                        let path = path.clone();
                        let label = crate::form::display_value(&v);
                        view! {
                            <span class="chip">
                                {label.clone()}
                                <button
                                    type="button"
                                    class="chip-remove"
                                    title=format!("Remove {label}")
                                    on:click=move |_| {
                                        let mut list = state.get(&path).and_then(|a| a.as_array().cloned()).unwrap_or_default();
                                        if i < list.len() {
                                            list.remove(i);
                                        }
                                        state.set(&path, (!list.is_empty()).then_some(Value::Array(list)));
                                    }
                                >
                                    "×"
                                </button>
                            </span>
                        }
                    })
                    .collect_view()
            }}
            <input
                class="input chips-input"
                type="text"
                placeholder="Type and press Enter"
                list=list_id.clone()
                data-testid=test_id
                prop:value=move || draft.get()
                on:input=move |ev| {
                    let v = event_target_value(&ev);
                    let done = v.ends_with(',');
                    draft.set(v);
                    if done {
                        add()
                    }
                }
                on:keydown=move |ev| {
                    if ev.key() == "Enter" {
                        ev.prevent_default();
                        add2();
                    }
                }
                on:blur=move |_| state.touch(&key2)
            />
            {suggestions.map(|s| view! {
                <datalist id=list_id>
                    {move || s.get().into_iter().map(|t| view! { <option value=t.clone()></option> }).collect_view()}
                </datalist>
            })}
        </div>
    }
}

/// Arrays of objects (rare in templates): edited as JSON.
#[component]
fn JsonInput(path: Vec<String>, state: FormState, test_id: String) -> impl IntoView {
    let initial = state
        .get(&path)
        .map(|v| serde_json::to_string_pretty(&v).unwrap_or_default())
        .unwrap_or_default();
    let text = RwSignal::new(initial);
    let bad = RwSignal::new(false);
    let key = dotted(&path);
    view! {
        <textarea
            class="input textarea mono"
            rows="5"
            data-testid=test_id
            prop:value=move || text.get()
            on:input=move |ev| {
                let t = event_target_value(&ev);
                text.set(t.clone());
                if t.trim().is_empty() {
                    bad.set(false);
                    state.set(&path, None);
                } else {
                    match serde_json::from_str::<Value>(&t) {
                        Ok(v) => {
                            bad.set(false);
                            state.set(&path, Some(v));
                        }
                        Err(_) => bad.set(true),
                    }
                }
            }
            on:blur=move |_| state.touch(&key)
        ></textarea>
        <Show when=move || bad.get()>
            <span class="field-error">"Not valid JSON yet"</span>
        </Show>
    }
}
