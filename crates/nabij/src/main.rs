use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match nabij::run(nabij::Cli::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("nabij: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
