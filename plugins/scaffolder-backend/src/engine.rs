//! The task engine: creating tasks from templates, running their steps (templating,
//! `if:`/`each:`, input validation, permissions, cancellation), logging events with
//! secrets redacted and size limits, and recovering after restarts.
//!
//! State machine: `open → processing → completed | failed | cancelled`; steps can also
//! be `skipped`. Secrets (and the caller's token) live only in memory, in
//! [`Scaffolder`]'s table, until the run ends.

use crate::catalog::CatalogClient;
use crate::store;
use crate::templating::{context, Templater};
use backend_plugin_api::auth::{Identity, Principal};
use backend_plugin_api::scaffolder::{ActionContext, ActionLogger, TemplateAction};
use backend_plugin_api::{ApiError, Database, PermissionService};
use plugin_scaffolder_common::schema::{self, FieldError, PatternMatcher};
use plugin_scaffolder_common::template::{self, permission_tags};
use plugin_scaffolder_common::{
    EventBody, EventType, TaskSpec, TaskState, TaskStatus, TaskStep, TaskUser, TemplateInfo,
};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::{broadcast, mpsc, Semaphore};
use tokio_util::sync::CancellationToken;

/// Most iterations of one `each:` step.
pub const MAX_EACH: usize = 10_000;

/// The `scaffolder` configuration section.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ScaffolderConfig {
    /// Tasks run at the same time (default 4).
    #[serde(default = "default_concurrency")]
    pub concurrency: usize,
    /// Catalog API base (default `<backend base URL>/api/catalog`).
    #[serde(default)]
    pub catalog_base_url: Option<String>,
    /// Largest total log of one task in bytes before lines are dropped (default 1 MiB).
    #[serde(default = "default_max_log")]
    pub max_log_bytes: usize,
    /// Largest single log line in bytes before it is cut (default 16 KiB).
    #[serde(default = "default_max_line")]
    pub max_log_line_bytes: usize,
    /// Where task workspaces live (default `<data dir>/scaffolder/tasks`).
    #[serde(default)]
    pub work_dir: Option<PathBuf>,
    /// Where `publish:file` writes (default `<data dir>/scaffolder/published`).
    #[serde(default)]
    pub publish_dir: Option<PathBuf>,
    /// A `processing` task without a heartbeat for this long is marked failed (default 120).
    #[serde(default = "default_heartbeat_timeout")]
    pub heartbeat_timeout_seconds: u64,
}

fn default_concurrency() -> usize {
    4
}
fn default_max_log() -> usize {
    1024 * 1024
}
fn default_max_line() -> usize {
    16 * 1024
}
fn default_heartbeat_timeout() -> u64 {
    120
}

impl Default for ScaffolderConfig {
    fn default() -> Self {
        Self {
            concurrency: default_concurrency(),
            catalog_base_url: None,
            max_log_bytes: default_max_log(),
            max_log_line_bytes: default_max_line(),
            work_dir: None,
            publish_dir: None,
            heartbeat_timeout_seconds: default_heartbeat_timeout(),
        }
    }
}

/// Permissions of the scaffolder.
pub mod perms {
    use backend_plugin_api::{Action, Permission};
    use plugin_scaffolder_common::permissions as names;

    /// Start tasks (every signed-in user by default).
    pub const TASK_CREATE: Permission =
        Permission::basic(names::TASK_CREATE, Action::Create).open();
    /// Read tasks (every signed-in user by default).
    pub const TASK_READ: Permission = Permission::basic(names::TASK_READ, Action::Read);
    /// Cancel or retry someone else's task (operators; creators always may).
    pub const TASK_CANCEL: Permission = Permission::basic(names::TASK_CANCEL, Action::Update);
    /// Run an action (every signed-in user by default; a policy may narrow it).
    pub const ACTION_EXECUTE: Permission =
        Permission::resource(names::ACTION_EXECUTE, Action::Create, "scaffolder-action").open();
    /// See parameter pages tagged with `backstage:permissions`.
    pub const TEMPLATE_PARAMETER_READ: Permission = Permission::resource(
        names::TEMPLATE_PARAMETER_READ,
        Action::Read,
        "scaffolder-template",
    );
    /// Run steps tagged with `backstage:permissions`.
    pub const TEMPLATE_STEP_READ: Permission = Permission::resource(
        names::TEMPLATE_STEP_READ,
        Action::Read,
        "scaffolder-template",
    );

    /// All of them.
    pub fn all() -> Vec<Permission> {
        vec![
            TASK_CREATE,
            TASK_READ,
            TASK_CANCEL,
            ACTION_EXECUTE,
            TEMPLATE_PARAMETER_READ,
            TEMPLATE_STEP_READ,
        ]
    }
}

/// JSON Schema `pattern`s with the `regex` crate (cached).
#[derive(Default)]
pub struct RegexMatcher {
    cache: Mutex<HashMap<String, Result<regex::Regex, String>>>,
}

impl PatternMatcher for RegexMatcher {
    fn is_match(&self, pattern: &str, value: &str) -> Result<bool, String> {
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() > 1000 {
            cache.clear();
        }
        let re = cache
            .entry(pattern.to_string())
            .or_insert_with(|| {
                regex::RegexBuilder::new(pattern)
                    .size_limit(1 << 20)
                    .build()
                    .map_err(|e| e.to_string())
            })
            .clone()?;
        Ok(re.is_match(value))
    }
}

/// Why a task could not be created.
#[derive(Debug)]
pub enum CreateError {
    /// An API error (bad template, unknown action, not found …).
    Api(ApiError),
    /// Values violate the parameter schema.
    Invalid(Vec<FieldError>),
}

impl From<ApiError> for CreateError {
    fn from(e: ApiError) -> Self {
        CreateError::Api(e)
    }
}

impl From<sqlx::Error> for CreateError {
    fn from(e: sqlx::Error) -> Self {
        CreateError::Api(e.into())
    }
}

struct Pending {
    secrets: Arc<Map<String, Value>>,
    user: Identity,
}

/// The scaffolder service shared by the routes and the workers.
pub struct Scaffolder {
    /// Storage.
    pub db: Database,
    /// Every action by id.
    pub actions: BTreeMap<String, Arc<dyn TemplateAction>>,
    /// The templating engine.
    pub templater: Templater,
    /// Permission decisions.
    pub permissions: Arc<PermissionService>,
    /// The catalog API.
    pub catalog: CatalogClient,
    /// Configuration.
    pub config: ScaffolderConfig,
    /// Task workspaces live under here.
    pub work_root: PathBuf,
    /// Public base URL of the portal.
    pub base_url: String,
    /// Pattern matcher for parameter validation.
    pub matcher: RegexMatcher,
    /// Notified with a task id whenever that task gets an event.
    pub events: broadcast::Sender<String>,
    running: Mutex<HashMap<String, CancellationToken>>,
    pending: Mutex<HashMap<String, Pending>>,
    shutdown: CancellationToken,
    slots: Arc<Semaphore>,
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// The directory URL of a template from its `backstage.io/managed-by-location`.
pub fn template_base_url(entity: &Value) -> Option<String> {
    let loc = entity["metadata"]["annotations"]["backstage.io/managed-by-location"].as_str()?;
    let (ty, target) = loc.split_once(':')?;
    let dir = match target.rfind('/') {
        Some(i) => &target[..=i],
        None => return None,
    };
    match ty {
        "file" => Some(format!("file:{dir}")),
        "url" => Some(dir.to_string()),
        _ => None,
    }
}

/// A minimal identity for a task whose creator's session is gone (after a restart).
fn identity_of(user_ref: &str) -> Identity {
    Identity {
        user_entity_ref: user_ref.to_string(),
        ownership_entity_refs: vec![user_ref.to_string()],
        principal: Principal::User,
    }
}

impl Scaffolder {
    /// Assemble the service.
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        db: Database,
        actions: Vec<Arc<dyn TemplateAction>>,
        permissions: Arc<PermissionService>,
        catalog: CatalogClient,
        config: ScaffolderConfig,
        work_root: PathBuf,
        base_url: String,
        shutdown: CancellationToken,
    ) -> Self {
        let slots = Arc::new(Semaphore::new(config.concurrency.max(1)));
        Self {
            db,
            actions: actions
                .into_iter()
                .map(|a| (a.id().to_string(), a))
                .collect(),
            templater: Templater::default(),
            permissions,
            catalog,
            config,
            work_root,
            base_url,
            matcher: RegexMatcher::default(),
            events: broadcast::channel(1024).0,
            running: Mutex::new(HashMap::new()),
            pending: Mutex::new(HashMap::new()),
            shutdown,
            slots,
        }
    }

    /// Whether the page/step tags are visible to `user` under `permission`.
    pub fn tags_allowed(
        &self,
        user: &Identity,
        permission: &backend_plugin_api::Permission,
        tags: &[String],
    ) -> bool {
        tags.is_empty() || self.permissions.is_allowed(user, permission, None)
    }

    /// Fetch a template entity from the catalog as `token`'s user.
    pub async fn fetch_template(
        &self,
        namespace: &str,
        kind: &str,
        name: &str,
        token: Option<&str>,
    ) -> Result<Value, ApiError> {
        if !kind.eq_ignore_ascii_case("template") {
            return Err(ApiError::input(format!(
                "{kind}:{namespace}/{name} is not a template (kind must be Template)"
            )));
        }
        self.catalog
            .entity_by_name("template", namespace, name, token)
            .await?
            .ok_or_else(|| {
                ApiError::not_found(format!(
                    "Template template:{namespace}/{name} was not found in the catalog"
                ))
            })
    }

    /// Check a template: schema, then actions. Errors are 400s naming every problem.
    pub fn check_template(&self, entity: &Value, entity_ref: &str) -> Result<(), ApiError> {
        let errs = template::validate_template(entity);
        if !errs.is_empty() {
            return Err(ApiError::input(format!(
                "Template {entity_ref} is invalid: {}",
                errs.join("; ")
            )));
        }
        let unknown: Vec<String> = template::task_steps(&entity["spec"])
            .into_iter()
            .filter(|s| !self.actions.contains_key(&s.action))
            .map(|s| format!("unknown action `{}` (step `{}`)", s.action, s.id))
            .collect();
        if !unknown.is_empty() {
            return Err(ApiError::input(format!(
                "Template {entity_ref} cannot run: {}. The plugin providing it is not installed.",
                unknown.join(", ")
            )));
        }
        Ok(())
    }

    /// Apply defaults and validate `values` against every parameter page `user` may see.
    pub fn validate_values(
        &self,
        entity: &Value,
        user: &Identity,
        values: &mut Map<String, Value>,
    ) -> Vec<FieldError> {
        let mut errors = Vec::new();
        for page in template::parameter_pages(&entity["spec"]) {
            if !self.tags_allowed(
                user,
                &perms::TEMPLATE_PARAMETER_READ,
                &permission_tags(&page),
            ) {
                continue;
            }
            schema::apply_defaults(&page, values);
            errors.extend(schema::validate(
                &page,
                &Value::Object(values.clone()),
                &self.matcher,
            ));
        }
        errors
    }

    /// Build the spec of a task from a checked template.
    pub async fn build_spec(
        &self,
        entity: &Value,
        entity_ref: &str,
        base_url: Option<String>,
        values: Map<String, Value>,
        user: &Identity,
        token: Option<&str>,
    ) -> TaskSpec {
        let user_entity =
            match portal_types::EntityRef::parse(&user.user_entity_ref, Some("user"), None) {
                Ok(r) => self
                    .catalog
                    .entity_by_name(&r.kind, &r.namespace, &r.name, token)
                    .await
                    .ok()
                    .flatten(),
                Err(_) => None,
            };
        TaskSpec {
            api_version: entity["apiVersion"]
                .as_str()
                .unwrap_or(template::API_VERSION)
                .to_string(),
            steps: template::task_steps(&entity["spec"]),
            output: entity["spec"].get("output").cloned().unwrap_or(json!({})),
            parameters: values,
            user: TaskUser {
                entity: user_entity,
                user_ref: user.user_entity_ref.clone(),
            },
            template_info: TemplateInfo {
                entity_ref: entity_ref.to_string(),
                base_url,
                entity: json!({"metadata": entity["metadata"].clone()}),
            },
        }
    }

    /// `POST /v2/tasks`.
    pub async fn create_task(
        self: &Arc<Self>,
        user: &Identity,
        token: Option<&str>,
        template_ref: &str,
        mut values: Map<String, Value>,
        secrets: Option<Map<String, Value>>,
    ) -> Result<String, CreateError> {
        self.permissions
            .authorize(user, &perms::TASK_CREATE, None)?;
        let r = portal_types::EntityRef::parse(template_ref, Some("template"), None)
            .map_err(|e| ApiError::input(format!("Invalid templateRef: {e}")))?;
        let entity = self
            .fetch_template(&r.namespace, &r.kind, &r.name, token)
            .await?;
        let entity_ref = r.to_string();
        self.check_template(&entity, &entity_ref)?;
        let errors = self.validate_values(&entity, user, &mut values);
        if !errors.is_empty() {
            return Err(CreateError::Invalid(errors));
        }
        let spec = self
            .build_spec(
                &entity,
                &entity_ref,
                template_base_url(&entity),
                values,
                user,
                token,
            )
            .await;
        let id = uuid::Uuid::new_v4().to_string();
        let mut secrets = secrets.unwrap_or_default();
        if let Some(t) = token {
            secrets.insert("backstageToken".into(), Value::String(t.to_string()));
        }
        self.pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(
                id.clone(),
                Pending {
                    secrets: Arc::new(secrets),
                    user: user.clone(),
                },
            );
        if let Err(e) = store::insert_task(&self.db, &id, &spec, &user.user_entity_ref).await {
            self.pending
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .remove(&id);
            return Err(e.into());
        }
        tracing::info!(target: "audit", event = "scaffolder.task.create", task = %id, user = %user.user_entity_ref, template = %entity_ref, "task created");
        self.clone().spawn(id.clone());
        Ok(id)
    }

    /// Whether `user` may cancel or retry `task` (its creator, or the permission).
    pub fn may_control(&self, user: &Identity, created_by: Option<&str>) -> Result<(), ApiError> {
        if created_by.is_some_and(|c| c.eq_ignore_ascii_case(&user.user_entity_ref))
            && user.scope_allows(perms::TASK_CANCEL.name.as_ref(), "update")
        {
            return Ok(());
        }
        self.permissions.authorize(user, &perms::TASK_CANCEL, None)
    }

    /// `POST /v2/tasks/:id/cancel`.
    pub async fn cancel(&self, user: &Identity, id: &str) -> Result<TaskStatus, ApiError> {
        let task = store::get_task(&self.db, id)
            .await?
            .ok_or_else(|| ApiError::not_found(format!("Task {id} does not exist")))?;
        self.may_control(user, task.created_by.as_deref())?;
        if task.status.is_final() {
            return Ok(task.status);
        }
        let cancelled = EventBody {
            message: format!("Task cancelled by {}", user.user_entity_ref),
            ..Default::default()
        };
        let completion = EventBody {
            message: "Run completed with status: cancelled".into(),
            status: Some(TaskStatus::Cancelled),
            ..Default::default()
        };
        let token = self
            .running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(id)
            .cloned();
        self.emit(id, EventType::Cancelled, cancelled).await;
        match token {
            // Our worker runs it: it stops, marks the steps and completes the task.
            Some(t) => t.cancel(),
            // Not started yet, or running on a replica that died: finish it here.
            None => {
                self.pending
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .remove(id);
                for from in [TaskStatus::Open, TaskStatus::Processing] {
                    if store::finish(&self.db, id, from, TaskStatus::Cancelled, &completion).await?
                    {
                        break;
                    }
                }
                let _ = self.events.send(id.to_string());
            }
        }
        Ok(TaskStatus::Cancelled)
    }

    /// `POST /v2/tasks/:id/retry`: run a failed or cancelled task again (same id), with
    /// the retrying caller's token.
    pub async fn retry(
        self: &Arc<Self>,
        user: &Identity,
        token: Option<&str>,
        id: &str,
    ) -> Result<String, ApiError> {
        let task = store::get_task(&self.db, id)
            .await?
            .ok_or_else(|| ApiError::not_found(format!("Task {id} does not exist")))?;
        self.may_control(user, task.created_by.as_deref())?;
        if !matches!(task.status, TaskStatus::Failed | TaskStatus::Cancelled) {
            return Err(ApiError::conflict(format!(
                "Task {id} is {}; only failed or cancelled tasks can be retried",
                task.status.as_str()
            )));
        }
        let mut secrets = Map::new();
        if let Some(t) = token {
            secrets.insert("backstageToken".into(), Value::String(t.to_string()));
        }
        self.pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(
                id.to_string(),
                Pending {
                    secrets: Arc::new(secrets),
                    user: user.clone(),
                },
            );
        if !store::transition(
            &self.db,
            id,
            &[TaskStatus::Failed, TaskStatus::Cancelled],
            TaskStatus::Open,
        )
        .await?
        {
            return Err(ApiError::conflict(format!(
                "Task {id} changed state; try again"
            )));
        }
        store::set_state(&self.db, id, &TaskState::default()).await?;
        self.emit(
            id,
            EventType::Log,
            EventBody {
                message: format!("Task retried by {}", user.user_entity_ref),
                ..Default::default()
            },
        )
        .await;
        self.clone().spawn(id.to_string());
        Ok(id.to_string())
    }

    /// Append an event directly and notify listeners.
    pub async fn emit(&self, task_id: &str, t: EventType, body: EventBody) {
        if let Err(e) = store::append_event(&self.db, task_id, t, &body).await {
            tracing::warn!(task = task_id, error = %e, "cannot store task event");
        }
        let _ = self.events.send(task_id.to_string());
    }

    /// Start-up: tasks left `processing` by a previous run of the server are marked
    /// failed; `open` ones are started.
    pub async fn recover(self: &Arc<Self>) -> Result<(), sqlx::Error> {
        for id in store::ids_with_status(&self.db, TaskStatus::Processing).await? {
            self.fail_interrupted(
                &id,
                "The server stopped while this task was running; it was marked failed on restart",
            )
            .await;
        }
        for id in store::ids_with_status(&self.db, TaskStatus::Open).await? {
            self.clone().spawn(id);
        }
        Ok(())
    }

    async fn fail_interrupted(&self, id: &str, message: &str) {
        match store::get_task(&self.db, id).await {
            Ok(Some(t)) if t.status == TaskStatus::Processing => {}
            _ => return,
        }
        let _ = store::append_event(
            &self.db,
            id,
            EventType::Log,
            &EventBody {
                message: message.into(),
                ..Default::default()
            },
        )
        .await;
        let body = EventBody {
            message: "Run completed with status: failed".into(),
            status: Some(TaskStatus::Failed),
            error: Some(json!({"name": "Error", "message": message})),
            ..Default::default()
        };
        if let Err(e) = store::finish(
            &self.db,
            id,
            TaskStatus::Processing,
            TaskStatus::Failed,
            &body,
        )
        .await
        {
            tracing::warn!(task = id, error = %e, "cannot mark an interrupted task failed");
        }
        let _ = self.events.send(id.to_string());
    }

    /// Periodically fail `processing` tasks whose worker stopped sending heartbeats
    /// (another replica died).
    pub async fn reap_stale(self: Arc<Self>) {
        let timeout = Duration::from_secs(self.config.heartbeat_timeout_seconds.max(10));
        loop {
            tokio::select! {
                _ = self.shutdown.cancelled() => return,
                _ = tokio::time::sleep(timeout / 2) => {}
            }
            let before = (chrono::Utc::now()
                - chrono::Duration::from_std(timeout).unwrap_or_default())
            .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
            let Ok(ids) = store::stale_processing(&self.db, &before).await else {
                continue;
            };
            for id in ids {
                let mine = self
                    .running
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .contains_key(&id);
                if !mine {
                    self.fail_interrupted(&id, "The worker running this task stopped sending heartbeats; it was marked failed").await;
                }
            }
        }
    }

    fn spawn(self: Arc<Self>, id: String) {
        tokio::spawn(async move {
            let permit = tokio::select! {
                p = self.slots.clone().acquire_owned() => p,
                _ = self.shutdown.cancelled() => return,
            };
            let Ok(_permit) = permit else { return };
            self.run_task(&id).await;
        });
    }

    async fn run_task(self: &Arc<Self>, id: &str) {
        // Register the cancel token before claiming, so a cancel racing the claim is seen.
        let cancel = CancellationToken::new();
        self.running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id.to_string(), cancel.clone());
        let claimed = matches!(
            store::transition(&self.db, id, &[TaskStatus::Open], TaskStatus::Processing).await,
            Ok(true)
        );
        let task = match store::get_task(&self.db, id).await {
            Ok(Some(task)) if claimed => task,
            _ => {
                self.running
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .remove(id);
                return;
            }
        };
        let pending = self
            .pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(id);
        let (secrets, user) = match pending {
            Some(p) => (p.secrets, p.user),
            None => (
                Arc::new(Map::new()),
                identity_of(task.created_by.as_deref().unwrap_or("user:default/unknown")),
            ),
        };
        let workspace = self.work_root.join(id);
        let _ = std::fs::remove_dir_all(&workspace);
        let heartbeat = cancel.child_token();
        {
            let db = self.db.clone();
            let id = id.to_string();
            let hb = heartbeat.clone();
            tokio::spawn(async move {
                loop {
                    tokio::select! {
                        _ = hb.cancelled() => return,
                        _ = tokio::time::sleep(Duration::from_secs(5)) => { let _ = store::heartbeat(&db, &id).await; }
                    }
                }
            });
        }
        let (log, writer) = RunLog::for_task(self.clone(), id, &secrets);
        let run = Run {
            svc: self,
            task_id: id.to_string(),
            spec: task.spec,
            secrets,
            user,
            workspace: workspace.clone(),
            cancel: cancel.clone(),
            log: log.clone(),
            dry_run: false,
            persist_state: true,
        };
        let outcome = tokio::select! {
            o = run.execute() => Some(o),
            _ = self.shutdown.cancelled() => None,
        };
        heartbeat.cancel();
        let _ = std::fs::remove_dir_all(&workspace);
        self.running
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(id);
        let Some((outcome, state)) = outcome else {
            // Server shutting down: leave it `processing`; the next start marks it failed.
            return;
        };
        let (status, body) = match outcome {
            Outcome::Completed(output) => (
                TaskStatus::Completed,
                EventBody {
                    message: "Run completed with status: completed".into(),
                    status: Some(TaskStatus::Completed),
                    output: Some(output),
                    ..Default::default()
                },
            ),
            Outcome::Failed(message) => (
                TaskStatus::Failed,
                EventBody {
                    message: "Run completed with status: failed".into(),
                    status: Some(TaskStatus::Failed),
                    error: Some(json!({"name": "Error", "message": log.redact(&message)})),
                    ..Default::default()
                },
            ),
            Outcome::Cancelled => (
                TaskStatus::Cancelled,
                EventBody {
                    message: "Run completed with status: cancelled".into(),
                    status: Some(TaskStatus::Cancelled),
                    ..Default::default()
                },
            ),
        };
        let _ = store::set_state(&self.db, id, &state).await;
        log.close();
        let _ = writer.await;
        if let Err(e) = store::finish(&self.db, id, TaskStatus::Processing, status, &body).await {
            tracing::warn!(task = id, error = %e, "cannot store final task status");
        }
        let _ = self.events.send(id.to_string());
    }

    /// `POST /v2/dry-run`: run a template in a throw-away workspace, with its files given
    /// inline; actions without dry-run support are skipped.
    pub async fn dry_run(
        self: &Arc<Self>,
        user: &Identity,
        token: Option<&str>,
        req: plugin_scaffolder_common::DryRunRequest,
    ) -> Result<plugin_scaffolder_common::DryRunResponse, CreateError> {
        use base64::Engine as _;
        self.permissions
            .authorize(user, &perms::TASK_CREATE, None)?;
        let mut entity = req.template.clone();
        if entity.get("spec").is_none() {
            entity = json!({"apiVersion": template::API_VERSION, "kind": "Template", "metadata": {"name": "dry-run"}, "spec": entity});
        }
        self.check_template(&entity, "template:default/dry-run")?;
        let mut values = req.values.clone();
        let errors = self.validate_values(&entity, user, &mut values);
        if !errors.is_empty() {
            return Err(CreateError::Invalid(errors));
        }
        let id = format!("dry-run-{}", uuid::Uuid::new_v4());
        let root = self.work_root.join(&id);
        let template_dir = root.join("template");
        let workspace = root.join("workspace");
        let result = async {
            std::fs::create_dir_all(&template_dir).map_err(ApiError::internal)?;
            std::fs::create_dir_all(&workspace).map_err(ApiError::internal)?;
            for f in &req.directory_contents {
                let path =
                    backend_plugin_api::scaffolder::resolve_safe_child_path(&template_dir, &f.path)
                        .map_err(|e| ApiError::input(e.0))?;
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(&f.base64_content)
                    .map_err(|e| {
                        ApiError::input(format!("{}: invalid base64Content: {e}", f.path))
                    })?;
                if let Some(p) = path.parent() {
                    std::fs::create_dir_all(p).map_err(ApiError::internal)?;
                }
                std::fs::write(&path, bytes).map_err(ApiError::internal)?;
            }
            let base = format!("file:{}/", template_dir.display());
            let spec = self
                .build_spec(
                    &entity,
                    "template:default/dry-run",
                    Some(base),
                    values,
                    user,
                    token,
                )
                .await;
            let mut secrets = req.secrets.clone().unwrap_or_default();
            if let Some(t) = token {
                secrets.insert("backstageToken".into(), Value::String(t.to_string()));
            }
            let secrets = Arc::new(secrets);
            let (log, collected) = RunLog::collecting(self, &secrets);
            let run = Run {
                svc: self,
                task_id: id.clone(),
                spec: spec.clone(),
                secrets,
                user: user.clone(),
                workspace: workspace.clone(),
                cancel: CancellationToken::new(),
                log: log.clone(),
                dry_run: true,
                persist_state: false,
            };
            let (outcome, _) = tokio::time::timeout(Duration::from_secs(60), run.execute())
                .await
                .unwrap_or((
                    Outcome::Failed("dry run timed out after 60 s".into()),
                    TaskState::default(),
                ));
            let output = match outcome {
                Outcome::Completed(o) => o,
                Outcome::Failed(m) => {
                    log.emit(
                        EventType::Log,
                        EventBody {
                            message: format!("Run failed: {m}"),
                            status: Some(TaskStatus::Failed),
                            ..Default::default()
                        },
                    );
                    json!({})
                }
                Outcome::Cancelled => json!({}),
            };
            let mut files = Vec::new();
            for rel in crate::actions::list_files(&workspace).unwrap_or_default() {
                let p = workspace.join(&rel);
                let bytes = std::fs::read(&p).unwrap_or_default();
                #[cfg(unix)]
                let executable = {
                    use std::os::unix::fs::PermissionsExt;
                    std::fs::metadata(&p)
                        .map(|m| m.permissions().mode() & 0o111 != 0)
                        .unwrap_or(false)
                };
                #[cfg(not(unix))]
                let executable = false;
                files.push(plugin_scaffolder_common::DryRunFile {
                    path: rel,
                    executable,
                    base64_content: base64::engine::general_purpose::STANDARD.encode(bytes),
                });
            }
            let log_lines = collected
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .drain(..)
                .map(|body| plugin_scaffolder_common::DryRunLog { body })
                .collect();
            Ok::<_, ApiError>(plugin_scaffolder_common::DryRunResponse {
                log: log_lines,
                directory_contents: files,
                output,
                steps: spec.steps,
            })
        }
        .await;
        let _ = std::fs::remove_dir_all(&root);
        Ok(result?)
    }
}

/// How a run ended.
enum Outcome {
    Completed(Value),
    Failed(String),
    Cancelled,
}

enum LogTarget {
    Task(mpsc::UnboundedSender<(EventType, EventBody)>),
    Collect(Arc<Mutex<Vec<EventBody>>>),
}

struct LogBudget {
    used: usize,
    exhausted: bool,
}

/// The log of one run: redacts secrets, truncates long lines, stops logging plain lines
/// after the budget (with one marker), and keeps events in order.
#[derive(Clone)]
struct RunLog {
    target: Arc<Mutex<Option<LogTarget>>>,
    secrets: Arc<Vec<String>>,
    budget: Arc<Mutex<LogBudget>>,
    max_total: usize,
    max_line: usize,
}

impl RunLog {
    fn new(target: LogTarget, svc: &Scaffolder, secrets: &Map<String, Value>) -> Self {
        let mut words: Vec<String> = Vec::new();
        for v in secrets.values() {
            collect_secret_strings(v, &mut words);
        }
        words.sort_by_key(|w| std::cmp::Reverse(w.len()));
        Self {
            target: Arc::new(Mutex::new(Some(target))),
            secrets: Arc::new(words),
            budget: Arc::new(Mutex::new(LogBudget {
                used: 0,
                exhausted: false,
            })),
            max_total: svc.config.max_log_bytes.max(1024),
            max_line: svc.config.max_log_line_bytes.max(256),
        }
    }

    fn for_task(
        svc: Arc<Scaffolder>,
        task_id: &str,
        secrets: &Map<String, Value>,
    ) -> (Self, tokio::task::JoinHandle<()>) {
        let (tx, mut rx) = mpsc::unbounded_channel::<(EventType, EventBody)>();
        let log = Self::new(LogTarget::Task(tx), &svc, secrets);
        let id = task_id.to_string();
        let writer = tokio::spawn(async move {
            // Write what has queued up in one transaction, then notify listeners.
            while let Some(first) = rx.recv().await {
                let mut batch = vec![first];
                while batch.len() < 256 {
                    match rx.try_recv() {
                        Ok(e) => batch.push(e),
                        Err(_) => break,
                    }
                }
                if let Err(e) = store::append_events(&svc.db, &id, &batch).await {
                    tracing::warn!(task = %id, error = %e, "cannot store task events");
                }
                let _ = svc.events.send(id.clone());
            }
        });
        (log, writer)
    }

    fn collecting(
        svc: &Scaffolder,
        secrets: &Map<String, Value>,
    ) -> (Self, Arc<Mutex<Vec<EventBody>>>) {
        let sink = Arc::new(Mutex::new(Vec::new()));
        (
            Self::new(LogTarget::Collect(sink.clone()), svc, secrets),
            sink,
        )
    }

    fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for s in self.secrets.iter() {
            if out.contains(s.as_str()) {
                out = out.replace(s.as_str(), "***");
            }
        }
        out
    }

    fn redact_value(&self, v: Value) -> Value {
        match v {
            Value::String(s) => Value::String(self.redact(&s)),
            Value::Array(a) => Value::Array(a.into_iter().map(|x| self.redact_value(x)).collect()),
            Value::Object(o) => Value::Object(
                o.into_iter()
                    .map(|(k, x)| (k, self.redact_value(x)))
                    .collect(),
            ),
            other => other,
        }
    }

    fn emit(&self, t: EventType, mut body: EventBody) {
        body.message = self.redact(&body.message);
        if body.message.len() > self.max_line {
            let mut cut = self.max_line;
            while !body.message.is_char_boundary(cut) {
                cut -= 1;
            }
            let dropped = body.message.len() - cut;
            body.message.truncate(cut);
            body.message
                .push_str(&format!("… [truncated {dropped} bytes]"));
        }
        if t == EventType::Log && body.status.is_none() {
            let mut b = self.budget.lock().unwrap_or_else(|e| e.into_inner());
            if b.exhausted {
                return;
            }
            b.used += body.message.len();
            if b.used > self.max_total {
                b.exhausted = true;
                body.message = format!(
                    "[log truncated: this task's log reached its limit of {} bytes; further lines are dropped]",
                    self.max_total
                );
            }
        }
        let guard = self.target.lock().unwrap_or_else(|e| e.into_inner());
        match guard.as_ref() {
            Some(LogTarget::Task(tx)) => {
                let _ = tx.send((t, body));
            }
            Some(LogTarget::Collect(v)) => v.lock().unwrap_or_else(|e| e.into_inner()).push(body),
            None => {}
        }
    }

    fn step(&self, step_id: &str, message: String, status: Option<TaskStatus>) {
        self.emit(
            EventType::Log,
            EventBody {
                message,
                step_id: Some(step_id.to_string()),
                status,
                ..Default::default()
            },
        );
    }

    fn close(&self) {
        self.target.lock().unwrap_or_else(|e| e.into_inner()).take();
    }
}

fn collect_secret_strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) if s.len() >= 3 => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|x| collect_secret_strings(x, out)),
        Value::Object(o) => o.values().for_each(|x| collect_secret_strings(x, out)),
        _ => {}
    }
}

struct Run<'a> {
    svc: &'a Arc<Scaffolder>,
    task_id: String,
    spec: TaskSpec,
    secrets: Arc<Map<String, Value>>,
    user: Identity,
    workspace: PathBuf,
    cancel: CancellationToken,
    log: RunLog,
    dry_run: bool,
    persist_state: bool,
}

impl Run<'_> {
    fn context(&self, steps: &Map<String, Value>, each: Option<&Value>) -> Value {
        let mut c = json!({
            "parameters": self.spec.parameters,
            "steps": steps,
            "secrets": self.secrets.as_ref(),
            "user": {"entity": self.spec.user.entity, "ref": self.spec.user.user_ref},
        });
        if let Some(e) = each {
            c["each"] = e.clone();
        }
        c
    }

    async fn set_step(&self, state: &mut TaskState, step: &TaskStep, status: TaskStatus) {
        let entry = state
            .steps
            .entry(step.id.clone())
            .or_insert_with(|| json!({}));
        entry["status"] = json!(status.as_str());
        if status == TaskStatus::Processing {
            entry["startedAt"] = json!(now());
        } else {
            entry["endedAt"] = json!(now());
        }
        if self.persist_state {
            let _ = store::set_state(&self.svc.db, &self.task_id, state).await;
        }
    }

    async fn execute(&self) -> (Outcome, TaskState) {
        let mut state = TaskState::default();
        for s in &self.spec.steps {
            state.steps.insert(s.id.clone(), json!({"status": "open"}));
        }
        if self.persist_state {
            let _ = store::set_state(&self.svc.db, &self.task_id, &state).await;
        }
        if let Err(e) = std::fs::create_dir_all(&self.workspace) {
            return (
                Outcome::Failed(format!("cannot create the task workspace: {e}")),
                state,
            );
        }
        let mut outputs: Map<String, Value> = Map::new();
        for step in &self.spec.steps {
            if self.cancel.is_cancelled() {
                self.mark_rest_cancelled(&mut state).await;
                return (Outcome::Cancelled, state);
            }
            match self.run_step(step, &mut outputs, &mut state).await {
                StepResult::Done => {}
                StepResult::Cancelled => {
                    self.mark_rest_cancelled(&mut state).await;
                    return (Outcome::Cancelled, state);
                }
                StepResult::Failed(msg) => return (Outcome::Failed(msg), state),
            }
        }
        let ctx = context(&self.context(&outputs, None));
        let output = match self.svc.templater.render_value(&self.spec.output, &ctx) {
            Ok(v) => v.unwrap_or(json!({})),
            Err(e) => {
                let msg = format!("cannot render the template output: {e}");
                self.log.emit(
                    EventType::Log,
                    EventBody {
                        message: msg.clone(),
                        ..Default::default()
                    },
                );
                return (Outcome::Failed(msg), state);
            }
        };
        // The output is stored and shown: never let a secret through it.
        let output = self.log.redact_value(output);
        state.output = Some(output.clone());
        (Outcome::Completed(output), state)
    }

    async fn mark_rest_cancelled(&self, state: &mut TaskState) {
        for s in &self.spec.steps {
            let st = state
                .steps
                .get(&s.id)
                .and_then(|v| v["status"].as_str())
                .unwrap_or("open");
            if st == "open" || st == "processing" {
                self.set_step(state, s, TaskStatus::Cancelled).await;
                self.log.step(
                    &s.id,
                    format!("Step {} cancelled", s.name),
                    Some(TaskStatus::Cancelled),
                );
            }
        }
    }

    async fn run_step(
        &self,
        step: &TaskStep,
        outputs: &mut Map<String, Value>,
        state: &mut TaskState,
    ) -> StepResult {
        let fail = |msg: String| -> StepResult { StepResult::Failed(msg) };
        let base_ctx = self.context(outputs, None);
        if let Some(cond) = &step.if_ {
            match self.svc.templater.eval_condition(cond, &context(&base_ctx)) {
                Ok(true) => {}
                Ok(false) => {
                    self.set_step(state, step, TaskStatus::Skipped).await;
                    self.log.step(
                        &step.id,
                        format!(
                            "Skipping step {} because its if condition was false",
                            step.name
                        ),
                        Some(TaskStatus::Skipped),
                    );
                    return StepResult::Done;
                }
                Err(e) => {
                    let msg = format!(
                        "Step {} ({}) failed: cannot evaluate its if condition: {e}",
                        step.name, step.id
                    );
                    self.set_step(state, step, TaskStatus::Failed).await;
                    self.log
                        .step(&step.id, msg.clone(), Some(TaskStatus::Failed));
                    return fail(msg);
                }
            }
        }
        self.set_step(state, step, TaskStatus::Processing).await;
        self.log.step(
            &step.id,
            format!("Beginning step {}", step.name),
            Some(TaskStatus::Processing),
        );
        let result = self.run_step_inner(step, outputs, &base_ctx).await;
        match result {
            Ok(skipped_dry) => {
                let status = if skipped_dry {
                    TaskStatus::Skipped
                } else {
                    TaskStatus::Completed
                };
                self.set_step(state, step, status).await;
                self.log.step(
                    &step.id,
                    format!("Finished step {}", step.name),
                    Some(status),
                );
                StepResult::Done
            }
            Err(StepError::Cancelled) => {
                self.set_step(state, step, TaskStatus::Cancelled).await;
                self.log.step(
                    &step.id,
                    format!("Step {} cancelled", step.name),
                    Some(TaskStatus::Cancelled),
                );
                StepResult::Cancelled
            }
            Err(StepError::Failed(msg)) => {
                let msg = format!("Step {} ({}) failed: {msg}", step.name, step.id);
                self.set_step(state, step, TaskStatus::Failed).await;
                self.log
                    .step(&step.id, msg.clone(), Some(TaskStatus::Failed));
                fail(msg)
            }
        }
    }

    /// Ok(true) when skipped because of a dry run.
    async fn run_step_inner(
        &self,
        step: &TaskStep,
        outputs: &mut Map<String, Value>,
        base_ctx: &Value,
    ) -> Result<bool, StepError> {
        let tags = permission_tags(&Value::Object(step.extra.clone()));
        if !self
            .svc
            .tags_allowed(&self.user, &perms::TEMPLATE_STEP_READ, &tags)
        {
            return Err(StepError::Failed(format!(
                "{} is not allowed to run this step",
                self.user.user_entity_ref
            )));
        }
        let action = self
            .svc
            .actions
            .get(&step.action)
            .cloned()
            .ok_or_else(|| StepError::Failed(format!("unknown action `{}`", step.action)))?;
        if !self
            .svc
            .permissions
            .is_allowed(&self.user, &perms::ACTION_EXECUTE, None)
        {
            return Err(StepError::Failed(format!(
                "{} may not execute action {} (scaffolder.action.execute)",
                self.user.user_entity_ref, step.action
            )));
        }
        if self.dry_run && !action.supports_dry_run() {
            self.log.step(
                &step.id,
                format!(
                    "Skipping {} in the dry run: the action does not support dry runs",
                    step.action
                ),
                None,
            );
            return Ok(true);
        }
        let iterations: Vec<Option<Value>> = match &step.each {
            None => vec![None],
            Some(each) => {
                let items = self
                    .svc
                    .templater
                    .render_value(each, &context(base_ctx))
                    .map_err(|e| StepError::Failed(format!("cannot evaluate each: {e}")))?
                    .unwrap_or(Value::Null);
                let len = match &items {
                    Value::Array(a) => a.len(),
                    Value::Object(o) => o.len(),
                    _ => 0,
                };
                if len > MAX_EACH {
                    return Err(StepError::Failed(format!(
                        "each has {len} items; at most {MAX_EACH} are allowed"
                    )));
                }
                match items {
                    Value::Array(a) => a
                        .into_iter()
                        .enumerate()
                        .map(|(i, v)| Some(json!({"key": i, "value": v})))
                        .collect(),
                    Value::Object(o) => o
                        .into_iter()
                        .map(|(k, v)| Some(json!({"key": k, "value": v})))
                        .collect(),
                    other => {
                        return Err(StepError::Failed(format!(
                            "each must be an array or an object, not {}",
                            schema::type_of(&other)
                        )))
                    }
                }
            }
        };
        let mut step_output = Map::new();
        for each in iterations {
            if let Some(e) = &each {
                self.log.step(
                    &step.id,
                    format!("Running {} for each item {}", step.action, e["key"]),
                    None,
                );
            }
            let ctx = context(&self.context(outputs, each.as_ref()));
            let input = match &step.input {
                Some(i) => self
                    .svc
                    .templater
                    .render_value(i, &ctx)
                    .map_err(|e| StepError::Failed(format!("cannot template the input: {e}")))?
                    .unwrap_or(json!({})),
                None => json!({}),
            };
            let schema = action.input_schema();
            if !schema.is_null() {
                let errs = schema::validate(&schema, &input, &self.svc.matcher);
                if !errs.is_empty() {
                    let list: Vec<String> = errs.iter().map(|e| e.stack.clone()).collect();
                    return Err(StepError::Failed(format!(
                        "Invalid input passed to action {}: {}",
                        step.action,
                        list.join(", ")
                    )));
                }
            }
            let logger = {
                let log = self.log.clone();
                let sid = step.id.clone();
                ActionLogger::new(Arc::new(move |m: String| log.step(&sid, m, None)))
            };
            let actx = ActionContext {
                task_id: self.task_id.clone(),
                step_id: step.id.clone(),
                input,
                secrets: self.secrets.clone(),
                workspace: self.workspace.clone(),
                user: self.user.clone(),
                logger,
                cancel: self.cancel.child_token(),
                template_ref: self.spec.template_info.entity_ref.clone(),
                template_base_url: self.spec.template_info.base_url.clone(),
                dry_run: self.dry_run,
                base_url: self.svc.base_url.clone(),
            };
            let a = action.clone();
            let mut handle = tokio::spawn(async move { a.handler(actx).await });
            let result = tokio::select! {
                r = &mut handle => r,
                _ = self.cancel.cancelled() => {
                    handle.abort();
                    return Err(StepError::Cancelled);
                }
            };
            let out = match result {
                Ok(Ok(v)) => v,
                Ok(Err(e)) => {
                    if self.cancel.is_cancelled() {
                        return Err(StepError::Cancelled);
                    }
                    return Err(StepError::Failed(e.0));
                }
                Err(join) => return Err(StepError::Failed(format!("the action crashed: {join}"))),
            };
            if let Value::Object(o) = out {
                for (k, v) in o {
                    if each.is_some() {
                        let slot = step_output.entry(k).or_insert_with(|| json!([]));
                        if let Value::Array(a) = slot {
                            a.push(v);
                        }
                    } else {
                        step_output.insert(k, v);
                    }
                }
            }
        }
        outputs.insert(step.id.clone(), json!({"output": step_output}));
        Ok(false)
    }
}

enum StepResult {
    Done,
    Cancelled,
    Failed(String),
}

enum StepError {
    Cancelled,
    Failed(String),
}

/// The default work directory for a data directory.
pub fn default_work_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("scaffolder").join("tasks")
}
