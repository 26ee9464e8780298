//! placeholder
use crate::AppState;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
/// Exec settings.
#[derive(Debug, Clone, Default)]
pub struct ExecConfig {}
/// Exec handler.
pub async fn handler(State(_app): State<AppState>) -> Response {
    crate::error::ApiError::bad_request("todo").into_response()
}
