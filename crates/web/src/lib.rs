#![recursion_limit = "256"]
//! Nabij's HTTP layer: adapters from HTTP to the use cases of `nabij-app`. The Dutch web
//! interface (server-rendered, works without JavaScript) and the JSON API under `/api/v1`.
//!
//! One folder per area, beside the area's module in `nabij-app`: its pages (HTML and
//! forms), its API (JSON) and its fragment of the route table (who may use each route,
//! the second factor, where it is logged, its API doc). [`routes::table`] merges the
//! fragments; the router, the gate, the menu and the OpenAPI document all read it.

pub mod accounts;
mod api;
mod assets;
pub mod audit;
pub mod auth;
pub mod buddies;
pub mod capacity;
pub mod client;
pub mod dashboard;
pub mod error;
mod extract;
mod forms;
pub mod geography;
pub mod guidance;
pub mod homes;
pub mod intake;
mod meta;
mod observe;
mod openapi;
pub mod outflow;
pub mod pages;
pub mod paging;
pub mod partners;
pub mod persons;
pub mod reports;
pub mod routes;
pub mod server;
pub mod signals;
pub mod stays;
pub mod volunteers;

use axum::Router;
use nabij_app::App;
use std::sync::Arc;
use tokio::net::TcpListener;

/// What every handler can reach: the use cases, how sign-in behaves, and the server's limits.
#[derive(Clone)]
pub struct WebState {
    pub app: App,
    pub auth: auth::AuthSettings,
    pub server: server::ServerSettings,
    /// How often the background jobs run ([`nabij_app::jobs`]): signals checked for
    /// escalation, moves made on the key date.
    pub escalation_every: std::time::Duration,
    /// Built from `server` by [`router`].
    lists: Arc<server::ListLimiter>,
}

impl WebState {
    pub fn new(app: App) -> Self {
        let server = server::ServerSettings::default();
        WebState {
            app,
            auth: auth::AuthSettings::default(),
            lists: Arc::new(server::ListLimiter::new(&server)),
            server,
            escalation_every: std::time::Duration::from_secs(60),
        }
    }
}

/// The whole application router: pages, API and assets, behind the gate of [`auth`].
pub fn router(mut state: WebState) -> Router {
    use axum::middleware::{from_fn, from_fn_with_state};
    state.lists = Arc::new(server::ListLimiter::new(&state.server));
    observe::install();
    let (request_timeout, body_timeout) =
        (state.server.request_timeout, state.server.body_read_timeout);
    let state = Arc::new(state);
    // The last layer added is the outermost.
    routes::table()
        .into_router()
        .route_layer(from_fn_with_state(state.clone(), auth::gate))
        .layer(from_fn_with_state(request_timeout, server::request_timeout))
        .layer(from_fn(server::catch_panic))
        .layer(from_fn(observe::record))
        .layer(from_fn_with_state(body_timeout, server::body_guard))
        .layer(from_fn_with_state(state.clone(), server::client_address))
        .layer(from_fn(auth::security_headers))
        .with_state(state)
}

/// A running server bound to a listener (port 0 in tests).
pub struct Application {
    listener: TcpListener,
    router: Router,
    header_read_timeout: std::time::Duration,
    /// The background jobs run beside the server.
    escalation: (nabij_app::App, std::time::Duration),
}

impl Application {
    pub fn new(listener: TcpListener, state: WebState) -> Self {
        Self {
            listener,
            header_read_timeout: state.server.header_read_timeout,
            escalation: (state.app.clone(), state.escalation_every),
            router: router(state),
        }
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    /// Serves until ctrl-c (or SIGTERM).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let (app, every) = self.escalation;
        let job = tokio::spawn(nabij_app::jobs::run(app, every));
        let served = server::serve(
            self.listener,
            self.router,
            self.header_read_timeout,
            shutdown_signal(),
        )
        .await;
        job.abort();
        served
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}
