//! What every API handler shares: JSON bodies whose problems are answered as
//! `application/problem+json`, and the answers.

use crate::error::{ApiError, WebError};
use axum::Json;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// A JSON request body whose problems are answered as problem+json with a useful detail.
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(v)) => Ok(Body(v)),
            Err(e) => Err(ApiError(WebError::bad_request(format!(
                "request body is not valid: {}",
                e.body_text()
            )))),
        }
    }
}

pub type ApiResult = Result<Response, ApiError>;

pub fn ok<T: Serialize>(v: &T) -> ApiResult {
    Ok(Json(v).into_response())
}

pub fn created<T: Serialize>(location: String, v: &T) -> ApiResult {
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(v)).into_response())
}
