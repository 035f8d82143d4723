//! The host helpers compiled code calls (page-cache misses, the reservation rule), declared
//! here once: their symbols for the JIT linker, their signatures, and their ids in a module.

use super::ctx::{JitCtx, TLB_SIZE};
use cranelift_codegen::ir::{types, AbiParam, FuncRef, Function};
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{FuncId, Linkage, Module};

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

/// The helpers' ids in one module: load, store, ll_clear.
#[derive(Debug, Clone, Copy)]
pub struct HelperIds([FuncId; 3]);

/// Helper functions as called from one function (see [`super::lower::Helpers`]).
pub use super::lower::Helpers;

/// Makes the helpers' symbols known to the JIT linker.
pub fn register(jb: &mut JITBuilder) {
    jb.symbol("cb_load", helper_load as *const u8);
    jb.symbol("cb_store", helper_store as *const u8);
    jb.symbol("cb_ll_clear", helper_ll_clear as *const u8);
}

/// Declares the helpers (name, parameters after the context pointer, returns a word) in
/// `module`.
pub fn declare(module: &mut JITModule) -> Result<HelperIds, String> {
    let table: [(&str, usize, bool); 3] = [
        ("cb_load", 1, true),
        ("cb_store", 2, true),
        ("cb_ll_clear", 1, false),
    ];
    let mut ids = Vec::with_capacity(3);
    for (name, words, returns) in table {
        let mut sig = module.make_signature();
        sig.params.push(AbiParam::new(types::I64)); // *mut JitCtx
        sig.params
            .extend(std::iter::repeat_n(AbiParam::new(types::I64), words));
        if returns {
            sig.returns.push(AbiParam::new(types::I64));
        }
        ids.push(
            module
                .declare_function(name, Linkage::Import, &sig)
                .map_err(|e| e.to_string())?,
        );
    }
    Ok(HelperIds([ids[0], ids[1], ids[2]]))
}

/// References to the helpers from inside `func`.
pub fn in_func(module: &mut JITModule, ids: HelperIds, func: &mut Function) -> Helpers {
    let r = |m: &mut JITModule, f: &mut Function, id: FuncId| -> FuncRef {
        m.declare_func_in_func(id, f)
    };
    Helpers {
        load: r(module, func, ids.0[0]),
        store: r(module, func, ids.0[1]),
        ll_clear: r(module, func, ids.0[2]),
    }
}
