//! Golden IR: the Cranelift IR the JIT makes of a few representative regions, compared with
//! `tests/golden/ir/*.clif`, so that a change to the lowering, to region selection or to the
//! exit protocol shows up in review as a diff of generated code. Re-bless after an intended
//! change with `CANNONBALL_BLESS=1 cargo test -p engine --test golden_ir` and read the diff.
//!
//! Every region is also compiled (with Cranelift's IR verifier on), so a golden file never
//! records IR that does not compile.

mod common;

use common::golden;
use engine::jit::region;
use engine::jit::translate::Compiler;
use interp::arch::{Arch, Mips32, Mips64};
use interp::asm::{
    addiu, addu, beq, bne, daddiu, daddu, jal, jr, ld, lui, lw, ori, sd, slt, sw, NOP, SYSCALL,
};
use interp::state::{MtState, StState, State};
use interp::VmVersion;

const AT: u64 = 0x10000;

/// The IR of the region at `AT` over `code` (plus `more`: other code at other addresses).
fn ir<A: Arch>(code: &[u32], more: &[(u64, &[u32])]) -> String {
    let mut s = if A::IS_64 {
        State::Mt(MtState::new(VmVersion::MultiThreaded64V5, AT))
    } else {
        State::St(StState::new(AT))
    };
    let mem = s.memory_mut();
    for (base, words) in std::iter::once((AT, code)).chain(more.iter().copied()) {
        for (i, w) in words.iter().enumerate() {
            mem.write_u32(base + 4 * i as u64, *w);
        }
    }
    let blocks = region::region::<A>(mem, AT, |_| false);
    assert!(!blocks.is_empty());
    let mut c = Compiler::new(true, false).expect("a Cranelift host");
    let text = c.ir::<A>(&blocks);
    assert!(
        c.translate::<A>(&blocks).is_some(),
        "the region does not compile:\n{text}"
    );
    text
}

fn check(name: &str, text: &str) {
    golden(&format!("ir/{name}.clif"), text.as_bytes());
}

/// Straight ALU code, a conditional branch with work in its delay slot, both successors in the
/// region, and an indirect return (a chained exit through the dispatch table).
#[test]
fn alu_and_branch_64() {
    let code = [
        addu(2, 4, 5),
        daddiu(3, 2, -8),
        slt(6, 2, 3),
        beq(6, 0, 4), // to `lui`
        addiu(4, 4, 1),
        ori(5, 5, 0xff),
        jr(31),
        NOP,
        lui(7, 0x1234),
        jr(31),
        NOP,
    ];
    check("alu_and_branch_64", &ir::<Mips64>(&code, &[]));
}

/// Loads and stores of both widths (the inline page-cache lookup, the helper call on a miss,
/// the code-write exit and the LL-reservation check of the multithreaded VM) in a loop that
/// stays inside the region.
#[test]
fn memory_loop_64() {
    let code = [
        ld(2, 0, 4),
        lw(3, 8, 4),
        daddiu(2, 2, 1),
        sd(2, 0, 4),
        sw(3, 12, 4),
        addiu(5, 5, -1),
        bne(5, 0, -7), // back to the top
        NOP,
        jr(31),
        NOP,
    ];
    check("memory_loop_64", &ir::<Mips64>(&code, &[]));
}

/// A call (`jal` links in the delay-slot-free way Go code uses) into a function on another
/// page, which returns through `jr $ra`.
#[test]
fn call_and_return_64() {
    let callee: &[u32] = &[daddu(2, 2, 4), jr(31), NOP];
    let code = [jal(0x20000), NOP, addiu(2, 2, 1), jr(31), NOP];
    check(
        "call_and_return_64",
        &ir::<Mips64>(&code, &[(0x20000, callee)]),
    );
}

/// A block that ends at a syscall: the region leaves for the interpreter there.
#[test]
fn syscall_exit_64() {
    let code = [addiu(2, 0, 5000), daddiu(4, 29, 16), SYSCALL, jr(31), NOP];
    check("syscall_exit_64", &ir::<Mips64>(&code, &[]));
}

/// The single-threaded 32-bit VM: 32-bit words, no LL check on stores, a counted loop.
#[test]
fn counted_loop_32() {
    let code = [
        addiu(8, 8, 1),
        lw(9, 0, 4),
        addu(10, 10, 9),
        sw(10, 4, 4),
        bne(8, 11, -5), // back to the top
        NOP,
        jr(31),
        NOP,
    ];
    check("counted_loop_32", &ir::<Mips32>(&code, &[]));
}
