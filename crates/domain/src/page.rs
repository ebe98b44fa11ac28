//! Paged lists: every list is read a page at a time with keyset pagination, so no list
//! silently stops at a limit and no page reads the rows before it.
//!
//! A page carries the exact total of the filtered list and, when more rows follow, an
//! opaque cursor naming the last row shown: its sort key and id. The next page asks for
//! the rows after that key, so rows inserted meanwhile neither repeat nor push rows out.

use schemars::JsonSchema;
use serde::Serialize;

/// Rows per page when the caller does not say.
pub const DEFAULT_PAGE_SIZE: u32 = 50;
/// The most rows one page may hold.
pub const MAX_PAGE_SIZE: u32 = 500;

/// One page of a list.
#[derive(Debug, Clone, Serialize, JsonSchema, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// How many rows the whole filtered list holds.
    pub total: i64,
    /// The cursor of the next page; absent on the last page.
    pub next: Option<String>,
}

impl<T> Page<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            next: self.next,
        }
    }

    /// Builds a page from up to `size + 1` rows fetched in order: the extra row only says
    /// that more follow, and the cursor names the last row kept.
    pub fn from_rows(
        mut rows: Vec<T>,
        size: u32,
        total: i64,
        cursor_of: impl Fn(&T) -> Cursor,
    ) -> Self {
        let more = rows.len() > size as usize;
        rows.truncate(size as usize);
        let next = if more {
            rows.last().map(|r| cursor_of(r).encode())
        } else {
            None
        };
        Page {
            items: rows,
            total,
            next,
        }
    }
}

/// Which page to read: the rows after `after` (from the start when `None`), `size` of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageRequest {
    pub after: Option<Cursor>,
    pub size: u32,
}

impl Default for PageRequest {
    fn default() -> Self {
        PageRequest {
            after: None,
            size: DEFAULT_PAGE_SIZE,
        }
    }
}

impl PageRequest {
    pub fn first(size: u32) -> Self {
        PageRequest {
            after: None,
            size: size.clamp(1, MAX_PAGE_SIZE),
        }
    }

    /// From what a user or client sent: a cursor text (empty is the first page) and a size
    /// (clamped to `1..=MAX_PAGE_SIZE`).
    pub fn parse(after: Option<&str>, size: Option<u32>) -> Result<Self, PageError> {
        let after = match after.map(str::trim).filter(|a| !a.is_empty()) {
            Some(text) => Some(Cursor::decode(text)?),
            None => None,
        };
        Ok(PageRequest {
            after,
            size: size.unwrap_or(DEFAULT_PAGE_SIZE).clamp(1, MAX_PAGE_SIZE),
        })
    }

    /// Rows to fetch: one more than the page, to know whether another page follows.
    pub fn fetch(&self) -> i64 {
        self.size as i64 + 1
    }
}

/// The position after which the next page starts: the last row's sort key and id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    /// The sort column's value as text (a date, a name, a number); empty when the list is
    /// sorted by id alone.
    pub key: String,
    pub id: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("ongeldige paginaverwijzing")]
pub struct PageError;

impl Cursor {
    pub fn new(key: impl Into<String>, id: i64) -> Self {
        Cursor {
            key: key.into(),
            id,
        }
    }

    /// `id` then the key's bytes in hex: safe in a URL, a form and JSON without escaping.
    pub fn encode(&self) -> String {
        let mut out = format!("{}.", self.id);
        for b in self.key.as_bytes() {
            out.push_str(&format!("{b:02x}"));
        }
        out
    }

    pub fn decode(text: &str) -> Result<Self, PageError> {
        if text.len() > 1024 {
            return Err(PageError);
        }
        let (id, hex) = text.split_once('.').ok_or(PageError)?;
        let id: i64 = id.parse().map_err(|_| PageError)?;
        if !hex.len().is_multiple_of(2) {
            return Err(PageError);
        }
        let bytes = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).map_err(|_| PageError))
            .collect::<Result<Vec<u8>, _>>()?;
        let key = String::from_utf8(bytes).map_err(|_| PageError)?;
        Ok(Cursor { key, id })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_survives_the_round_trip() {
        let c = Cursor::new("2026-02-29 Ünïcode & spaties", 42);
        assert_eq!(Cursor::decode(&c.encode()), Ok(c));
        assert_eq!(
            Cursor::decode(&Cursor::new("", -1).encode()).unwrap().id,
            -1
        );
    }

    #[test]
    fn a_tampered_cursor_is_refused() {
        for bad in ["", "x.00", "1.0", "1.zz", "12", "1.ff"] {
            assert_eq!(Cursor::decode(bad), Err(PageError), "{bad}");
        }
        assert!(PageRequest::parse(Some("nonsense"), None).is_err());
    }

    #[test]
    fn the_page_size_is_bounded() {
        assert_eq!(PageRequest::parse(None, Some(0)).unwrap().size, 1);
        assert_eq!(
            PageRequest::parse(None, Some(1_000_000)).unwrap().size,
            MAX_PAGE_SIZE
        );
        assert_eq!(
            PageRequest::parse(Some(""), None).unwrap(),
            PageRequest::default()
        );
    }

    #[test]
    fn a_page_knows_whether_more_follow() {
        let rows = vec![1, 2, 3];
        let page = Page::from_rows(rows.clone(), 2, 3, |r| Cursor::new("", *r));
        assert_eq!(page.items, vec![1, 2]);
        assert_eq!(page.next.as_deref(), Some("2."));
        let last = Page::from_rows(rows, 3, 3, |r| Cursor::new("", *r));
        assert_eq!(last.next, None);
    }
}
