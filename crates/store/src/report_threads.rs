//! The threads reports run on: a few of their own, at a lower scheduling priority than the
//! server's, so a report in progress takes the cores only when placements and pages leave
//! them idle. The SQLite report queries run here (each thread keeps its read-only
//! connection), and so does the adding-up of their rows.

use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, LazyLock, Mutex};

/// How many report threads there are: report queries and their adding-up at once.
pub const THREADS: usize = 2;

/// The nice value of a report thread (0 is the server's; 19 the lowest).
#[cfg(target_os = "linux")]
const NICE: i32 = 10;

type Job = Box<dyn FnOnce() + Send + 'static>;

static POOL: LazyLock<Mutex<Sender<Job>>> = LazyLock::new(|| {
    let (tx, rx) = channel::<Job>();
    let rx = Arc::new(Mutex::new(rx));
    for i in 0..THREADS {
        let rx = rx.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("nabij-report-{i}"))
            .spawn(move || work(&rx));
        if let Err(e) = spawned {
            tracing::error!(error = %e, "cannot start a report thread");
        }
    }
    Mutex::new(tx)
});

fn work(jobs: &Mutex<Receiver<Job>>) {
    lower_priority();
    loop {
        let job = {
            let Ok(rx) = jobs.lock() else { return };
            match rx.recv() {
                Ok(job) => job,
                Err(_) => return,
            }
        };
        job();
    }
}

#[cfg(target_os = "linux")]
fn lower_priority() {
    // On Linux a priority set for the thread's own id applies to that thread only.
    let me = rustix::thread::gettid();
    if let Err(e) = rustix::process::setpriority_process(Some(me), NICE) {
        tracing::warn!(error = %e, "report thread keeps the server's priority");
    }
}

#[cfg(not(target_os = "linux"))]
fn lower_priority() {}

/// Runs `f` on a report thread and waits for its result without blocking the caller's
/// worker. Jobs queue in order when both threads are busy.
pub async fn run<T, F>(f: F) -> crate::Result<T>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let (tx, rx) = tokio::sync::oneshot::channel();
    let job: Job = Box::new(move || {
        let _ = tx.send(f());
    });
    POOL.lock()
        .map_err(|_| crate::StoreError::Writer("report threads unavailable".into()))?
        .send(job)
        .map_err(|_| crate::StoreError::Writer("report threads stopped".into()))?;
    rx.await
        .map_err(|_| crate::StoreError::Writer("a report thread stopped".into()))
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn runs_jobs_off_the_caller_and_returns_their_result() {
        let caller = std::thread::current().id();
        let (result, on) = super::run(move || (6 * 7, std::thread::current().id()))
            .await
            .unwrap();
        assert_eq!(result, 42);
        assert_ne!(on, caller);
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn report_threads_run_at_a_lower_priority() {
        let nice = super::run(|| {
            rustix::process::getpriority_process(Some(rustix::thread::gettid())).unwrap()
        })
        .await
        .unwrap();
        assert!(nice >= super::NICE, "report thread nice {nice}");
    }
}
