//! Regression tests for defects found by an outside security test: each runs against SQLite
//! always and against PostgreSQL when `NABIJ_TEST_POSTGRES_URL` is set.

mod access_log;
mod dates;
mod helpers;
mod limits;
mod second_factor;
