//! `/settings/tokens`: list, create (the secret is shown once) and revoke API tokens.

use frontend_plugin_api::use_api;
use leptos::prelude::*;
use portal_ui::{
    use_toasts, Badge, Card, ConfirmDialog, DataTable, EmptyState, ErrorPanel, Icon, Loading, Tone,
};

use crate::api::{self, ApiToken, CreateToken, CreatedToken};
use crate::model::{
    format_date, format_opt_date, format_opt_time, format_time, token_status, validate_new_token,
    TokenStatus, EXPIRY_OPTIONS, SCOPE_OPTIONS,
};

/// The API tokens tab.
#[component]
pub fn TokensTab() -> impl IntoView {
    let api = use_api();
    let toasts = use_toasts();
    let reload = RwSignal::new(0u32);
    let tokens = {
        let api = api.clone();
        LocalResource::new(move || {
            reload.track();
            api::tokens(api.clone())
        })
    };
    let creating = RwSignal::new(false);
    let created = RwSignal::new(None::<CreatedToken>);
    let revoking = RwSignal::new(None::<ApiToken>);

    let on_created = Callback::new(move |t: CreatedToken| {
        creating.set(false);
        toasts.success(format!("Token \"{}\" created", t.token.name));
        created.set(Some(t));
        reload.update(|n| *n += 1);
    });
    let confirm_revoke = {
        let api = api.clone();
        Callback::new(move |()| {
            let Some(t) = revoking.get_untracked() else {
                return;
            };
            revoking.set(None);
            let api = api.clone();
            leptos::task::spawn_local(async move {
                match api::revoke_token(api, t.id.clone()).await {
                    Ok(()) => {
                        toasts.success(format!("Token \"{}\" revoked", t.name));
                        reload.update(|n| *n += 1);
                    }
                    Err(e) => {
                        toasts.error(format!("Could not revoke \"{}\": {}", t.name, e.message))
                    }
                }
            });
        })
    };
    let now = js_sys::Date::now() as i64;
    view! {
        <div class="settings-section" data-testid="api-tokens">
            <div class="section-toolbar">
                <p class="muted">
                    "Use API tokens for scripts and CI: send " <code>"Authorization: Bearer <token>"</code>
                    ". A token acts as you, limited to its scopes; it can never do more than you can."
                </p>
                <button type="button" class="button button-primary" data-testid="create-token" on:click=move |_| creating.set(true)>
                    <Icon name="M12 5v14M5 12h14" />
                    <span>"Create token"</span>
                </button>
            </div>
            <Card>
            <Suspense fallback=|| view! { <Loading /> }>
                {move || Suspend::new(async move {
                    match tokens.await {
                        Ok(list) if list.is_empty() => view! {
                            <div data-testid="tokens-empty"><EmptyState
                                title="No API tokens yet"
                                message="Create one to call the portal API from scripts or CI."
                                icon="settings"
                            /></div>
                        }.into_any(),
                        Ok(list) => view! {
                            <DataTable
                                headers=vec!["Name", "Token", "Scopes", "Expires", "Last used", "Status", ""]
                                attr:data-testid="tokens-table"
                            >
                                {list.into_iter().map(|t| {
                                    let status = token_status(&t, now);
                                    let row = t.clone();
                                    view! {
                                        <tr data-testid="token-row" data-token-id=t.id.clone() data-status=status.as_str()>
                                            <td class="token-name">
                                                <strong data-testid="token-name-cell">{t.name.clone()}</strong>
                                                <span class="muted small" title=format_time(&t.created_at)>{format!("Created {}", format_date(&t.created_at))}</span>
                                            </td>
                                            <td><code data-testid="token-prefix">{format!("{}…", t.prefix)}</code></td>
                                            <td class="scopes">{t.scopes.clone().into_iter().map(|s| view! { <Badge>{s}</Badge> }).collect_view()}</td>
                                            <td class="nowrap" title=format_opt_time(&t.expires_at, "Never expires")>{format_opt_date(&t.expires_at, "Never")}</td>
                                            <td class="nowrap" title=format_opt_time(&t.last_used_at, "Never used")>{format_opt_date(&t.last_used_at, "Never")}</td>
                                            <td><span data-testid="token-status"><Badge tone=status_tone(status)>{status.as_str()}</Badge></span></td>
                                            <td class="token-actions">
                                                {(status == TokenStatus::Active).then(|| view! {
                                                    <button
                                                        type="button"
                                                        class="button button-small button-danger-outline"
                                                        data-testid="revoke-token"
                                                        on:click=move |_| revoking.set(Some(row.clone()))
                                                    >
                                                        "Revoke"
                                                    </button>
                                                })}
                                            </td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </DataTable>
                        }.into_any(),
                        Err(e) => view! { <ErrorPanel error=e title="Could not load your API tokens" /> }.into_any(),
                    }
                })}
            </Suspense>
            </Card>
        </div>
        <Show when=move || creating.get()>
            <CreateTokenDialog on_created=on_created on_cancel=Callback::new(move |()| creating.set(false)) />
        </Show>
        {move || created.get().map(|t| view! {
            <SecretDialog created=t on_close=Callback::new(move |()| created.set(None)) />
        })}
        {move || revoking.get().map(|t| view! {
            <ConfirmDialog
                open=true
                title="Revoke API token?"
                message=format!(
                    "\"{}\" ({}…) stops working immediately; scripts using it will get 401 errors. This cannot be undone.",
                    t.name, t.prefix
                )
                confirm_label="Revoke"
                danger=true
                on_confirm=confirm_revoke
                on_cancel=Callback::new(move |()| revoking.set(None))
            />
        })}
    }
}

fn status_tone(s: TokenStatus) -> Tone {
    match s {
        TokenStatus::Active => Tone::Success,
        TokenStatus::Expired => Tone::Warning,
        TokenStatus::Revoked => Tone::Neutral,
    }
}

/// The create dialog: name, scopes, expiry.
#[component]
fn CreateTokenDialog(on_created: Callback<CreatedToken>, on_cancel: Callback<()>) -> impl IntoView {
    let api = use_api();
    let name = RwSignal::new(String::new());
    let scopes = RwSignal::new(vec!["*:read".to_string()]);
    let expiry = RwSignal::new(Some(90i64));
    let error = RwSignal::new(None::<String>);
    let pending = RwSignal::new(false);
    let submit = move || {
        let selected = scopes.get_untracked();
        let n = name.get_untracked();
        if let Err(e) = validate_new_token(&n, &selected) {
            error.set(Some(e));
            return;
        }
        error.set(None);
        pending.set(true);
        let body = CreateToken {
            name: n.trim().to_string(),
            scopes: selected,
            expires_in_days: expiry.get_untracked(),
        };
        let api = api.clone();
        leptos::task::spawn_local(async move {
            let res = api::create_token(api, body).await;
            pending.set(false);
            match res {
                Ok(t) => on_created.run(t),
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    let submit2 = submit.clone();
    view! {
        <div class="dialog-backdrop" on:click=move |_| on_cancel.run(())>
            <form
                class="dialog dialog-wide"
                role="dialog"
                aria-modal="true"
                aria-labelledby="create-token-title"
                data-testid="create-token-dialog"
                on:click=|ev| ev.stop_propagation()
                on:keydown=move |ev| if ev.key() == "Escape" { on_cancel.run(()) }
                on:submit=move |ev| { ev.prevent_default(); submit() }
            >
                <h2 class="dialog-title" id="create-token-title">"Create API token"</h2>
                <label class="field">
                    <span class="field-label">"Name"</span>
                    <input
                        class="input"
                        type="text"
                        maxlength="100"
                        placeholder="e.g. CI pipeline"
                        autofocus=true
                        data-testid="token-name"
                        bind:value=name
                    />
                    <span class="field-hint">"What uses this token, so you recognise it later."</span>
                </label>
                <fieldset class="field">
                    <legend class="field-label">"Scopes"</legend>
                    <div class="checkbox-list">
                        {SCOPE_OPTIONS.iter().map(|(scope, label, hint)| {
                            let scope = scope.to_string();
                            let s2 = scope.clone();
                            let scope_code = scope.clone();
                            view! {
                                <label class="checkbox">
                                    <input
                                        type="checkbox"
                                        data-testid="token-scope"
                                        value=scope.clone()
                                        prop:checked=move || scopes.with(|v| v.contains(&s2))
                                        on:change=move |ev| {
                                            let on = event_target_checked(&ev);
                                            let s = scope.clone();
                                            scopes.update(|v| {
                                                v.retain(|x| *x != s);
                                                if on { v.push(s); }
                                            });
                                        }
                                    />
                                    <span class="checkbox-text">
                                        <span><strong>{*label}</strong>" "<code class="scope-code">{scope_code}</code></span>
                                        <span class="muted small">{*hint}</span>
                                    </span>
                                </label>
                            }
                        }).collect_view()}
                    </div>
                </fieldset>
                <label class="field">
                    <span class="field-label">"Expires"</span>
                    <select
                        class="input"
                        data-testid="token-expiry"
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            expiry.set(v.parse::<i64>().ok());
                        }
                    >
                        {EXPIRY_OPTIONS.iter().map(|(days, label)| {
                            let value = days.map(|d| d.to_string()).unwrap_or_else(|| "never".into());
                            view! { <option value=value selected=*days == Some(90)>{*label}</option> }
                        }).collect_view()}
                    </select>
                </label>
                {move || error.get().map(|e| view! {
                    <div class="callout callout-danger" role="alert" data-testid="create-token-error">
                        <Icon name="alert" /><span>{e}</span>
                    </div>
                })}
                <div class="dialog-actions">
                    <button type="button" class="button" on:click=move |_| on_cancel.run(())>"Cancel"</button>
                    <button
                        type="button"
                        class="button button-primary"
                        data-testid="create-token-submit"
                        disabled=move || pending.get()
                        on:click=move |_| submit2()
                    >
                        {move || if pending.get() { "Creating…" } else { "Create token" }}
                    </button>
                </div>
            </form>
        </div>
    }
}

/// Shows a newly created token's secret once, with a copy button.
#[component]
fn SecretDialog(created: CreatedToken, on_close: Callback<()>) -> impl IntoView {
    let toasts = use_toasts();
    let secret = created.secret.clone();
    let copied = RwSignal::new(false);
    let copy = move |_| {
        let secret = secret.clone();
        let promise = window().navigator().clipboard().write_text(&secret);
        leptos::task::spawn_local(async move {
            match wasm_bindgen_futures::JsFuture::from(promise).await {
                Ok(_) => {
                    copied.set(true);
                    toasts.success("Token copied to the clipboard");
                }
                Err(_) => toasts.error("Could not copy: select the token and copy it manually"),
            }
        });
    };
    view! {
        <div class="dialog-backdrop">
            <div class="dialog dialog-wide" role="dialog" aria-modal="true" data-testid="token-secret-dialog">
                <h2 class="dialog-title">{format!("Token \"{}\" created", created.token.name)}</h2>
                <div class="callout callout-warning" role="alert">
                    <Icon name="alert" />
                    <span><strong>"Copy your token now."</strong>" It is shown only this once; the portal stores only a hash and cannot show it again."</span>
                </div>
                <div class="secret-box">
                    <code data-testid="token-secret" class="secret-value">{created.secret.clone()}</code>
                    <button type="button" class="button" data-testid="copy-token-secret" on:click=copy>
                        {move || if copied.get() { view! { <Icon name="check" /> } } else { view! { <Icon name="M8 8h12v12H8zM4 16V4h12" /> } }}
                        <span>{move || if copied.get() { "Copied" } else { "Copy" }}</span>
                    </button>
                </div>
                <p class="muted small">
                    "Scopes: " {created.token.scopes.join(", ")} ". Use it as "
                    <code>"Authorization: Bearer <token>"</code> "."
                </p>
                <div class="dialog-actions">
                    <button type="button" class="button button-primary" data-testid="token-secret-done" on:click=move |_| on_close.run(())>
                        "I have copied it"
                    </button>
                </div>
            </div>
        </div>
    }
}
