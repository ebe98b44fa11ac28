//! What an HTML form sent, and what was wrong with it, so a form can be shown again with the
//! user's input kept and each error next to its field.

use nabij_domain::RuleViolation;
use std::collections::HashMap;

#[derive(Debug, Clone, Default)]
pub struct Form {
    values: HashMap<String, Vec<String>>,
    errors: Vec<(String, String)>,
}

impl Form {
    /// Parses an `application/x-www-form-urlencoded` body (repeated keys kept).
    pub fn parse(body: &[u8]) -> Self {
        let mut values: HashMap<String, Vec<String>> = HashMap::new();
        for (k, v) in form_urlencoded(body) {
            values.entry(k).or_default().push(v);
        }
        Form {
            values,
            errors: Vec::new(),
        }
    }

    pub fn value(&self, name: &str) -> &str {
        self.values
            .get(name)
            .and_then(|v| v.first())
            .map(String::as_str)
            .unwrap_or("")
    }

    pub fn values(&self, name: &str) -> &[String] {
        self.values.get(name).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Adds a value to a repeated field (checkboxes).
    pub fn push(&mut self, name: &str, value: impl Into<String>) {
        self.values
            .entry(name.to_string())
            .or_default()
            .push(value.into());
    }

    pub fn set(&mut self, name: &str, value: impl Into<String>) {
        self.values.insert(name.to_string(), vec![value.into()]);
    }

    pub fn checked(&self, name: &str) -> bool {
        !self.value(name).is_empty()
    }

    pub fn selected(&self, name: &str, option: &str) -> bool {
        self.values(name).iter().any(|v| v == option)
    }

    pub fn error(&self, name: &str) -> Option<&str> {
        self.errors
            .iter()
            .find(|(f, _)| f == name)
            .map(|(_, m)| m.as_str())
    }

    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    pub fn errors(&self) -> &[(String, String)] {
        &self.errors
    }

    pub fn add_error(&mut self, field: &str, message: impl Into<String>) {
        self.errors.push((field.to_string(), message.into()));
    }

    /// An empty form with the errors of `other`: for fields whose input is never echoed
    /// (passwords).
    pub fn with_errors_of(mut self, other: &Form) -> Form {
        self.errors = other.errors.clone();
        self
    }

    pub fn add_violations(&mut self, v: &[RuleViolation]) {
        for e in v {
            self.add_error(e.field, e.message.clone());
        }
    }

    /// An integer field; an error is recorded when it is not a whole number.
    pub fn int(&mut self, name: &'static str, label: &str) -> Option<i64> {
        let raw = self.value(name).trim().to_string();
        if raw.is_empty() {
            return None;
        }
        match raw.parse() {
            Ok(n) => Some(n),
            Err(_) => {
                self.add_error(name, format!("{label} moet een heel getal zijn"));
                None
            }
        }
    }

    /// Whole numbers of a repeated field; an error is recorded for a value that is not one,
    /// so a choice is never dropped in silence.
    pub fn ints(&mut self, name: &str) -> Vec<i64> {
        let mut out = Vec::new();
        let mut bad = false;
        for v in self
            .values(name)
            .iter()
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
        {
            match v.parse() {
                Ok(n) => out.push(n),
                Err(_) => bad = true,
            }
        }
        if bad {
            self.add_error(name, "kies uit de lijst");
        }
        out
    }
}

fn form_urlencoded(body: &[u8]) -> Vec<(String, String)> {
    let s = String::from_utf8_lossy(body);
    s.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_repeated_and_encoded_fields() {
        let mut f = Form::parse(b"first_name=Ana%C3%AFs+de+Wit&avoid=3&avoid=5&n=x&pct=100%");
        assert_eq!(f.value("first_name"), "Anaïs de Wit");
        assert_eq!(f.ints("avoid"), [3, 5]);
        assert_eq!(f.int("n", "Aantal"), None);
        assert_eq!(f.error("n"), Some("Aantal moet een heel getal zijn"));
        assert_eq!(f.value("pct"), "100%");
        assert_eq!(f.value("missing"), "");
    }
}
