//! Errors as the API returns them: a status and a JSON body naming the field at fault.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use quadrant_store::StoreError;

/// A refused or failed request.
#[derive(Debug)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The request field at fault, when one is.
    pub field: Option<String>,
    /// What is wrong and what was expected.
    pub message: String,
    /// Problems in a submitted file, each with file, line, field and what was expected.
    pub issues: Vec<serde_json::Value>,
}

impl ApiError {
    /// An error with a status and message, naming `field`.
    pub fn field(status: StatusCode, field: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            field: Some(field.to_string()),
            message: message.into(),
            issues: Vec::new(),
        }
    }
    /// A 422 naming `field`.
    pub fn invalid(field: &str, message: impl Into<String>) -> ApiError {
        ApiError::field(StatusCode::UNPROCESSABLE_ENTITY, field, message)
    }
    /// An error naming no field.
    pub fn new(status: StatusCode, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            field: None,
            message: message.into(),
            issues: Vec::new(),
        }
    }
    /// 404 for `what` `id`.
    pub fn not_found(what: &str, id: i64) -> ApiError {
        ApiError::field(
            StatusCode::NOT_FOUND,
            "id",
            format!("no {what} with id {id}"),
        )
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        let status = match &e {
            StoreError::NotFound { .. } => StatusCode::NOT_FOUND,
            StoreError::ResultExists(_) | StoreError::State { .. } => StatusCode::CONFLICT,
            StoreError::Db(_) | StoreError::TooNew { .. } => StatusCode::INTERNAL_SERVER_ERROR,
        };
        ApiError::new(status, e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = serde_json::json!({ "error": self.message });
        if let Some(f) = self.field {
            body["field"] = f.into();
        }
        if !self.issues.is_empty() {
            body["issues"] = self.issues.into();
        }
        (self.status, axum::Json(body)).into_response()
    }
}
