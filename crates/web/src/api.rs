//! What every API handler shares: JSON bodies whose problems are answered as
//! `application/problem+json`, and the answers.

use crate::error::{ApiError, WebError};
use axum::Json;
use axum::extract::rejection::JsonRejection;
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
            Err(JsonRejection::MissingJsonContentType(_)) => {
                Err(ApiError(WebError::UnsupportedMediaType(
                    "stuur de gegevens als JSON (Content-Type: application/json)".into(),
                )))
            }
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(ApiError(
                WebError::TooLarge("de gegevens zijn groter dan de server aanneemt".into()),
            )),
            Err(e) if crate::server::timed_out(&e) => Err(ApiError(WebError::RequestTimeout(
                "de gegevens kwamen niet op tijd binnen".into(),
            ))),
            Err(e) => Err(ApiError(WebError::bad_request(format!(
                "de inhoud past niet bij deze vraag (zie het API-document): {}",
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
