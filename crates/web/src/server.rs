//! The server around the router: time limits for the header, the body and the whole answer;
//! the client's address behind trusted proxies; a panic answered instead of a dropped
//! connection; and `Connection: close` when a request's body was refused unread.

use crate::error::{ApiError, HtmlError, WebError};
use crate::routes::Web;
use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::FutureExt;
use http_body::{Frame, SizeHint};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::future::Future;
use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::net::TcpListener;
use tower::ServiceExt;

/// How long the server waits for clients and for itself, and how often a user may ask
/// for lists of persons; from the `[server]` settings.
#[derive(Debug, Clone)]
pub struct ServerSettings {
    /// A request's header must have arrived this long after the connection is ready for it.
    pub header_read_timeout: Duration,
    /// A request's body must have arrived this long after its header.
    pub body_read_timeout: Duration,
    /// An answer that takes longer is given up (503).
    pub request_timeout: Duration,
    /// Per user: requests for lists of persons (routes with `rate_limited`) per minute.
    pub list_requests_per_minute: u32,
    /// Per user: how many of those may come at once.
    pub list_request_burst: u32,
    /// Per user: further pages of a listing already started (requests that carry the
    /// cursor of a page before), per minute. Counted apart from the first pages, so a
    /// client paging through a long list is not refused after ten pages.
    pub list_pages_per_minute: u32,
    /// Per user: how many further pages may come at once.
    pub list_page_burst: u32,
}

impl Default for ServerSettings {
    fn default() -> Self {
        ServerSettings {
            header_read_timeout: Duration::from_secs(10),
            body_read_timeout: Duration::from_secs(30),
            request_timeout: Duration::from_secs(60),
            list_requests_per_minute: 60,
            list_request_burst: 10,
            list_pages_per_minute: 300,
            list_page_burst: 60,
        }
    }
}

/// Accepts connections until `shutdown`, then lets the open requests finish.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    header_read_timeout: Duration,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(c) => c,
                Err(e) => {
                    // Out of file descriptors and the like: wait instead of spinning.
                    tracing::warn!(error = %e, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let router = router.clone();
        let service = hyper::service::service_fn(move |req: Request<hyper::body::Incoming>| {
            let mut req = req.map(Body::new);
            req.extensions_mut().insert(ConnectInfo(peer));
            router.clone().oneshot(req)
        });
        let conn = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(header_read_timeout)
            .serve_connection(TokioIo::new(stream), service);
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, %peer, "connection ended");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}

fn answer(api: bool, e: WebError) -> Response {
    if api {
        ApiError(e).into_response()
    } else {
        HtmlError(e).into_response()
    }
}

fn is_api(req: &Request) -> bool {
    req.uri().path().starts_with("/api/")
}

/// The address of the client: the TCP peer, or behind a trusted proxy the address the
/// proxy forwarded.
pub async fn client_address(State(state): State<Web>, mut req: Request, next: Next) -> Response {
    if let Some(ConnectInfo(peer)) = req.extensions().get::<ConnectInfo<SocketAddr>>().copied() {
        let ip = crate::auth::client_ip(peer.ip(), req.headers(), &state.auth.trusted_proxies);
        req.extensions_mut().insert(crate::auth::ClientAddress(ip));
    }
    next.run(req).await
}

/// The body of a request whose reading ends at a deadline, and which tells whether it was
/// read to the end.
struct GuardedBody {
    inner: Body,
    deadline: Pin<Box<tokio::time::Sleep>>,
    read: Arc<AtomicBool>,
}

/// The request body did not arrive within the body-read timeout.
#[derive(Debug, thiserror::Error)]
#[error("de gegevens van het verzoek kwamen niet op tijd binnen")]
pub struct BodyTimedOut;

impl http_body::Body for GuardedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        match Pin::new(&mut self.inner).poll_frame(cx) {
            Poll::Ready(None) => {
                self.read.store(true, Ordering::Release);
                Poll::Ready(None)
            }
            Poll::Pending => match self.deadline.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Some(Err(axum::Error::new(BodyTimedOut)))),
                Poll::Pending => Poll::Pending,
            },
            other => other,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// Whether a body error (or a rejection built on one) is the body-read timeout.
pub fn timed_out(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(e);
    while let Some(e) = next {
        if e.is::<BodyTimedOut>() {
            return true;
        }
        next = e.source();
    }
    false
}

/// Limits the time a request's body may take to arrive, and closes the connection after
/// an answer given without reading the body: the client may still be sending it, and
/// the next bytes on the connection would otherwise be taken for a new request.
pub async fn body_guard(State(limit): State<Duration>, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    let read = Arc::new(AtomicBool::new(http_body::Body::is_end_stream(&body)));
    let body = Body::new(GuardedBody {
        inner: body,
        deadline: Box::pin(tokio::time::sleep(limit)),
        read: read.clone(),
    });
    let mut r = next.run(Request::from_parts(parts, body)).await;
    if !read.load(Ordering::Acquire) {
        r.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    r
}

/// Gives up an answer that takes longer than the request timeout.
pub async fn request_timeout(State(limit): State<Duration>, req: Request, next: Next) -> Response {
    let api = is_api(&req);
    let what = format!("{} {}", req.method(), req.uri().path());
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(r) => r,
        Err(_) => {
            tracing::warn!(request = %what, "request timed out");
            answer(
                api,
                WebError::Unavailable(
                    "Dit verzoek duurde te lang en is afgebroken. Probeer het later opnieuw."
                        .into(),
                ),
            )
        }
    }
}

/// A panic in a handler is logged and answered with a 500 (a Dutch page, or problem+json
/// for the API), and the connection stays usable.
pub async fn catch_panic(req: Request, next: Next) -> Response {
    let api = is_api(&req);
    let what = format!("{} {}", req.method(), req.uri().path());
    match std::panic::AssertUnwindSafe(next.run(req))
        .catch_unwind()
        .await
    {
        Ok(r) => r,
        Err(payload) => {
            let message = payload
                .downcast_ref::<&str>()
                .copied()
                .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
                .unwrap_or("(no message)");
            tracing::error!(request = %what, panic = message, "handler panicked");
            answer(
                api,
                WebError::App(nabij_app::AppError::Internal(format!("panic: {message}"))),
            )
        }
    }
}

/// How often each user may ask for lists of persons: every list shown writes one
/// access-log entry per person on it, so a loop of list requests would flood the log.
///
/// Two buckets per user. Starting a listing (a first page: no cursor) draws from the
/// strict one (`list_requests_per_minute`, `list_request_burst`): that is what a loop of
/// list requests does. The further pages of a listing (the request carries the cursor of
/// the page before) draw from their own, larger bucket (`list_pages_per_minute`,
/// `list_page_burst`): a client reading a long list to its end shows each person once, so
/// it is no flood, and must not be refused halfway. The second bucket still bounds what a
/// client that makes up cursors can ask.
pub(crate) struct ListLimiter {
    first_pages: governor::DefaultKeyedRateLimiter<i64>,
    further_pages: governor::DefaultKeyedRateLimiter<i64>,
}

fn keyed(per_minute: u32, burst: u32) -> governor::DefaultKeyedRateLimiter<i64> {
    let per_minute = NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN);
    let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
    governor::RateLimiter::keyed(governor::Quota::per_minute(per_minute).allow_burst(burst))
}

impl ListLimiter {
    pub(crate) fn new(s: &ServerSettings) -> Self {
        ListLimiter {
            first_pages: keyed(s.list_requests_per_minute, s.list_request_burst),
            further_pages: keyed(s.list_pages_per_minute, s.list_page_burst),
        }
    }

    /// Counts a list request of `user`, a further page of a listing when `further`;
    /// `Err(seconds)` to wait when over the limit.
    pub(crate) fn check(&self, user: i64, further: bool) -> Result<(), u64> {
        use governor::clock::Clock;
        let limiter = if further {
            &self.further_pages
        } else {
            &self.first_pages
        };
        limiter.check_key(&user).map_err(|not_until| {
            let wait = not_until.wait_time_from(limiter.clock().now());
            wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
        })
    }
}

/// Whether a request asks for a further page of a listing: it carries a non-empty cursor
/// (`na` in the pages, `cursor` in the API).
pub(crate) fn continues_a_listing(query: Option<&str>) -> bool {
    query.is_some_and(|q| {
        q.split('&').any(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            matches!(key, "na" | "cursor") && !value.is_empty()
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::middleware::from_fn;
    use axum::routing::get;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;

    #[test]
    fn a_further_page_is_one_that_carries_a_cursor() {
        assert!(continues_a_listing(Some("na=abc&vanaf=50")));
        assert!(continues_a_listing(Some("limit=500&cursor=eyJr")));
        assert!(!continues_a_listing(Some("filter=alle")));
        assert!(!continues_a_listing(Some("na=&filter=alle")));
        assert!(!continues_a_listing(Some("naam=x")));
        assert!(!continues_a_listing(None));
    }

    #[test]
    fn further_pages_draw_from_their_own_bucket() {
        let limiter = ListLimiter::new(&ServerSettings {
            list_requests_per_minute: 2,
            list_request_burst: 2,
            list_pages_per_minute: 5,
            list_page_burst: 5,
            ..ServerSettings::default()
        });
        assert!(limiter.check(1, false).is_ok());
        assert!(limiter.check(1, false).is_ok());
        assert!(limiter.check(1, false).is_err(), "a third listing waits");
        for _ in 0..5 {
            assert!(limiter.check(1, true).is_ok(), "its pages go on");
        }
        let wait = limiter.check(1, true).unwrap_err();
        assert!((1..=60).contains(&wait), "{wait}");
        assert!(
            limiter.check(2, false).is_ok(),
            "another user is not held back"
        );
    }

    async fn boom() -> &'static str {
        panic!("kapot in de test")
    }

    async fn slow() -> &'static str {
        tokio::time::sleep(Duration::from_secs(30)).await;
        "te laat"
    }

    /// A small router behind the layers, served like the application.
    async fn start(header_read_timeout: Duration) -> SocketAddr {
        let router = Router::new()
            .route("/boom", get(boom))
            .route("/api/boom", get(boom))
            .route("/traag", get(slow))
            .route("/ok", get(|| async { "ok" }))
            .layer(axum::middleware::from_fn_with_state(
                Duration::from_millis(300),
                request_timeout,
            ))
            .layer(from_fn(catch_panic));
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(serve(
            listener,
            router,
            header_read_timeout,
            std::future::pending(),
        ));
        addr
    }

    /// Reads one response (head and a body of Content-Length bytes).
    async fn response(conn: &mut TcpStream) -> (String, String) {
        let mut buf = Vec::new();
        let mut byte = [0u8; 1];
        while !buf.ends_with(b"\r\n\r\n") {
            assert_eq!(conn.read(&mut byte).await.unwrap(), 1, "connection closed");
            buf.push(byte[0]);
        }
        let head = String::from_utf8(buf).unwrap();
        let length: usize = head
            .lines()
            .find_map(|l| {
                l.to_ascii_lowercase()
                    .strip_prefix("content-length: ")
                    .map(|v| v.trim().parse().unwrap())
            })
            .unwrap();
        let mut body = vec![0u8; length];
        conn.read_exact(&mut body).await.unwrap();
        (head, String::from_utf8(body).unwrap())
    }

    #[tokio::test]
    async fn a_panic_is_answered_in_dutch_and_the_connection_stays_open() {
        let addr = start(Duration::from_secs(10)).await;
        let mut conn = TcpStream::connect(addr).await.unwrap();
        conn.write_all(b"GET /boom HTTP/1.1\r\nHost: t\r\n\r\n")
            .await
            .unwrap();
        let (head, body) = response(&mut conn).await;
        assert!(head.starts_with("HTTP/1.1 500"), "{head}");
        assert!(body.contains("Er ging iets mis"), "{body}");
        assert!(
            !body.contains("kapot"),
            "the panic's text is logged, not shown"
        );
        // The same connection answers the next request.
        conn.write_all(b"GET /api/boom HTTP/1.1\r\nHost: t\r\n\r\n")
            .await
            .unwrap();
        let (head, body) = response(&mut conn).await;
        assert!(head.starts_with("HTTP/1.1 500"), "{head}");
        assert!(
            head.to_ascii_lowercase()
                .contains("application/problem+json"),
            "{head}"
        );
        assert!(body.contains("\"status\":500"), "{body}");
        conn.write_all(b"GET /ok HTTP/1.1\r\nHost: t\r\n\r\n")
            .await
            .unwrap();
        assert_eq!(response(&mut conn).await.1, "ok");
    }

    #[tokio::test]
    async fn an_answer_that_takes_too_long_is_given_up() {
        let addr = start(Duration::from_secs(10)).await;
        let mut conn = TcpStream::connect(addr).await.unwrap();
        conn.write_all(b"GET /traag HTTP/1.1\r\nHost: t\r\n\r\n")
            .await
            .unwrap();
        let (head, body) = response(&mut conn).await;
        assert!(head.starts_with("HTTP/1.1 503"), "{head}");
        assert!(body.contains("duurde te lang"), "{body}");
    }

    #[tokio::test]
    async fn a_client_that_never_finishes_its_header_is_disconnected() {
        let addr = start(Duration::from_millis(500)).await;
        let mut conn = TcpStream::connect(addr).await.unwrap();
        conn.write_all(b"GET /ok HTTP/1.1\r\nHost: t\r\nX-Langzaam: ")
            .await
            .unwrap();
        let mut rest = Vec::new();
        // Held forever without the timeout; a generous bound, this is no speed test.
        let read = tokio::time::timeout(Duration::from_secs(20), conn.read_to_end(&mut rest)).await;
        assert!(read.is_ok(), "the half-sent request is still held");
        assert!(!String::from_utf8_lossy(&rest).contains("200 OK"));
    }
}
