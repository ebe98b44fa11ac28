//! Nabij's domain: the words, rules and states of neighbourhood-based temporary housing.
//!
//! Pure: no I/O, no async, no clock. Callers pass "now" and "today" in, so every rule can be
//! tested with fixed dates.

pub mod access;
pub mod buddy;
pub mod dates;
pub mod geo;
pub mod guidance;
pub mod home;
pub mod ids;
pub mod labels;
pub mod limits;
pub mod measures;
pub mod outflow;
pub mod page;
pub mod period;
pub mod person;
pub mod placement;
pub mod referral;
pub mod schema;
pub mod signal;
pub mod stay;
pub mod table;

pub use jiff::Timestamp;
pub use jiff::civil::Date;

/// A rule of the domain was broken; the message is Dutch because users read it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct RuleViolation {
    /// The input field the problem is about (English, matches form and API field names).
    pub field: &'static str,
    /// What is wrong, in Dutch.
    pub message: String,
}

impl RuleViolation {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

/// Declares an enum stored and sent as a stable lower-case code, with `code()`, `parse()`
/// and `ALL`; Dutch labels live in [`labels`].
#[macro_export]
macro_rules! code_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $code:literal),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
        pub enum $name {
            $(#[serde(rename = $code)] $variant),*
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];

            /// The stable code used in storage, URLs and the API.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),* }
            }

            /// Parses a stable code; `None` for anything else.
            pub fn parse(code: &str) -> Option<Self> {
                match code { $($code => Some($name::$variant),)* _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}
