//! The use cases' one error enum; `web` maps it once to a Dutch page or problem+json, the
//! command line to a message.

use nabij_domain::RuleViolation;
use nabij_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The record does not exist, or the caller may not know it does (Dutch noun).
    #[error("{0} niet gevonden")]
    NotFound(&'static str),
    /// A rule refused the change (Dutch message, safe to show).
    #[error("{0}")]
    Conflict(String),
    /// Input that breaks rules, per field (Dutch messages).
    #[error("de invoer klopt niet")]
    Invalid(Vec<RuleViolation>),
    /// A request that cannot be read (Dutch message).
    #[error("{0}")]
    BadRequest(String),
    /// The caller's role may not do this (Dutch message).
    #[error("{0}")]
    Forbidden(String),
    /// Not enough history to estimate from (Dutch message).
    #[error("{0}")]
    NoHistory(String),
    /// Too much of this work runs at once; try again after `retry_after` seconds (Dutch).
    #[error("{message}")]
    Busy { message: String, retry_after: u64 },
    /// Anything else: logged, never shown.
    #[error("interne fout: {0}")]
    Internal(String),
}

impl AppError {
    pub(crate) fn invalid(field: &'static str, message: impl Into<String>) -> Self {
        AppError::Invalid(vec![RuleViolation::new(field, message)])
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound(what) => AppError::NotFound(dutch_noun(what)),
            StoreError::Conflict(m) => AppError::Conflict(m),
            StoreError::Invalid(m) => AppError::BadRequest(m),
            other => AppError::Internal(other.to_string()),
        }
    }
}

impl From<RuleViolation> for AppError {
    fn from(v: RuleViolation) -> Self {
        AppError::Invalid(vec![v])
    }
}

fn dutch_noun(what: &'static str) -> &'static str {
    match what {
        "home" => "huis",
        "person" => "persoon",
        "referral" => "aanmelding",
        "stay" => "verblijf",
        "place" => "plek",
        "block" => "blokkade",
        "municipality" => "gemeente",
        "neighbourhood" => "buurt",
        "user" => "gebruiker",
        "organisation" => "organisatie",
        other => other,
    }
}
