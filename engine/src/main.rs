//! `cannonball`: a drop-in replacement for Optimism's `cannon` binary.

fn main() {
    std::process::exit(engine::cli::main());
}
