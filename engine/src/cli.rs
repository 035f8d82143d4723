//! The `cannonball` command line: Cannon's subcommands, flag names, defaults and exit codes
//! (cannon-spec §5): 0 on success, 1 on an error (printed as `error: ...`), 2 when the guest makes
//! an invalid transition (a VM panic to op-challenger), 130 when interrupted.

use crate::engine::Engine;
use crate::pattern::{check_name_fmt, StepPattern};
use crate::run::{self, PreimageStop, PreimageType, RunConfig, INTERRUPTED};
use clap::{Args, Parser, Subcommand};
use interp::elf::{load_elf, Metadata};
use interp::files::{read_state, write_atomic, write_json, write_state, WitnessJson};
use interp::oracle::{
    DirSource, HostProcess, NoSource, Oracle, PreimageMap, PreimageSource, RecordingSource,
};
use interp::{Error, Io, Vm, VmVersion};
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::Ordering;

#[derive(Parser, Debug)]
#[command(
    name = "cannonball",
    version = concat!(
        env!("CARGO_PKG_VERSION"),
        " (commit ",
        env!("CANNONBALL_GIT_COMMIT"),
        ", build ",
        env!("CANNONBALL_BUILD_ID"),
        ")"
    ),
    about = "A fast, bit-exact trace engine for Cannon, the MIPS fault-proof VM of the OP Stack",
    long_about = "A fast, bit-exact trace engine for Cannon, the MIPS fault-proof VM of the OP Stack.\n\n\
        cannonball accepts the same subcommands, flags and file formats as Optimism's `cannon` \
        (state versions 2 singlethreaded-2, 7 multithreaded64-4 and 8 multithreaded64-5), so \
        op-challenger can run it in cannon's place."
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Load an ELF file into a VM state file.
    LoadElf(LoadElfArgs),
    /// Run a VM step-by-step, writing proofs and snapshots as asked.
    Run(Box<RunArgs>),
    /// Print the witness (hash, bytes, step, exit) of a state file as JSON.
    Witness(WitnessArgs),
    /// List the supported VM types.
    List,
    /// Run a trace once, keeping checkpoints, then answer queries (state hash, witness or proof
    /// at a step) read as JSON lines, replaying from the nearest checkpoint. Stdout carries only
    /// the answers, one line per query; the guest's and the preimage server's output go to
    /// stderr.
    Bisect(Box<BisectArgs>),
    /// Serve preimages from a directory over the oracle protocol on fds 3-6 (the server side of
    /// op-program's --server mode), e.g. as the command after `run ... --`.
    ServePreimages(ServeArgs),
}

/// Where preimages come from, shared by `run` and `bisect`.
#[derive(Args, Debug)]
struct OracleArgs {
    /// Serve preimages from files named 0x<key> in this directory instead of a server process.
    #[arg(long = "preimages", value_name = "DIR")]
    preimages: Option<PathBuf>,
    /// Seconds to wait for any one answer (hint ack or preimage) of the preimage server before
    /// giving up with an error; 0 waits forever.
    #[arg(
        long = "preimage-timeout",
        value_name = "SECONDS",
        default_value_t = 600
    )]
    preimage_timeout: u64,
    /// Preimage server command (after `--`), started with fds 3-6 as in op-program's --server mode.
    #[arg(last = true, value_name = "SERVER")]
    server: Vec<String>,
}

/// Where a preimage server's stdout goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HostStdout {
    /// Our stdout (`run`, like Cannon).
    Inherit,
    /// Our stderr (`bisect`, whose stdout carries only answers).
    Stderr,
}

impl OracleArgs {
    fn open(&self, record: Option<PreimageMap>, out: HostStdout) -> interp::Result<Oracle> {
        if self.preimages.is_some() && !self.server.is_empty() {
            return Err(Error::invalid(
                "give either --preimages DIR or a preimage server command after --, not both",
            ));
        }
        let src: Box<dyn PreimageSource> = if let Some(dir) = &self.preimages {
            Box::new(DirSource::new(dir)?)
        } else if !self.server.is_empty() {
            let t = (self.preimage_timeout > 0)
                .then(|| std::time::Duration::from_secs(self.preimage_timeout));
            let stdout = match out {
                HostStdout::Inherit => std::process::Stdio::inherit(),
                HostStdout::Stderr => {
                    use std::os::fd::AsFd;
                    let fd = std::io::stderr()
                        .as_fd()
                        .try_clone_to_owned()
                        .map_err(|e| Error::io("duplicating stderr for the preimage server", e))?;
                    std::process::Stdio::from(fd)
                }
            };
            Box::new(HostProcess::spawn_with_stdout(&self.server, stdout)?.with_timeout(t))
        } else {
            Box::new(NoSource)
        };
        Ok(match record {
            Some(map) => Oracle::new(Box::new(RecordingSource::new(src, map))),
            None => Oracle::new(src),
        })
    }
}

#[derive(Args, Debug)]
struct BisectArgs {
    /// State file to start from (.bin or .bin.gz).
    #[arg(long, default_value = "state.bin.gz")]
    input: PathBuf,
    /// Steps between checkpoints.
    #[arg(long = "checkpoint-interval", default_value_t = 10_000_000)]
    checkpoint_interval: u64,
    /// Memory the checkpoints may hold (e.g. 512M, 8G); past it, checkpoints are thinned out evenly.
    #[arg(long = "checkpoint-memory", default_value = "4G", value_parser = crate::bisect::parse_size)]
    checkpoint_memory: u64,
    /// Stop recording at this step if the guest has not exited by then.
    #[arg(long = "max-steps")]
    max_steps: Option<u64>,
    /// Queries, one per line: {"op":"hash"|"witness"|"proof","step":N} or `proof N`; "-" for stdin.
    /// Lines already available are answered together, in parallel; answers keep the query order.
    #[arg(long, default_value = "-")]
    queries: String,
    /// Also write each proof to this file pattern (%d = step), as `run --proof-fmt` does.
    #[arg(long = "proof-fmt")]
    proof_fmt: Option<String>,
    /// Also write the final state of the recording here (.bin or .bin.gz).
    #[arg(long)]
    output: Option<String>,
    /// When to print a progress line while recording.
    #[arg(long = "info-at", default_value = "%1000000000")]
    info_at: StepPattern,
    /// Execution engine of the recording pass: `jit` or `interp` (replays always interpret).
    #[arg(long = "vm", default_value = "jit", value_parser = ["jit", "interp"])]
    vm: String,
    /// Times a block entry is reached before it is compiled.
    #[arg(long = "jit-threshold", default_value_t = crate::jit::DEFAULT_THRESHOLD)]
    jit_threshold: u32,
    /// Persistent JIT code cache directory for the recording pass, or `off` (as for `run`).
    #[arg(long = "jit-cache", value_name = "DIR|off")]
    jit_cache: Option<String>,
    #[command(flatten)]
    oracle: OracleArgs,
}

#[derive(Args, Debug)]
struct ServeArgs {
    /// Directory of preimage files named 0x<64 hex key> (raw bytes, no length prefix).
    #[arg(long)]
    dir: PathBuf,
    /// Testing aid: exit after answering this many preimage requests.
    #[arg(long = "exit-after", hide = true)]
    exit_after: Option<u64>,
    /// Testing aid: stop answering (but stay alive) after this many preimage requests.
    #[arg(long = "stall-after", hide = true)]
    stall_after: Option<u64>,
}

#[derive(Args, Debug)]
struct LoadElfArgs {
    /// VM type: multithreaded64-5 (state version 8, production), multithreaded64-4 (7), singlethreaded-2 (2).
    #[arg(long = "type", value_name = "TYPE")]
    vm_type: String,
    /// Path to a big-endian MIPS ELF file.
    #[arg(long)]
    path: PathBuf,
    /// Output state file (.bin or .bin.gz); "-" for stdout, "" for none.
    #[arg(long, default_value = "state.bin.gz")]
    out: String,
    /// Output symbol file; "" for none.
    #[arg(long, default_value = "meta.json")]
    meta: String,
}

#[derive(Args, Debug)]
struct RunArgs {
    /// State file to start from (.bin or .bin.gz; the version is read from its first byte).
    #[arg(long, default_value = "state.bin.gz")]
    input: PathBuf,
    /// Final state (.bin or .bin.gz); "-" for stdout, "" for none.
    #[arg(long, default_value = "out.bin.gz")]
    output: String,
    /// When to write a step proof: never, always, =N or %N.
    #[arg(long = "proof-at", default_value = "never")]
    proof_at: StepPattern,
    /// Proof file name pattern, formatted with the step as Go's fmt.Sprintf does (as cannon):
    /// %d is the step (%08d, %x, %% and Go's other integer verbs work too).
    #[arg(long = "proof-fmt", default_value = "proof-%d.json")]
    proof_fmt: String,
    /// When to write a state snapshot (the state before that step).
    #[arg(long = "snapshot-at", default_value = "never")]
    snapshot_at: StepPattern,
    /// Snapshot file name pattern (.bin or .bin.gz), formatted as --proof-fmt is; %d is the step.
    #[arg(long = "snapshot-fmt", default_value = "state-%d.bin.gz")]
    snapshot_fmt: String,
    /// When to stop (before executing that step).
    #[arg(long = "stop-at", default_value = "never")]
    stop_at: StepPattern,
    /// Stop after a step that read a preimage: KEY_PREFIX_HEX[@OFFSET[@MIN_STEP]].
    #[arg(long = "stop-at-preimage", default_value = "")]
    stop_at_preimage: String,
    /// Stop after a preimage read of this type: local, keccak, sha256, blob, precompile or any.
    #[arg(long = "stop-at-preimage-type", default_value = "")]
    stop_at_preimage_type: String,
    /// Stop after reading a preimage longer than N bytes (counting its 8-byte length prefix).
    #[arg(long = "stop-at-preimage-larger-than", default_value_t = 0)]
    stop_at_preimage_larger_than: u64,
    /// When to print a progress line.
    #[arg(long = "info-at", default_value = "%1000000000")]
    info_at: StepPattern,
    /// Symbol file (from load-elf) for progress lines; "" for none.
    #[arg(long, default_value = "meta.json")]
    meta: String,
    /// Write run statistics as JSON to this file.
    #[arg(long = "debug-info")]
    debug_info: Option<PathBuf>,
    /// Execution engine: `jit` (compiled blocks, the default) or `interp` (reference interpreter).
    #[arg(long = "vm", default_value = "jit", value_parser = ["jit", "interp"])]
    vm: String,
    /// Times a block entry is reached before it is compiled.
    #[arg(long = "jit-threshold", default_value_t = crate::jit::DEFAULT_THRESHOLD)]
    jit_threshold: u32,
    /// Profile cannonball itself (not the guest; see --profile) and write the CPU profile to
    /// cpu.pprof in the working directory at the end of the run, in pprof's format (gzipped
    /// protobuf; `go tool pprof cpu.pprof`), as cannon does.
    #[arg(long = "pprof.cpu")]
    pprof_cpu: bool,
    /// Print JIT statistics (blocks compiled, compile time, steps) at the end of the run.
    #[arg(long = "jit-stats")]
    jit_stats: bool,
    /// Write the JIT statistics as JSON to FILE at the end of the run (for benchmark tools:
    /// blocks compiled and from the cache, compile time, steps compiled and interpreted).
    #[arg(long = "jit-stats-json", value_name = "FILE")]
    jit_stats_json: Option<PathBuf>,
    /// Persistent JIT code cache directory, or `off`. Default: CANNONBALL_JIT_CACHE, else
    /// $XDG_CACHE_HOME/cannonball/jit (~/.cache/cannonball/jit). Translations found there are
    /// used instead of compiling; new ones are added at the end of the run.
    #[arg(long = "jit-cache", value_name = "DIR|off")]
    jit_cache: Option<String>,
    /// Also write a `.tree` file beside every state written (snapshots, --output) with the
    /// memory tree's page hashes, so that loading it later skips re-hashing (also enabled by
    /// CANNONBALL_TREE_SIDECAR=1). It is checked against the state's contents and ignored if stale.
    #[arg(long = "tree-sidecar")]
    tree_sidecar: bool,
    /// Track guest call stacks (symbols from --meta) and print a traceback when the run fails
    /// (runs in the interpreter).
    #[arg(long)]
    debug: bool,
    /// Write a profile: step counts per call stack as folded stacks to FILE (render with
    /// inferno-flamegraph), and per function and instruction class to FILE.json (runs in the
    /// interpreter; symbols from --meta).
    #[arg(long, value_name = "FILE")]
    profile: Option<PathBuf>,
    #[command(flatten)]
    oracle: OracleArgs,
}

#[derive(Args, Debug)]
struct WitnessArgs {
    /// State file.
    #[arg(long)]
    input: PathBuf,
    /// Also write the raw witness bytes here.
    #[arg(long)]
    output: Option<PathBuf>,
}

/// Runs the CLI and returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 1 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    crate::log::init();
    install_signal_handlers();
    match dispatch(cli) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {e}");
            if INTERRUPTED.load(Ordering::Relaxed) {
                130
            } else if matches!(e, Error::Fault(_)) {
                2
            } else {
                1
            }
        }
    }
}

fn dispatch(cli: Cli) -> interp::Result<()> {
    match cli.cmd {
        Cmd::LoadElf(a) => load_elf_cmd(a),
        Cmd::Run(a) => run_cmd(*a),
        Cmd::Witness(a) => witness_cmd(a),
        Cmd::List => {
            for v in VmVersion::ALL {
                println!("{} (state version {})", v.name(), v.byte());
            }
            Ok(())
        }
        Cmd::Bisect(a) => bisect_cmd(*a),
        Cmd::ServePreimages(a) => crate::serve::serve(&a.dir, a.exit_after, a.stall_after),
    }
}

fn check_state_name(what: &str, name: &str) -> interp::Result<()> {
    if name == "-" || name.ends_with(".bin") || name.ends_with(".bin.gz") {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "invalid {what} {name:?}: must be a .bin or .bin.gz file"
        )))
    }
}

fn load_elf_cmd(a: LoadElfArgs) -> interp::Result<()> {
    let version = VmVersion::from_name(&a.vm_type).ok_or_else(|| {
        Error::invalid(format!(
            "unsupported VM type {:?} (supported: multithreaded64-5, multithreaded64-4, singlethreaded-2)",
            a.vm_type
        ))
    })?;
    if !a.out.is_empty() {
        check_state_name("--out", &a.out)?;
    }
    let bytes = std::fs::read(&a.path)
        .map_err(|e| Error::io(format!("cannot read ELF {}", a.path.display()), e))?;
    let program = load_elf(&bytes, version)
        .map_err(|e| Error::invalid(format!("{}: {e}", a.path.display())))?;
    if !a.meta.is_empty() {
        write_json(&PathBuf::from(&a.meta), &program.meta)?;
    }
    if !a.out.is_empty() {
        write_state(&PathBuf::from(&a.out), &program.state)?;
    }
    Ok(())
}

fn parse_preimage_type(s: &str) -> interp::Result<Option<PreimageType>> {
    Ok(Some(match s {
        "" => return Ok(None),
        "any" => PreimageType::Any,
        "local" => PreimageType::Type(1),
        "keccak" => PreimageType::Type(2),
        "sha256" => PreimageType::Type(4),
        "blob" => PreimageType::Type(5),
        "precompile" => PreimageType::Type(6),
        _ => {
            return Err(Error::invalid(format!(
                "invalid --stop-at-preimage-type {s:?}: expected local, keccak, sha256, blob, precompile or any"
            )))
        }
    }))
}

fn parse_preimage_stop(s: &str) -> interp::Result<Option<PreimageStop>> {
    if s.is_empty() {
        return Ok(None);
    }
    let bad = |why: &str| Error::invalid(format!("invalid --stop-at-preimage {s:?}: {why}"));
    let mut parts = s.split('@');
    let key = parts.next().unwrap_or("");
    let key = key.strip_prefix("0x").unwrap_or(key);
    if !key.len().is_multiple_of(2) || key.len() > 64 {
        return Err(bad("the key prefix must be whole bytes of hex, at most 32"));
    }
    let key_prefix = (0..key.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&key[i..i + 2], 16))
        .collect::<Result<Vec<u8>, _>>()
        .map_err(|_| bad("the key prefix is not hex"))?;
    let offset = match parts.next() {
        Some(o) if !o.is_empty() => Some(
            o.parse::<u64>()
                .map_err(|_| bad("the offset is not a number"))?,
        ),
        _ => None,
    };
    let min_step = match parts.next() {
        Some(o) if !o.is_empty() => o
            .parse::<u64>()
            .map_err(|_| bad("the step is not a number"))?,
        _ => 0,
    };
    if parts.next().is_some() {
        return Err(bad("expected KEY[@OFFSET[@STEP]]"));
    }
    Ok(Some(PreimageStop {
        key_prefix,
        offset,
        min_step,
    }))
}

fn run_cmd(a: RunArgs) -> interp::Result<()> {
    let profiler = a
        .pprof_cpu
        .then(crate::cpu_profile::CpuProfile::start)
        .transpose()?;
    let r = run_cmd_inner(a);
    // written whether or not the run succeeded (cannon defers it the same way)
    match profiler.map(|p| p.finish(std::path::Path::new("cpu.pprof"))) {
        Some(Err(e)) if r.is_ok() => Err(e),
        Some(Err(e)) => {
            tracing::warn!("{e}");
            r
        }
        _ => r,
    }
}

fn run_cmd_inner(a: RunArgs) -> interp::Result<()> {
    if !a.output.is_empty() {
        check_state_name("--output", &a.output)?;
    }
    if a.snapshot_at != StepPattern::Never {
        check_state_name("--snapshot-fmt", &a.snapshot_fmt)?;
        check_name_fmt("--snapshot-fmt", &a.snapshot_fmt, a.snapshot_at).map_err(Error::invalid)?;
    }
    if a.proof_at != StepPattern::Never {
        check_name_fmt("--proof-fmt", &a.proof_fmt, a.proof_at).map_err(Error::invalid)?;
    }
    let cfg = RunConfig {
        output: (!a.output.is_empty()).then(|| PathBuf::from(&a.output)),
        proof_at: a.proof_at,
        proof_fmt: a.proof_fmt,
        snapshot_at: a.snapshot_at,
        snapshot_fmt: a.snapshot_fmt,
        stop_at: a.stop_at,
        info_at: a.info_at,
        stop_at_preimage: parse_preimage_stop(&a.stop_at_preimage)?,
        stop_at_preimage_type: parse_preimage_type(&a.stop_at_preimage_type)?,
        stop_at_preimage_larger_than: (a.stop_at_preimage_larger_than > 0)
            .then_some(a.stop_at_preimage_larger_than),
        meta: load_meta(&a.meta)?,
        debug_info: a.debug_info,
        tree_sidecar: a.tree_sidecar
            || std::env::var_os("CANNONBALL_TREE_SIDECAR").is_some_and(|v| v == "1"),
        debug: a.debug,
        profile: a.profile.clone(),
    };
    if (a.debug || a.profile.is_some()) && cfg.meta.symbols.is_empty() {
        return Err(Error::invalid(
            "--debug and --profile need symbols: pass --meta with the meta.json load-elf wrote",
        ));
    }
    remove_stale_temps([
        Some(a.output.as_str()),
        (cfg.proof_at != StepPattern::Never).then_some(cfg.proof_fmt.as_str()),
        (cfg.snapshot_at != StepPattern::Never).then_some(cfg.snapshot_fmt.as_str()),
        cfg.debug_info.as_deref().and_then(|p| p.to_str()),
        cfg.profile.as_deref().and_then(|p| p.to_str()),
    ]);
    let state = read_state(&a.input)?;
    let oracle = a.oracle.open(None, HostStdout::Inherit)?;
    let mut engine = if cfg.debug || cfg.profile.is_some() {
        Engine::for_observed_state(&state, a.vm == "jit")
    } else {
        Engine::for_state(&state, a.vm == "jit")
    };
    if let Some(j) = engine.jit_mut() {
        j.threshold = a.jit_threshold.max(1);
        if let Some(root) = crate::jit::cache::location(a.jit_cache.as_deref()) {
            j.use_cache(&root);
        }
    }
    let mut vm = Vm::new(state, oracle, Io::inherit());
    let start = vm.state.step();
    let out = run::run(&mut vm, &mut engine, &cfg);
    if let Some(j) = engine.jit_mut() {
        j.save_cache();
    }
    let out = out?;
    if let (Some(path), Some(j)) = (&a.jit_stats_json, engine.jit()) {
        let s = &j.stats;
        let c = j.cache_stats().unwrap_or_default();
        let doc = serde_json::json!({
            "blocks_compiled": s.blocks_compiled,
            "insns_compiled": s.insns_compiled,
            "compile_seconds": s.compile_time.as_secs_f64(),
            "regions_queued": s.queued,
            "stale": s.stale,
            "blocks_cached": s.blocks_cached,
            "jit_steps": s.jit_steps,
            "interp_steps": s.interp_steps,
            "invalidations": s.invalidations,
            "cache": {
                "enabled": j.cache_stats().is_some(),
                "packs": c.packs,
                "rejected": c.rejected,
                "read": c.read,
                "installed": c.installed,
                "written": c.written,
                "unportable": c.unportable,
            },
        });
        write_json(path, &doc)?;
    }
    if let (true, Some(j)) = (a.jit_stats, engine.jit()) {
        let s = &j.stats;
        eprintln!(
            "jit: {} blocks ({} insns) compiled in {:.3}s ({} regions queued for the compile thread, {} stale); {} blocks from the cache; {} steps compiled, {} interpreted, {} invalidations",
            s.blocks_compiled,
            s.insns_compiled,
            s.compile_time.as_secs_f64(),
            s.queued,
            s.stale,
            s.blocks_cached,
            s.jit_steps,
            s.interp_steps,
            s.invalidations
        );
        if let Some(c) = j.cache_stats() {
            eprintln!(
                "jit cache: {} packs read ({} rejected), {} regions read, {} installed, {} written ({} not position independent)",
                c.packs, c.rejected, c.read, c.installed, c.written, c.unportable
            );
        }
    }
    let rate = if out.seconds > 0.0 {
        out.steps as f64 / out.seconds
    } else {
        0.0
    };
    eprintln!(
        "ran {} steps ({} -> {}) in {:.3}s, {:.1} M steps/s; exited={} exit_code={}",
        out.steps,
        start,
        vm.state.step(),
        out.seconds,
        rate / 1e6,
        vm.state.exited(),
        vm.state.exit_code()
    );
    Ok(())
}

fn load_meta(path: &str) -> interp::Result<Metadata> {
    if path.is_empty() {
        return Ok(Metadata::default());
    }
    let p = PathBuf::from(path);
    if !p.exists() {
        // Cannon fails here too, but a missing default meta.json is common when running by hand.
        if path == "meta.json" {
            return Ok(Metadata::default());
        }
        return Err(Error::invalid(format!(
            "metadata file {path} does not exist"
        )));
    }
    let r = interp::files::open_maybe_gz(&p)?;
    serde_json::from_reader(r)
        .map_err(|e| Error::invalid(format!("invalid metadata file {path}: {e}")))
}

/// Removes what killed runs left in the directories of these output paths (or file-name
/// patterns): temporary files of processes that no longer exist ([`interp::files::remove_stale_temps`]).
fn remove_stale_temps<'a>(outputs: impl IntoIterator<Item = Option<&'a str>>) {
    let mut dirs: Vec<PathBuf> = outputs
        .into_iter()
        .flatten()
        .filter(|p| !p.is_empty() && *p != "-")
        .map(|p| match std::path::Path::new(p).parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        })
        .collect();
    dirs.sort();
    dirs.dedup();
    for d in dirs {
        interp::files::remove_stale_temps(&d);
    }
}

fn bisect_cmd(a: BisectArgs) -> interp::Result<()> {
    use crate::bisect::{record, Answerer, Query, RecordConfig, TraceEnd};
    if let Some(o) = &a.output {
        check_state_name("--output", o)?;
    }
    if let Some(f) = &a.proof_fmt {
        // one proof file per query
        check_name_fmt("--proof-fmt", f, StepPattern::Always).map_err(Error::invalid)?;
    }
    let queries_in: Box<dyn std::io::BufRead + Send> = if a.queries == "-" {
        Box::new(std::io::BufReader::new(std::io::stdin()))
    } else {
        let f = std::fs::File::open(&a.queries)
            .map_err(|e| Error::io(format!("cannot open queries file {}", a.queries), e))?;
        Box::new(std::io::BufReader::new(f))
    };
    remove_stale_temps([a.output.as_deref(), a.proof_fmt.as_deref()]);
    let state = read_state(&a.input)?;
    let seen = PreimageMap::default();
    // stdout carries only answers: the preimage server's and the guest's output go to stderr
    let oracle = a.oracle.open(Some(seen.clone()), HostStdout::Stderr)?;
    let mut engine = Engine::for_state(&state, a.vm == "jit");
    if let Some(j) = engine.jit_mut() {
        j.threshold = a.jit_threshold.max(1);
        if let Some(root) = crate::jit::cache::location(a.jit_cache.as_deref()) {
            j.use_cache(&root);
        }
    }
    let io = Io {
        stdout: Box::new(std::io::stderr()),
        stderr: Box::new(std::io::stderr()),
    };
    let mut vm = Vm::new(state, oracle, io);
    let cfg = RecordConfig {
        interval: a.checkpoint_interval.max(1),
        budget: a.checkpoint_memory,
        max_steps: a.max_steps,
        info_at: a.info_at,
    };
    let trace = record(&mut vm, &mut engine, &cfg, seen);
    if let Some(j) = engine.jit_mut() {
        j.save_cache();
    }
    let trace = trace?;
    drop(vm); // stops the preimage server: replays use what it served
    if let Some(o) = &a.output {
        write_state(&PathBuf::from(o), &trace.last)?;
    }
    let end = match &trace.end {
        TraceEnd::Exited => format!(
            "exited with code {} at step {}",
            trace.last.exit_code(),
            trace.last.step()
        ),
        TraceEnd::Fault(f) => format!("invalid transition: {f}"),
        TraceEnd::Cut => format!("stopped at --max-steps {}", trace.last.step()),
    };
    eprintln!(
        "recorded {} steps in {:.3}s ({:.1} M steps/s), {end}; {} checkpoints ({} evicted) holding {} (peak {}), {} preimages",
        trace.steps,
        trace.seconds,
        trace.steps as f64 / trace.seconds.max(1e-9) / 1e6,
        trace.store.len(),
        trace.store.evicted,
        run::human_bytes(trace.store.bytes()),
        run::human_bytes(trace.store.peak_bytes),
        trace.preimages.lock().map(|m| m.len()).unwrap_or(0),
    );
    let answerer = Answerer {
        trace: &trace,
        proof_fmt: a.proof_fmt.clone(),
    };
    // Read queries on a thread; answer whatever has arrived as one parallel batch, so both a
    // file of many queries and an interactive client asking one at a time are served well.
    let (tx, rx) = std::sync::mpsc::channel::<std::io::Result<String>>();
    std::thread::spawn(move || {
        for line in std::io::BufRead::lines(queries_in) {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    let stdout = std::io::stdout();
    let mut answered = 0u64;
    let t0 = std::time::Instant::now();
    while let Ok(first) = rx.recv() {
        let mut lines = vec![first];
        lines.extend(rx.try_iter());
        let mut parsed: Vec<Result<Query, String>> = Vec::with_capacity(lines.len());
        for l in lines {
            let l = l.map_err(|e| Error::io("reading queries", e))?;
            if l.trim().is_empty() || l.trim_start().starts_with('#') {
                continue;
            }
            parsed.push(Query::parse(&l));
        }
        let valid: Vec<Query> = parsed
            .iter()
            .filter_map(|q| q.as_ref().ok().copied())
            .collect();
        let mut answers = answerer.answer_all(&valid).into_iter();
        let mut out = stdout.lock();
        for q in &parsed {
            let line = match q {
                Ok(_) => serde_json::to_string(&answers.next().expect("one answer per query")),
                Err(e) => serde_json::to_string(&serde_json::json!({ "error": e })),
            }
            .map_err(|e| Error::invalid(e.to_string()))?;
            writeln!(out, "{line}").map_err(|e| Error::io("writing answers", e))?;
            answered += 1;
        }
        out.flush().map_err(|e| Error::io("writing answers", e))?;
        if INTERRUPTED.load(Ordering::Relaxed) {
            return Err(Error::invalid("interrupted"));
        }
    }
    eprintln!(
        "answered {answered} queries in {:.3}s; peak resident memory {}",
        t0.elapsed().as_secs_f64(),
        crate::bisect::peak_rss()
            .map(run::human_bytes)
            .unwrap_or_else(|| "unknown".into())
    );
    Ok(())
}

fn witness_cmd(a: WitnessArgs) -> interp::Result<()> {
    let mut state = read_state(&a.input)?;
    let w = WitnessJson::of(&mut state);
    if let Some(out) = &a.output {
        let bytes = state.witness();
        write_atomic(out, |f| f.write_all(&bytes))?;
    }
    let json = serde_json::to_string_pretty(&w).map_err(|e| Error::invalid(e.to_string()))?;
    println!("{json}");
    Ok(())
}

extern "C" fn on_signal(_: libc::c_int) {
    INTERRUPTED.store(true, Ordering::Relaxed);
}

fn install_signal_handlers() {
    // SAFETY: the handler only stores to an atomic, which is async-signal-safe.
    unsafe {
        libc::signal(libc::SIGINT, on_signal as *const () as libc::sighandler_t);
        libc::signal(libc::SIGTERM, on_signal as *const () as libc::sighandler_t);
    }
}
