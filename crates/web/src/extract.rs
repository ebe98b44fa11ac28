//! Typed path ids and API query strings. A path that does not hold a number is "not found"
//! for a page and a problem+json 400 for the API, never a plain-text rejection; so is a
//! query string the API cannot read.

use crate::error::{ApiError, HtmlError, WebError};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;

pub struct Path<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Path<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(Path(v)),
            Err(_) if parts.uri.path().starts_with("/api/") => Err(ApiError(
                WebError::bad_request("een nummer in het pad is geen geheel getal"),
            )
            .into_response()),
            Err(_) => Err(
                HtmlError(WebError::App(nabij_app::AppError::NotFound("pagina"))).into_response(),
            ),
        }
    }
}

/// An API route's query string; what it cannot read is a problem+json 400.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(ApiQuery(v)),
            Err(e) => Err(ApiError(WebError::bad_request(format!(
                "de zoekvraag klopt niet: {}",
                e.body_text()
            )))),
        }
    }
}
