//! Prometheus metrics: requests by route pattern and status, their duration, placements,
//! and the database pools; rendered as text at `GET /metrics` for administrators.

use axum::extract::{MatchedPath, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::Instant;

const REQUESTS: &str = "nabij_http_requests_total";
const DURATION: &str = "nabij_http_request_duration_seconds";
const PLACEMENTS: &str = "nabij_placements_total";

static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// Installs the process-wide recorder once; `None` when another recorder was there first.
pub(crate) fn install() -> Option<&'static PrometheusHandle> {
    HANDLE
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new()
                .set_buckets_for_metric(
                    Matcher::Full(DURATION.into()),
                    &[
                        0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
                    ],
                )
                .expect("the buckets are not empty")
                .build_recorder();
            let handle = recorder.handle();
            match metrics::set_global_recorder(recorder) {
                Ok(()) => {
                    metrics::describe_counter!(REQUESTS, "HTTP requests by route and status");
                    metrics::describe_histogram!(DURATION, "Time to answer, by route");
                    metrics::describe_counter!(PLACEMENTS, "Persons placed in a home");
                    Some(handle)
                }
                Err(e) => {
                    tracing::warn!(error = %e, "metrics recorder not installed");
                    None
                }
            }
        })
        .as_ref()
}

/// Counts each request by its route pattern (never the concrete path: ids stay out of
/// the metrics) and its status, and records how long the answer took.
pub async fn record(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".into());
    let method = req.method().as_str().to_owned();
    let response = next.run(req).await;
    let status = response.status().as_u16().to_string();
    metrics::counter!(REQUESTS, "method" => method, "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!(DURATION, "route" => route).record(start.elapsed().as_secs_f64());
    response
}

/// Counts a placement made through the web or the API.
pub(crate) fn placed() {
    metrics::counter!(PLACEMENTS).increment(1);
}

/// `GET /metrics`: the Prometheus text format.
pub async fn show(State(state): State<crate::routes::Web>) -> Response {
    let Some(handle) = install() else {
        return (StatusCode::SERVICE_UNAVAILABLE, "metrics are not recorded").into_response();
    };
    let pools = state.app.pool_stats();
    for (pool, size, idle) in pools {
        metrics::gauge!("nabij_db_pool_connections", "pool" => pool).set(size as f64);
        metrics::gauge!("nabij_db_pool_idle_connections", "pool" => pool).set(idle as f64);
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        handle.render(),
    )
        .into_response()
}
