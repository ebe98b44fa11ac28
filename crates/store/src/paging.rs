//! Lists read a page at a time: the SQL is built from the filters that are set (so each
//! filter can use its index), the page is the rows after the cursor's key in the list's
//! order, and the total is a `COUNT` with the same filters, read in the same snapshot.

use crate::{Backend, Db, Result};
use nabij_domain::page::{Cursor, Page, PageRequest};
use sqlx::any::{AnyArguments, AnyRow};
use sqlx::query::Query;

/// A value bound to a placeholder.
#[derive(Debug, Clone)]
pub(crate) enum Value {
    Int(i64),
    Text(String),
}

/// The conditions of a list, each with its own placeholders.
#[derive(Debug, Clone, Default)]
pub(crate) struct Where {
    clauses: Vec<String>,
    values: Vec<Value>,
}

impl Where {
    /// A condition in which every `{}` stands for `v`.
    pub fn int(&mut self, clause: &str, v: i64) -> &mut Self {
        self.with(clause, Value::Int(v))
    }

    /// A condition in which every `{}` stands for `v`.
    pub fn text(&mut self, clause: &str, v: impl Into<String>) -> &mut Self {
        self.with(clause, Value::Text(v.into()))
    }

    /// A condition in which `{0}`, `{1}`, … stand for the values in order.
    pub fn texts<const N: usize>(&mut self, clause: &str, vs: [String; N]) -> &mut Self {
        let mut clause = clause.to_string();
        for (i, v) in vs.into_iter().enumerate() {
            self.values.push(Value::Text(v));
            clause = clause.replace(&format!("{{{i}}}"), &format!("${}", self.values.len()));
        }
        self.clauses.push(clause);
        self
    }

    /// A condition without values.
    pub fn plain(&mut self, clause: &str) -> &mut Self {
        self.clauses.push(clause.to_string());
        self
    }

    fn with(&mut self, clause: &str, v: Value) -> &mut Self {
        self.values.push(v);
        let p = format!("${}", self.values.len());
        self.clauses.push(clause.replace("{}", &p));
        self
    }

    /// ` WHERE a AND b`, or nothing.
    pub fn sql(&self) -> String {
        if self.clauses.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", self.clauses.join(" AND "))
        }
    }

    pub fn bind<'q>(
        &'q self,
        mut q: Query<'q, sqlx::Any, AnyArguments<'q>>,
    ) -> Query<'q, sqlx::Any, AnyArguments<'q>> {
        for v in &self.values {
            q = match v {
                Value::Int(i) => q.bind(*i),
                Value::Text(t) => q.bind(t.as_str()),
            };
        }
        q
    }
}

/// A list's order: by `key` (a column or expression read as text), then by `id`, both
/// ascending or both descending. Without a key the list is ordered by id alone.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Order {
    pub key: Option<&'static str>,
    pub id: &'static str,
    pub descending: bool,
}

impl Order {
    pub const fn by(key: &'static str, id: &'static str, descending: bool) -> Order {
        Order {
            key: Some(key),
            id,
            descending,
        }
    }

    pub const fn by_id(id: &'static str, descending: bool) -> Order {
        Order {
            key: None,
            id,
            descending,
        }
    }

    /// The rows after `c` in this order, written so that the `(key, id)` index applies.
    fn after(&self, w: &mut Where, c: &Cursor) {
        let op = if self.descending { "<" } else { ">" };
        let id = self.id;
        match self.key {
            Some(key) => {
                w.values.push(Value::Text(c.key.clone()));
                let k = format!("${}", w.values.len());
                w.values.push(Value::Int(c.id));
                let i = format!("${}", w.values.len());
                // The first bound lets both databases start the index range at the cursor.
                w.clauses.push(format!(
                    "{key} {op}= {k} AND ({key} {op} {k} OR ({key} = {k} AND {id} {op} {i}))"
                ));
            }
            None => {
                w.int(&format!("{id} {op} {{}}"), c.id);
            }
        }
    }

    fn order_by(&self) -> String {
        let dir = if self.descending { "DESC" } else { "ASC" };
        match self.key {
            Some(key) => format!(" ORDER BY {key} {dir}, {} {dir}", self.id),
            None => format!(" ORDER BY {} {dir}", self.id),
        }
    }
}

/// A list query: `select` names the columns, `from` the tables and joins.
pub(crate) struct ListQuery<'a> {
    pub select: &'a str,
    pub from: &'a str,
    /// The tables the count needs, when fewer than the rows' (joins only for columns shown).
    pub count_from: Option<&'a str>,
    pub filter: Where,
    pub order: Order,
}

impl Db {
    /// One page of a list and the exact total of the filtered list, read in one snapshot so
    /// the total and the rows agree even while rows are being added.
    pub(crate) async fn read_page<T>(
        &self,
        q: ListQuery<'_>,
        req: &PageRequest,
        row: impl Fn(&AnyRow) -> Result<T>,
        cursor_of: impl Fn(&T) -> Cursor,
    ) -> Result<Page<T>> {
        self.read_page_counted(q, None, req, row, cursor_of).await
    }

    /// [`Db::read_page`], with the total read by `count` (a query answering `n`, and its
    /// conditions) when a kept counter answers it without counting rows.
    pub(crate) async fn read_page_counted<T>(
        &self,
        q: ListQuery<'_>,
        count: Option<(&str, Where)>,
        req: &PageRequest,
        row: impl Fn(&AnyRow) -> Result<T>,
        cursor_of: impl Fn(&T) -> Cursor,
    ) -> Result<Page<T>> {
        let (count_sql, count_filter) = match count {
            Some((select, filter)) => (format!("{select}{}", filter.sql()), filter),
            None => (
                format!(
                    "SELECT COUNT(*) AS n {}{}",
                    q.count_from.unwrap_or(q.from),
                    q.filter.sql()
                ),
                q.filter.clone(),
            ),
        };
        let mut paged = q.filter.clone();
        if let Some(c) = &req.after {
            q.order.after(&mut paged, c);
        }
        paged.values.push(Value::Int(req.fetch()));
        let page_sql = format!(
            "{} {}{}{} LIMIT ${}",
            q.select,
            q.from,
            paged.sql(),
            q.order.order_by(),
            paged.values.len()
        );
        let mut tx = self.reader().begin().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(&mut *tx)
                .await?;
        }
        let total = crate::convert::get_i64(
            &count_filter
                .bind(sqlx::query(&count_sql))
                .fetch_one(&mut *tx)
                .await?,
            "n",
        )?;
        let rows = paged
            .bind(sqlx::query(&page_sql))
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(row)
            .collect::<Result<Vec<T>>>()?;
        tx.commit().await?;
        Ok(Page::from_rows(rows, req.size, total, cursor_of))
    }

    /// How many rows a list's filters select.
    pub(crate) async fn count_rows(&self, from: &str, filter: &Where) -> Result<i64> {
        let sql = format!("SELECT COUNT(*) AS n {from}{}", filter.sql());
        let row = filter
            .bind(sqlx::query(&sql))
            .fetch_one(self.reader())
            .await?;
        crate::convert::get_i64(&row, "n")
    }
}
