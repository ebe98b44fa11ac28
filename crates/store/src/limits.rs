//! The longest text each free-text column takes, enforced by the database for new writes
//! (migration `0004_text_limits`); a refusal becomes a Dutch [`StoreError::Invalid`].

use crate::StoreError;
use nabij_domain::limits::*;

pub(crate) struct TextLimit {
    pub table: &'static str,
    pub column: &'static str,
    pub max: usize,
    /// The field as users know it, in Dutch.
    pub label: &'static str,
}

const fn limit(
    table: &'static str,
    column: &'static str,
    max: usize,
    label: &'static str,
) -> TextLimit {
    TextLimit {
        table,
        column,
        max,
        label,
    }
}

pub(crate) const TEXT_LIMITS: &[TextLimit] = &[
    limit(
        "organisations",
        "name",
        ORGANISATION_NAME,
        "naam van de organisatie",
    ),
    limit("users", "username", USERNAME, "gebruikersnaam"),
    limit("users", "display_name", DISPLAY_NAME, "naam"),
    limit("users", "phone", PHONE, "telefoonnummer"),
    limit("api_tokens", "name", API_TOKEN_NAME, "naam van de sleutel"),
    limit("regions", "name", AREA_NAME, "naam van de regio"),
    limit("municipalities", "name", AREA_NAME, "naam van de gemeente"),
    limit("municipalities", "code", AREA_CODE, "CBS-code"),
    limit("neighbourhoods", "name", AREA_NAME, "naam van de buurt"),
    limit("neighbourhoods", "code", AREA_CODE, "CBS-code"),
    limit("homes", "name", HOME_NAME, "naam van het huis"),
    limit("homes", "address", ADDRESS, "adres"),
    limit("homes", "landlord", LANDLORD, "verhuurder"),
    limit("places", "label", PLACE_LABEL, "naam van de plek"),
    limit(
        "place_blocks",
        "reason",
        BLOCK_REASON,
        "reden van de blokkade",
    ),
    limit("persons", "first_name", PERSON_NAME, "voornaam"),
    limit("persons", "last_name", PERSON_NAME, "achternaam"),
    limit("persons", "phone", PHONE, "telefoonnummer"),
    limit("referrals", "situation", SITUATION, "situatie"),
    limit(
        "referrals",
        "close_reason",
        CLOSE_REASON,
        "reden van afsluiten",
    ),
    limit("stays", "exit_reason", EXIT_REASON, "reden van vertrek"),
    limit(
        "stay_extensions",
        "decided_by",
        EXTENSION_DECIDED_BY,
        "wie besloot tot verlenging",
    ),
    limit(
        "stay_extensions",
        "reason",
        EXTENSION_REASON,
        "reden van verlenging",
    ),
];

/// The marker the database's triggers raise, followed by `table.column`.
const TOO_LONG: &str = "nabij:te_lang:";

/// A database refusal of an over-long text, as a Dutch message naming the field.
pub(crate) fn too_long(message: &str) -> Option<StoreError> {
    let at = message.find(TOO_LONG)? + TOO_LONG.len();
    let name: String = message[at..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '.')
        .collect();
    let (table, column) = name.split_once('.')?;
    let l = TEXT_LIMITS
        .iter()
        .find(|l| l.table == table && l.column == column)?;
    Some(StoreError::Invalid(format!(
        "{}: hoogstens {} tekens",
        l.label, l.max
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_migrations_enforce_every_limit_with_its_number() {
        let sqlite = include_str!("../migrations/sqlite/0004_text_limits.sql");
        let postgres = include_str!("../migrations/postgres/0004_text_limits.sql");
        for l in TEXT_LIMITS {
            let (t, c, n) = (l.table, l.column, l.max);
            for op in [
                format!("BEFORE INSERT ON {t}"),
                format!("BEFORE UPDATE OF {c} ON {t}"),
            ] {
                let trigger = format!("{op}\nWHEN length(NEW.{c}) > {n}\n");
                assert!(sqlite.contains(&trigger), "sqlite: {trigger}");
            }
            let trigger = format!(
                "BEFORE INSERT OR UPDATE OF {c} ON {t}\nFOR EACH ROW EXECUTE FUNCTION nabij_text_limit('{c}', '{n}');"
            );
            assert!(postgres.contains(&trigger), "postgres: {trigger}");
        }
    }

    #[test]
    fn refusals_name_the_field_in_dutch() {
        let e = too_long("nabij:te_lang:homes.name").unwrap();
        assert_eq!(
            e.to_string(),
            "invalid: naam van het huis: hoogstens 120 tekens"
        );
        // PostgreSQL and SQLite wrap the message differently.
        assert!(
            too_long("error returned from database: nabij:te_lang:place_blocks.reason").is_some()
        );
        assert!(too_long("UNIQUE constraint failed").is_none());
        assert!(too_long("nabij:te_lang:homes.colour").is_none());
    }
}
