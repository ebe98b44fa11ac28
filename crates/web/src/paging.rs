//! Paged lists in pages and the API: reading the page asked for, and the pager under a list.
//!
//! Pages take `?na=<cursor>&per=<size>`; the API takes `cursor` and `limit` and answers
//! `{"items": [...], "total": N, "next": "<cursor>"}` ([`nabij_domain::page::Page`]).

use crate::error::WebError;
use nabij_domain::page::{Page, PageRequest};
use nabij_domain::table::thousands;

/// The page a request asks for; a tampered cursor is a Dutch 400.
pub fn request(cursor: Option<&str>, size: Option<u32>) -> Result<PageRequest, WebError> {
    PageRequest::parse(cursor, size).map_err(|e| WebError::bad_request(e.to_string()))
}

/// The pager under a list: "1–50 van 16.845" with a link to the next page and back to the
/// first. `query` is the list's other query parameters (filters), already URL-encoded,
/// without `na`.
#[derive(Debug, Clone)]
pub struct Pager {
    /// "51–100 van 16.845", or "Geen resultaten".
    pub summary: String,
    pub next_href: Option<String>,
    pub first_href: Option<String>,
}

impl Pager {
    /// `offset` is how many rows came before this page (0 on the first page; pages keep it in
    /// the `vanaf` query parameter only for this summary, never to select rows).
    pub fn new<T>(page: &Page<T>, path: &str, query: &str, offset: i64) -> Self {
        let shown = page.items.len() as i64;
        let summary = if shown == 0 {
            if page.total == 0 {
                "Geen resultaten".to_string()
            } else {
                format!("Geen verdere resultaten van {}", thousands(page.total))
            }
        } else {
            format!(
                "{}–{} van {}",
                thousands(offset + 1),
                thousands(offset + shown),
                thousands(page.total)
            )
        };
        let sep = if query.is_empty() { "" } else { "&" };
        let next_href = page
            .next
            .as_ref()
            .map(|c| format!("{path}?{query}{sep}na={c}&vanaf={}", offset + shown));
        let first_href = (offset > 0).then(|| {
            if query.is_empty() {
                path.to_string()
            } else {
                format!("{path}?{query}")
            }
        });
        Pager {
            summary,
            next_href,
            first_href,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pager_says_where_you_are_and_links_onwards() {
        let page = Page {
            items: vec![1, 2],
            total: 16845,
            next: Some("2.".into()),
        };
        let p = Pager::new(&page, "/verblijven", "filter=alle", 50);
        assert_eq!(p.summary, "51–52 van 16.845");
        assert_eq!(
            p.next_href.as_deref(),
            Some("/verblijven?filter=alle&na=2.&vanaf=52")
        );
        assert_eq!(p.first_href.as_deref(), Some("/verblijven?filter=alle"));
        let empty: Page<i32> = Page {
            items: vec![],
            total: 0,
            next: None,
        };
        let p = Pager::new(&empty, "/personen", "", 0);
        assert_eq!(p.summary, "Geen resultaten");
        assert_eq!((p.next_href, p.first_href), (None, None));
    }

    #[test]
    fn a_tampered_cursor_is_a_bad_request() {
        assert!(request(Some("zomaar"), None).is_err());
        assert_eq!(request(None, Some(20)).unwrap().size, 20);
    }
}
