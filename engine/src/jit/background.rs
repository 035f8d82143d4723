//! The background compile thread: regions are translated off the critical path while the guest
//! keeps running in the interpreter, and the dispatcher installs each translation when it is
//! ready ([`super::Jit`] checks that none of the region's code was written in between). What
//! gets compiled when never changes what a step computes: compiled code and the interpreter
//! agree on every step, so only the share of steps run compiled depends on timing.

use super::helpers::Wrappers;
use super::translate::{Compiler, Translation};
use super::Trampoline;
use interp::arch::{Mips32, Mips64};
use interp::decode::Insn;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// A region to translate.
pub struct Request {
    /// Entry PC (the dispatcher's key).
    pub entry: u64,
    /// The decoded blocks, entry first.
    pub blocks: Vec<Vec<(u64, Insn)>>,
}

/// A finished translation.
pub struct Done {
    /// Entry PC of the request.
    pub entry: u64,
    /// The translation, or `None` if Cranelift refused the region.
    pub func: Option<Translation>,
    /// The region's blocks, as requested.
    pub blocks: Vec<Vec<(u64, Insn)>>,
    /// Time spent translating it.
    pub time: Duration,
}

/// The compile thread and its channels. Dropping it cancels what is still queued, closes the
/// request channel and joins the thread (after at most the translation under way); the compiled
/// code lives (in the thread's module) until then.
pub struct Background {
    tx: Option<Sender<Request>>,
    rx: Receiver<Done>,
    handle: Option<JoinHandle<()>>,
    /// Set when the dispatcher is gone: queued requests are dropped, not translated.
    cancel: Arc<AtomicBool>,
    /// Requests sent and not yet answered.
    pub in_flight: usize,
    /// The thread's trampoline into its regions.
    pub trampoline: Trampoline,
    /// The thread's helper wrappers, which its regions call.
    pub wrappers: Wrappers,
    /// The thread's compiler settings (see [`Compiler::settings`]).
    pub settings: String,
}

impl std::fmt::Debug for Background {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Background")
            .field("in_flight", &self.in_flight)
            .finish()
    }
}

impl Background {
    /// Starts the thread with its own [`Compiler`]; `delay` is added before every translation
    /// (to test that results do not depend on when translations arrive); `trace` as in
    /// [`Compiler::new`].
    pub fn spawn(is64: bool, verify: bool, delay: Duration, trace: bool) -> Result<Self, String> {
        let (tx, requests) = mpsc::channel::<Request>();
        let (done_tx, rx) = mpsc::channel::<Done>();
        let (init_tx, init_rx) =
            mpsc::sync_channel::<Result<(Trampoline, Wrappers, String), String>>(1);
        let cancel = Arc::new(AtomicBool::new(false));
        let cancelled = cancel.clone();
        let handle = std::thread::Builder::new()
            .name("cannonball-jit".into())
            .spawn(move || {
                let mut c = match Compiler::new(verify, trace) {
                    Ok(c) => {
                        let _ = init_tx.send(Ok((c.trampoline, c.wrappers, c.settings.clone())));
                        c
                    }
                    Err(e) => {
                        let _ = init_tx.send(Err(e));
                        return;
                    }
                };
                for r in requests {
                    if cancelled.load(Ordering::Relaxed) {
                        break;
                    }
                    if !delay.is_zero() {
                        std::thread::sleep(delay);
                    }
                    let t = Instant::now();
                    let func = if is64 {
                        c.translate::<Mips64>(&r.blocks)
                    } else {
                        c.translate::<Mips32>(&r.blocks)
                    };
                    let done = Done {
                        entry: r.entry,
                        func,
                        blocks: r.blocks,
                        time: t.elapsed(),
                    };
                    if done_tx.send(done).is_err() {
                        return;
                    }
                }
                // keep the module (and so the code it holds) alive until the dispatcher is gone
                drop(c);
            })
            .map_err(|e| format!("cannot start the JIT compile thread: {e}"))?;
        let (trampoline, wrappers, settings) = init_rx
            .recv()
            .map_err(|_| "the JIT compile thread failed to start".to_string())??;
        Ok(Background {
            tx: Some(tx),
            rx,
            handle: Some(handle),
            cancel,
            in_flight: 0,
            trampoline,
            wrappers,
            settings,
        })
    }

    /// Queues a region; false if the thread is gone.
    pub fn send(&mut self, r: Request) -> bool {
        let ok = self.tx.as_ref().is_some_and(|tx| tx.send(r).is_ok());
        if ok {
            self.in_flight += 1;
        }
        ok
    }

    /// A finished translation, if one is ready.
    pub fn try_recv(&mut self) -> Option<Done> {
        let d = self.rx.try_recv().ok()?;
        self.in_flight -= 1;
        Some(d)
    }
}

impl Drop for Background {
    fn drop(&mut self) {
        // the run is over: translations still queued are of no use
        self.cancel.store(true, Ordering::Relaxed);
        self.tx = None;
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}
