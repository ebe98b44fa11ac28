#![recursion_limit = "256"]
//! Nabij's HTTP layer: the Dutch web interface (server-rendered, works without JavaScript)
//! and the JSON API under `/api/v1`, both over the same use cases in [`app`].

pub mod api;
pub mod app;
mod assets;
pub mod auth;
pub mod capacity;
pub mod clock;
pub mod error;
mod forms;
pub mod pages;
pub mod routes;

use axum::Router;
use nabij_store::Db;
use std::sync::Arc;
use tokio::net::TcpListener;

pub use clock::Clock;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub clock: Clock,
    pub auth: auth::AuthSettings,
}

impl AppState {
    pub fn new(db: Db, clock: Clock) -> Self {
        AppState {
            db,
            clock,
            auth: auth::AuthSettings::default(),
        }
    }
}

/// The whole application router: pages, API and assets, behind the gate of [`auth`].
pub fn router(state: AppState) -> Router {
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
    pub fn new(listener: TcpListener, state: AppState) -> Self {
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
