use std::process::ExitCode;

fn main() -> ExitCode {
    portaldesk::cli::main()
}
