//! JSON Schemas for the API's types that come from other crates (dates and moments), so the
//! OpenAPI document is generated from the Rust types: a field of type [`crate::Date`] says
//! `#[schemars(with = "IsoDate")]`.

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use std::borrow::Cow;

/// A calendar date as the API writes it: `2025-03-01`.
pub struct IsoDate;

impl JsonSchema for IsoDate {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        "IsoDate".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "string", "format": "date"})
    }
}

/// A moment as the API writes it (RFC 3339, UTC): `2025-03-01T09:30:00Z`.
pub struct IsoTimestamp;

impl JsonSchema for IsoTimestamp {
    fn inline_schema() -> bool {
        true
    }

    fn schema_name() -> Cow<'static, str> {
        "IsoTimestamp".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "string", "format": "date-time"})
    }
}
