//! The context compiled code runs against: guest registers, PCs, the step budget, the page
//! caches and pointers for the helpers. `repr(C)`, with every offset compiled code uses declared
//! once below and pinned by a test.

use std::mem::offset_of;

/// Entries of each page cache (read and write), direct-mapped by page index.
pub const TLB_SIZE: usize = 1024;

/// The block ran to its end; `pc`/`next_pc` hold where the guest continues.
pub const EXIT_CONTINUE: u64 = 0;
/// The block is longer than the remaining budget; nothing was executed.
pub const EXIT_BUDGET: u64 = 1;
/// Stopped before an instruction the interpreter must execute (it would trap).
pub const EXIT_INTERP: u64 = 2;
/// A store hit a page holding compiled code; the state is just after that instruction.
pub const EXIT_CODE_WRITE: u64 = 3;

/// Context shared by the dispatcher, compiled blocks and helpers.
#[repr(C)]
#[derive(Debug)]
pub struct JitCtx {
    /// r0..r31.
    pub regs: [u64; 32],
    /// HI.
    pub hi: u64,
    /// LO.
    pub lo: u64,
    /// PC.
    pub pc: u64,
    /// NextPC.
    pub next_pc: u64,
    /// Steps the guest may still execute before control must return.
    pub budget: u64,
    /// Read page cache: page index per slot (`u64::MAX` = empty).
    pub tlb_tags: *mut u64,
    /// Read page cache: page data pointer per slot.
    pub tlb_data: *mut *mut u8,
    /// Write page cache (only dirty, unwatched pages): page index per slot.
    pub wtlb_tags: *mut u64,
    /// Write page cache: page data pointer per slot.
    pub wtlb_data: *mut *mut u8,
    /// The guest memory (for helpers).
    pub mem: *mut interp::memory::Memory,
    /// The LL reservation (cannon64; a dummy for the 32-bit VM).
    pub ll: *mut interp::state::Reservation,
    /// Statistics of the VM (for helpers).
    pub stats: *mut interp::vm::Stats,
    /// The dispatcher's table of translations ([`DISPATCH_SIZE`] entries), through which a
    /// region continues straight into the next one.
    pub dispatch: *const DispatchEntry,
    /// The host helpers, by index (see [`super::helpers`]).
    pub helpers: [*const u8; super::helpers::COUNT],
    /// What the last helper returned (helpers are called with Cranelift's `preserve_all`
    /// convention, which has no return values; see [`super::helpers`]).
    pub helper_ret: u64,
    /// Where a region built to trace ([`super::translate::Compiler::new`]) records the next
    /// block it runs (an [`interp::vm::Traced`]); the dispatcher reserves room for as many
    /// entries as the budget has steps.
    pub trace: *mut interp::vm::Traced,
}

/// Entries of the dispatch table, direct-mapped by `(pc >> 2) % DISPATCH_SIZE`.
pub const DISPATCH_SIZE: usize = 1 << 16;

/// One slot of the dispatch table: a region's entry PC and its code (`tag == u64::MAX` and a
/// null `func` when empty).
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct DispatchEntry {
    /// Entry PC.
    pub tag: u64,
    /// The region's code (tail calling convention), or null.
    pub func: *const u8,
}

impl DispatchEntry {
    /// An empty slot.
    pub const EMPTY: DispatchEntry = DispatchEntry {
        tag: u64::MAX,
        func: std::ptr::null(),
    };
}

/// Offset of a dispatch entry's code pointer.
pub const DISPATCH_FUNC: usize = offset_of!(DispatchEntry, func);
/// Size of a dispatch entry.
pub const DISPATCH_ENTRY: usize = std::mem::size_of::<DispatchEntry>();

/// Offset of HI.
pub const HI: usize = offset_of!(JitCtx, hi);
/// Offset of LO.
pub const LO: usize = offset_of!(JitCtx, lo);
/// Offset of PC.
pub const PC: usize = offset_of!(JitCtx, pc);
/// Offset of NextPC.
pub const NEXT_PC: usize = offset_of!(JitCtx, next_pc);
/// Offset of the budget.
pub const BUDGET: usize = offset_of!(JitCtx, budget);
/// Offset of the read-cache tag pointer.
pub const TLB_TAGS: usize = offset_of!(JitCtx, tlb_tags);
/// Offset of the read-cache data pointer.
pub const TLB_DATA: usize = offset_of!(JitCtx, tlb_data);
/// Offset of the write-cache tag pointer.
pub const WTLB_TAGS: usize = offset_of!(JitCtx, wtlb_tags);
/// Offset of the write-cache data pointer.
pub const WTLB_DATA: usize = offset_of!(JitCtx, wtlb_data);
/// Offset of the reservation pointer.
pub const LL_PTR: usize = offset_of!(JitCtx, ll);
/// Offset of the statistics pointer.
pub const STATS_PTR: usize = offset_of!(JitCtx, stats);
/// Offset of the dispatch table pointer.
pub const DISPATCH: usize = offset_of!(JitCtx, dispatch);
/// Offset of the helper table.
pub const HELPERS: usize = offset_of!(JitCtx, helpers);
pub const HELPER_RET: usize = offset_of!(JitCtx, helper_ret);
/// Offset of the trace pointer.
pub const TRACE: usize = offset_of!(JitCtx, trace);
/// Size of one trace entry, and the offsets of its fields.
pub const TRACED_SIZE: usize = std::mem::size_of::<interp::vm::Traced>();
/// Offset of a trace entry's PC.
pub const TRACED_PC: usize = offset_of!(interp::vm::Traced, pc);
/// Offset of a trace entry's step count.
pub const TRACED_STEPS: usize = offset_of!(interp::vm::Traced, steps);
/// Offset of the instruction-cache miss counter in the VM's statistics.
pub const STATS_ICACHE_MISSES: usize = offset_of!(interp::vm::Stats, icache_misses);
/// Offset of the highest missed PC in the VM's statistics.
pub const STATS_HIGHEST_ICACHE_MISS: usize = offset_of!(interp::vm::Stats, highest_icache_miss_pc);

/// Offset of register `r`.
pub const fn reg(r: usize) -> usize {
    offset_of!(JitCtx, regs) + 8 * r
}

/// Offset of the register with bit `r` in an [`interp::decode::RegSet`] (HI and LO included).
pub fn reg_slot(r: usize) -> usize {
    match r as u32 {
        interp::decode::REG_HI => HI,
        interp::decode::REG_LO => LO,
        _ => reg(r),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Compiled code addresses these offsets; a layout change must be deliberate.
    #[test]
    fn pinned_offsets() {
        assert_eq!(reg(0), 0);
        assert_eq!(reg(31), 248);
        assert_eq!((HI, LO, PC, NEXT_PC, BUDGET), (256, 264, 272, 280, 288));
        assert_eq!(
            (TLB_TAGS, TLB_DATA, WTLB_TAGS, WTLB_DATA),
            (296, 304, 312, 320)
        );
        assert_eq!(LL_PTR, 336);
        assert_eq!((DISPATCH, HELPERS, HELPER_RET), (352, 360, 376));
        assert_eq!(TRACE, 384);
        assert_eq!(std::mem::size_of::<JitCtx>(), 392);
        assert_eq!((TRACED_SIZE, TRACED_PC, TRACED_STEPS), (16, 0, 8));
        assert_eq!((DISPATCH_FUNC, DISPATCH_ENTRY), (8, 16));
    }
}
