//! Assets compiled into the binary: no CDN, no files next to it.

use axum::http::header;
use axum::response::IntoResponse;

pub const STYLE: &str = include_str!("../assets/style.css");

pub async fn style() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLE,
    )
}
