//! The host helpers compiled code calls (page-cache misses, the reservation rule), declared
//! here once: their addresses, their signatures, and the wrappers regions call them through.
//!
//! Regions call a helper only on a slow path (a page-cache miss, a store to the page of the LL
//! reservation), but a call in the ordinary C convention clobbers nine registers, so every
//! guest register live across it must be split around it: register allocation then dominates
//! compile time and the fast paths get spills. Regions therefore call small compiled wrappers
//! in Cranelift's `preserve_all` convention (the callee saves everything it touches; no return
//! values): the wrapper saves the registers, calls the Rust helper in the C convention and
//! leaves its result in [`JitCtx::helper_ret`], which the region then loads. The wrappers are
//! reached through [`JitCtx::helpers`], so region code stays position independent.

use super::ctx::{JitCtx, HELPER_RET, TLB_SIZE};
use cranelift_codegen::ir::{types, AbiParam, Function, InstBuilder, MemFlagsData, Signature};
use cranelift_codegen::isa::CallConv;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_jit::JITModule;
use cranelift_module::Module;
use interp::state::Reservation;

/// Page-cache miss on a load: the word at `addr` (0 for an unallocated page).
unsafe extern "C" fn helper_load(ctx: *mut JitCtx, addr: u64) -> u64 {
    // SAFETY: compiled code passes the live context of the running dispatcher, whose pointers
    // (memory, caches) are valid for the duration of the call and not otherwise borrowed.
    let ctx = unsafe { &mut *ctx };
    // SAFETY: `mem` points at the VM's memory, exclusively lent to the dispatcher.
    let mem = unsafe { &mut *ctx.mem };
    let page = addr >> 12;
    let bytes = if mem.depth() > 32 { 8 } else { 4 };
    if let Some(p) = mem.page_ptr(page) {
        let slot = (page as usize) & (TLB_SIZE - 1);
        // SAFETY: the cache arrays have TLB_SIZE entries.
        unsafe {
            *ctx.tlb_tags.add(slot) = page;
            *ctx.tlb_data.add(slot) = p;
        }
    }
    mem.read_word(addr, bytes)
}

/// Page-cache miss on a store: performs it and applies the reservation rule; returns 1 if it
/// wrote a page holding compiled code.
///
/// The reservation rule (a write to the reserved doubleword clears the LL reservation,
/// cannon-spec §9.6) is applied here only: the write cache never holds the page of the
/// reserved address (this helper does not cache it, and the dispatcher evicts it before
/// compiled code runs, see [`evict_reserved`]), so every store that could hit the reservation
/// comes here. Compiled code never sets a reservation (LL runs in the interpreter).
unsafe extern "C" fn helper_store(ctx: *mut JitCtx, addr: u64, v: u64) -> u64 {
    // SAFETY: as in `helper_load`.
    let ctx = unsafe { &mut *ctx };
    // SAFETY: `mem` points at the VM's memory, exclusively lent to the dispatcher.
    let mem = unsafe { &mut *ctx.mem };
    let page = addr >> 12;
    let bytes = if mem.depth() > 32 { 8 } else { 4 };
    mem.write_word(addr, bytes, v);
    // SAFETY: `ll` and `stats` point at the VM's reservation and statistics, lent to the
    // dispatcher for the duration of the run.
    let reserved = unsafe {
        let ll = &mut *ctx.ll;
        ll.on_write(
            addr & Reservation::ADDR_MASK,
            &mut (*ctx.stats).reservation_invalidations,
        );
        reserved_page(ll)
    };
    if mem.has_watch_hits() {
        return 1;
    }
    let p = mem.page_ptr_for_write(page);
    let slot = (page as usize) & (TLB_SIZE - 1);
    // SAFETY: the cache arrays have TLB_SIZE entries.
    unsafe {
        if page != reserved {
            *ctx.wtlb_tags.add(slot) = page;
            *ctx.wtlb_data.add(slot) = p;
        }
        *ctx.tlb_tags.add(slot) = page;
        *ctx.tlb_data.add(slot) = p;
    }
    0
}

/// The page of the doubleword a reservation watches (whatever its status: the rule compares
/// addresses only).
fn reserved_page(ll: &Reservation) -> u64 {
    (ll.addr & Reservation::ADDR_MASK) >> 12
}

/// Drops the reserved page from the write cache `tags` (of [`TLB_SIZE`] entries), so that
/// stores to it take the store helper. The dispatcher calls it before compiled code runs.
pub fn evict_reserved(tags: &mut [u64; TLB_SIZE], ll: &Reservation) {
    let page = reserved_page(ll);
    let slot = (page as usize) & (TLB_SIZE - 1);
    if tags[slot] == page {
        tags[slot] = u64::MAX;
    }
}

/// Helper functions as called from one function (see [`super::lower::Helpers`]).
pub use super::lower::Helpers;

/// Number of helpers.
pub const COUNT: usize = 2;
/// Index of `load(ctx, addr) -> word` among the helpers (and in `JitCtx::helpers`).
pub const LOAD: usize = 0;
/// Index of `store(ctx, addr, word) -> code_written`.
pub const STORE: usize = 1;

/// The Rust helpers' addresses.
fn table() -> [*const u8; COUNT] {
    [helper_load as *const u8, helper_store as *const u8]
}

/// Per helper: the words it takes after the context pointer, and whether it returns one.
const SHAPES: [(usize, bool); COUNT] = [(1, true), (2, true)];

/// Whether helper `i` returns a word (found in [`JitCtx::helper_ret`] after the call).
pub fn returns(i: usize) -> bool {
    SHAPES[i].1
}

fn signature(call_conv: CallConv, i: usize, with_return: bool) -> Signature {
    let (words, returns) = SHAPES[i];
    let mut sig = Signature::new(call_conv);
    sig.params.push(AbiParam::new(types::I64)); // *mut JitCtx
    sig.params
        .extend(std::iter::repeat_n(AbiParam::new(types::I64), words));
    if returns && with_return {
        sig.returns.push(AbiParam::new(types::I64));
    }
    sig
}

/// The wrappers' signatures (`preserve_all`, no return values), imported into a region.
pub fn in_func(func: &mut Function) -> Helpers {
    let sigs =
        std::array::from_fn(|i| func.import_signature(signature(CallConv::PreserveAll, i, false)));
    Helpers { sigs }
}

/// The wrappers' addresses, for [`JitCtx::helpers`] (plain addresses, so they can cross to the
/// dispatcher's thread).
#[derive(Debug, Clone, Copy)]
pub struct Wrappers(pub [usize; COUNT]);

impl Wrappers {
    /// As pointers, for the context.
    pub fn ptrs(&self) -> [*const u8; COUNT] {
        self.0.map(|a| a as *const u8)
    }
}

/// Compiles the `preserve_all` wrapper of every helper into `module`: each calls the Rust
/// helper (C convention) and stores its result, if any, in [`JitCtx::helper_ret`].
pub fn compile_wrappers(
    module: &mut JITModule,
    cl_ctx: &mut cranelift_codegen::Context,
    fctx: &mut FunctionBuilderContext,
) -> Result<Wrappers, String> {
    let native = module.isa().default_call_conv();
    let targets = table();
    let mut out = [0usize; COUNT];
    for i in 0..COUNT {
        let sig = signature(CallConv::PreserveAll, i, false);
        cl_ctx.func.signature = sig.clone();
        {
            let mut b = FunctionBuilder::new(&mut cl_ctx.func, fctx);
            let entry = b.create_block();
            b.append_block_params_for_function_params(entry);
            b.switch_to_block(entry);
            b.seal_block(entry);
            let args = b.block_params(entry).to_vec();
            let inner = b.import_signature(signature(native, i, true));
            // the wrappers are compiled per process and never cached, so the helper's absolute
            // address may be part of their code
            let f = b.ins().iconst(types::I64, targets[i] as i64);
            let call = b.ins().call_indirect(inner, f, &args);
            if returns(i) {
                let r = b.inst_results(call)[0];
                b.ins()
                    .store(MemFlagsData::trusted(), r, args[0], HELPER_RET as i32);
            }
            b.ins().return_(&[]);
            b.finalize(module.target_config());
        }
        out[i] =
            super::translate::define_finalized(module, cl_ctx, &sig, "the JIT helper wrappers")?
                as usize;
    }
    Ok(Wrappers(out))
}
