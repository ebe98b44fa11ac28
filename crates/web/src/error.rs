//! The web layer's one error enum, mapped once to an HTML page or `application/problem+json`.

use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use nabij_app::AppError;
use nabij_domain::RuleViolation;
use serde_json::json;

/// A use case's refusal or failure, or a request without a signed-in user.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error(transparent)]
    App(#[from] AppError),
    /// Not signed in (Dutch message).
    #[error("{0}")]
    Unauthorized(String),
    /// The request body is larger than the server reads (Dutch message).
    #[error("{0}")]
    TooLarge(String),
    /// The API was sent something other than JSON (Dutch message).
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// The request did not arrive in time (Dutch message).
    #[error("{0}")]
    RequestTimeout(String),
    /// The answer took longer than the server allows (Dutch message).
    #[error("{0}")]
    Unavailable(String),
    /// Too many requests of this kind; try again after `retry_after` seconds.
    #[error(
        "Je vraagt te vaak lijsten op. Wacht {retry_after} seconden en probeer het dan opnieuw."
    )]
    RateLimited { retry_after: u64 },
    /// No route takes this method at this address.
    #[error("Deze handeling kan hier niet. Gebruik de knoppen en links van Nabij.")]
    MethodNotAllowed,
}

impl From<RuleViolation> for WebError {
    fn from(v: RuleViolation) -> Self {
        WebError::App(AppError::Invalid(vec![v]))
    }
}

impl WebError {
    /// A request that cannot be read (Dutch message).
    pub fn bad_request(message: impl Into<String>) -> Self {
        WebError::App(AppError::BadRequest(message.into()))
    }

    /// Signed in, but this role or this record is not for them (Dutch message).
    pub fn forbidden(message: impl Into<String>) -> Self {
        WebError::App(AppError::Forbidden(message.into()))
    }

    pub fn status(&self) -> StatusCode {
        match self {
            WebError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            WebError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            WebError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            WebError::RequestTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            WebError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            WebError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            WebError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            WebError::App(e) => match e {
                AppError::NotFound(_) => StatusCode::NOT_FOUND,
                AppError::Conflict(_) | AppError::NoHistory(_) => StatusCode::CONFLICT,
                AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
                AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
                AppError::Forbidden(_) => StatusCode::FORBIDDEN,
                AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
                AppError::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
            },
        }
    }

    fn detail(&self) -> String {
        match self {
            WebError::App(AppError::NotFound(what)) => {
                // Dutch neuter nouns take "dit", the others "deze".
                let this = if matches!(*what, "huis" | "verblijf") {
                    "Dit"
                } else {
                    "Deze"
                };
                format!("{this} {what} bestaat niet (meer).")
            }
            WebError::App(AppError::Invalid(v)) => v
                .iter()
                .map(|e| format!("{}: {}", e.field, e.message))
                .collect::<Vec<_>>()
                .join("; "),
            WebError::App(AppError::Internal(e)) => {
                tracing::error!(error = %e, "internal error");
                "Er ging iets mis aan onze kant. Probeer het opnieuw; blijft het misgaan, meld het dan aan de beheerder.".into()
            }
            other => other.to_string(),
        }
    }

    /// `Retry-After` of a refusal that passes with time.
    fn retry_after(&self) -> Option<u64> {
        match self {
            WebError::RateLimited { retry_after } => Some(*retry_after),
            WebError::App(AppError::Busy { retry_after, .. }) => Some(*retry_after),
            _ => None,
        }
    }

    fn with_retry_after(&self, mut r: Response) -> Response {
        if let Some(secs) = self.retry_after() {
            r.headers_mut()
                .insert(header::RETRY_AFTER, header::HeaderValue::from(secs));
        }
        r
    }
}

/// An error answered as a Dutch HTML page.
#[derive(Debug)]
pub struct HtmlError(pub WebError);

impl<E: Into<WebError>> From<E> for HtmlError {
    fn from(e: E) -> Self {
        HtmlError(e.into())
    }
}

impl IntoResponse for HtmlError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        let title = match status {
            StatusCode::NOT_FOUND => "Niet gevonden",
            StatusCode::FORBIDDEN => "Geen toegang",
            StatusCode::UNAUTHORIZED => "Log eerst in",
            StatusCode::CONFLICT => "Dat lukte niet",
            StatusCode::INTERNAL_SERVER_ERROR => "Er ging iets mis",
            StatusCode::PAYLOAD_TOO_LARGE => "Te groot",
            StatusCode::TOO_MANY_REQUESTS => "Even wachten",
            StatusCode::REQUEST_TIMEOUT | StatusCode::SERVICE_UNAVAILABLE => "Dat duurde te lang",
            _ => "Dat klopt niet",
        };
        let page = crate::pages::ErrorPage::new(title, self.0.detail());
        self.0
            .with_retry_after((status, Html(crate::pages::render(&page))).into_response())
    }
}

/// An error answered as `application/problem+json` (RFC 9457).
#[derive(Debug)]
pub struct ApiError(pub WebError);

impl<E: Into<WebError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        let mut body = json!({
            "type": "about:blank",
            "title": status.canonical_reason().unwrap_or("Error"),
            "status": status.as_u16(),
            "detail": self.0.detail(),
        });
        if let WebError::App(AppError::Invalid(v)) = &self.0 {
            body["errors"] = v
                .iter()
                .map(|e| json!({"field": e.field, "message": e.message}))
                .collect();
        }
        self.0.with_retry_after(
            (
                status,
                [(header::CONTENT_TYPE, "application/problem+json")],
                Json(body),
            )
                .into_response(),
        )
    }
}
