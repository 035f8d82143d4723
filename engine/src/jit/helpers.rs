//! The host helpers compiled code calls (page-cache misses, the reservation rule), declared
//! here once: their addresses (for the context, through which compiled code calls them) and
//! their signatures.

use super::ctx::{JitCtx, TLB_SIZE};
use cranelift_codegen::ir::{types, AbiParam, Function, Signature};
use cranelift_codegen::isa::CallConv;

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

/// Page-cache miss on a store: performs it; returns 1 if it wrote a page holding compiled code.
unsafe extern "C" fn helper_store(ctx: *mut JitCtx, addr: u64, v: u64) -> u64 {
    // SAFETY: as in `helper_load`.
    let ctx = unsafe { &mut *ctx };
    // SAFETY: `mem` points at the VM's memory, exclusively lent to the dispatcher.
    let mem = unsafe { &mut *ctx.mem };
    let page = addr >> 12;
    let bytes = if mem.depth() > 32 { 8 } else { 4 };
    mem.write_word(addr, bytes, v);
    if mem.has_watch_hits() {
        return 1;
    }
    let p = mem.page_ptr_for_write(page);
    let slot = (page as usize) & (TLB_SIZE - 1);
    // SAFETY: the cache arrays have TLB_SIZE entries.
    unsafe {
        *ctx.wtlb_tags.add(slot) = page;
        *ctx.wtlb_data.add(slot) = p;
        *ctx.tlb_tags.add(slot) = page;
        *ctx.tlb_data.add(slot) = p;
    }
    0
}

/// A store to the aligned word `addr` hit the reserved word: the interpreter's reservation rule
/// clears it and counts the invalidation.
unsafe extern "C" fn helper_ll_clear(ctx: *mut JitCtx, addr: u64) {
    // SAFETY: as in `helper_load`; `ll` points at the state's reservation.
    let ctx = unsafe { &mut *ctx };
    // SAFETY: `ll` and `stats` point at the VM's reservation and statistics, lent to the
    // dispatcher for the duration of the run.
    unsafe {
        (*ctx.ll).on_write(addr, &mut (*ctx.stats).reservation_invalidations);
    }
}

/// Helper functions as called from one function (see [`super::lower::Helpers`]).
pub use super::lower::Helpers;

/// Number of helpers.
pub const COUNT: usize = 3;
/// Index of `load(ctx, addr) -> word` in [`table`] (and in `JitCtx::helpers`).
pub const LOAD: usize = 0;
/// Index of `store(ctx, addr, word) -> code_written`.
pub const STORE: usize = 1;
/// Index of `ll_clear(ctx, addr)`.
pub const LL_CLEAR: usize = 2;

/// The helpers' addresses, for the context: compiled code calls them through it (never by an
/// absolute address in the code), so a translation is position independent and can be kept on
/// disk and mapped anywhere.
pub fn table() -> [*const u8; COUNT] {
    [
        helper_load as *const u8,
        helper_store as *const u8,
        helper_ll_clear as *const u8,
    ]
}

/// The helpers' signatures (C convention; parameters after the context pointer, whether a
/// word is returned), imported into `func`.
pub fn in_func(func: &mut Function, call_conv: CallConv) -> Helpers {
    let table: [(usize, bool); COUNT] = [(1, true), (2, true), (1, false)];
    let sigs = table.map(|(words, returns)| {
        let mut sig = Signature::new(call_conv);
        sig.params.push(AbiParam::new(types::I64)); // *mut JitCtx
        sig.params
            .extend(std::iter::repeat_n(AbiParam::new(types::I64), words));
        if returns {
            sig.returns.push(AbiParam::new(types::I64));
        }
        func.import_signature(sig)
    });
    Helpers { sigs }
}
