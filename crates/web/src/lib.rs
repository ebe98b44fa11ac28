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
pub mod capacity;
pub mod dashboard;
pub mod error;
mod extract;
mod forms;
pub mod geography;
pub mod homes;
pub mod intake;
mod meta;
mod openapi;
pub mod pages;
pub mod partners;
pub mod persons;
pub mod reports;
pub mod routes;
pub mod stays;
pub mod volunteers;

use axum::Router;
use nabij_app::App;
use std::sync::Arc;
use tokio::net::TcpListener;

/// What every handler can reach: the use cases, and how sign-in behaves.
#[derive(Clone)]
pub struct WebState {
    pub app: App,
    pub auth: auth::AuthSettings,
}

impl WebState {
    pub fn new(app: App) -> Self {
        WebState {
            app,
            auth: auth::AuthSettings::default(),
        }
    }
}

/// The whole application router: pages, API and assets, behind the gate of [`auth`].
pub fn router(state: WebState) -> Router {
    let state = Arc::new(state);
    routes::table()
        .into_router()
        .route_layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::gate,
        ))
        .layer(axum::middleware::from_fn(auth::security_headers))
        .with_state(state)
}

/// A running server bound to a listener (port 0 in tests).
pub struct Application {
    listener: TcpListener,
    router: Router,
}

impl Application {
    pub fn new(listener: TcpListener, state: WebState) -> Self {
        Self {
            listener,
            router: router(state),
        }
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    /// Serves until ctrl-c (or SIGTERM).
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown_signal())
        .await
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
