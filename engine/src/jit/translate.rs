//! Translation: a region of decoded blocks to one native function, lowered from the
//! interpreter's own semantics through [`JitOps`]. A [`Compiler`] owns a Cranelift module; it runs
//! on the dispatcher's thread or on the background compile thread ([`super::background`]).

use super::ctx;
use super::helpers;
use super::lower::{ExitPc, JitOps, JV};
use super::{RegionFn, Trampoline};
use cranelift_codegen::ir::{types, AbiParam, InstBuilder, MemFlagsData, Signature, UserFuncName};
use cranelift_codegen::isa::CallConv;
use cranelift_codegen::settings::{self, Configurable};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{default_libcall_names, Module};
use interp::arch::Arch;
use interp::decode::{Insn, RegSet};
use interp::ops::Flow;
use interp::semantics::execute;
use interp::vm::icache_miss;
use rustc_hash::FxHashMap;

/// A Cranelift module and the state to translate regions into it.
pub struct Compiler {
    pub(super) module: JITModule,
    pub(super) cl_ctx: cranelift_codegen::Context,
    pub(super) fctx: FunctionBuilderContext,
    /// Functions translated so far (names them).
    count: u32,
    /// The entry from Rust into a region (see [`Trampoline`]).
    pub trampoline: Trampoline,
    /// The helper wrappers regions call (see [`helpers`]).
    pub wrappers: helpers::Wrappers,
    /// Regions continue into the next region directly (`CANNONBALL_JIT_CHAIN=0` turns it off,
    /// so every region returns to the dispatcher).
    chain: bool,
    /// Every block records itself in the context's trace ([`ctx::JitCtx::trace`]) when it runs.
    trace: bool,
    /// Everything about this compiler that decides the machine code it emits (see
    /// [`super::cache::key`]).
    pub settings: String,
}

/// A translated region: its code, and the bytes of that code when they are position
/// independent (no relocations), for the persistent cache.
#[derive(Debug)]
pub struct Translation {
    /// The installed code.
    pub func: RegionFn,
    /// Its machine code, when it can be kept on disk.
    pub bytes: Option<Vec<u8>>,
}

impl std::fmt::Debug for Compiler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Compiler")
            .field("count", &self.count)
            .finish()
    }
}

impl Compiler {
    /// A compiler for this host, with or without Cranelift's IR verifier; with `trace`, every
    /// block it compiles records its start and length in the context's trace when it runs (for
    /// observed runs: profiles and tracebacks).
    pub fn new(verify: bool, trace: bool) -> Result<Self, String> {
        let mut flags = settings::builder();
        flags
            .set("enable_verifier", if verify { "true" } else { "false" })
            .map_err(|e| e.to_string())?;
        flags
            .set("opt_level", &opt_level())
            .map_err(|e| e.to_string())?;
        flags
            .set("regalloc_algorithm", &regalloc_algorithm())
            .map_err(|e| e.to_string())?;
        flags
            .set("use_colocated_libcalls", "false")
            .map_err(|e| e.to_string())?;
        flags.set("is_pic", "false").map_err(|e| e.to_string())?;
        // Cranelift's x64 tail calls (region to region) rely on frame pointers
        flags
            .set("preserve_frame_pointers", "true")
            .map_err(|e| e.to_string())?;
        let isa = cranelift_native::builder()
            .map_err(|e| format!("this host is not supported by Cranelift: {e}"))?
            .finish(settings::Flags::new(flags))
            .map_err(|e| e.to_string())?;
        let chain = std::env::var("CANNONBALL_JIT_CHAIN").map_or(true, |v| v != "0");
        let mut settings: String = isa
            .flags()
            .to_string()
            .lines()
            .filter(|l| !l.contains("enable_verifier"))
            .collect::<Vec<_>>()
            .join("\n");
        for v in isa.isa_flags() {
            settings.push_str(&format!("\n{v}"));
        }
        settings.push_str(&format!("\n{}\nchain={chain}\ntrace={trace}", isa.triple()));
        let jb = JITBuilder::with_isa(isa, default_libcall_names());
        let mut module = JITModule::new(jb);
        let mut cl_ctx = module.make_context();
        let mut fctx = FunctionBuilderContext::new();
        let trampoline = compile_trampoline(&mut module, &mut cl_ctx, &mut fctx)?;
        let wrappers = helpers::compile_wrappers(&mut module, &mut cl_ctx, &mut fctx)?;
        Ok(Compiler {
            cl_ctx,
            module,
            fctx,
            count: 0,
            trampoline,
            wrappers,
            chain,
            trace,
            settings,
        })
    }

    /// Translates a region (its first block is the entry) to one native function. Guest
    /// registers live in Cranelift variables for the whole region, so loops inside it run
    /// without returning to the dispatcher; each block checks the step budget on entry.
    pub fn translate<A: Arch>(&mut self, blocks: &[Vec<(u64, Insn)>]) -> Option<Translation> {
        self.build::<A>(blocks);
        if std::env::var("CANNONBALL_JIT_DUMP").is_ok_and(|v| v == "ir") {
            eprintln!("{}", self.cl_ctx.func.display());
        }
        self.compile(blocks[0][0].0)
    }

    /// The Cranelift IR of a region, as text (what [`Compiler::translate`] compiles), for
    /// golden tests and for reading what the lowering makes of guest code.
    pub fn ir<A: Arch>(&mut self, blocks: &[Vec<(u64, Insn)>]) -> String {
        self.build::<A>(blocks);
        let text = self.cl_ctx.func.display().to_string();
        self.module.clear_context(&mut self.cl_ctx);
        text
    }

    /// Builds the region's function in `cl_ctx` (not yet compiled).
    fn build<A: Arch>(&mut self, blocks: &[Vec<(u64, Insn)>]) {
        self.cl_ctx.func.signature = region_signature();
        self.cl_ctx.func.name = UserFuncName::user(0, self.count);
        {
            let mut b = FunctionBuilder::new(&mut self.cl_ctx.func, &mut self.fctx);
            let helpers = helpers::in_func(b.func);
            let entry = b.create_block();
            b.append_block_params_for_function_params(entry);
            b.switch_to_block(entry);
            let ctxv = b.block_params(entry)[0];
            let flags = MemFlagsData::trusted();

            // registers the region writes live in variables, loaded once at entry; every exit
            // writes them back. Registers it only reads are loaded where they are read.
            let all: Vec<(u64, Insn)> = blocks.iter().flatten().copied().collect();
            let used = used_registers(&all);
            let written = written_registers(&all);
            let vars: [Variable; 34] = std::array::from_fn(|_| b.declare_var(types::I64));
            for (r, &var) in vars.iter().enumerate() {
                if used & written & (1 << r) == 0 {
                    continue;
                }
                let off = ctx::reg_slot(r);
                let v = b.ins().load(types::I64, flags, ctxv, off as i32);
                b.def_var(var, v);
            }
            let bvar = b.declare_var(types::I64);
            let budget = b.ins().load(types::I64, flags, ctxv, ctx::BUDGET as i32);
            b.def_var(bvar, budget);

            let heads: Vec<cranelift_codegen::ir::Block> =
                blocks.iter().map(|_| b.create_block()).collect();
            let index: FxHashMap<u64, usize> = blocks
                .iter()
                .enumerate()
                .map(|(i, blk)| (blk[0].0, i))
                .collect();

            let mut ops = JitOps::<A>::new(&mut b, ctxv, &vars, helpers);
            ops.read_only(used & !written);
            ops.load_bases();
            ops.b.ins().jump(heads[0], &[]);
            let mut exits = Vec::new();
            for (bi, insns) in blocks.iter().enumerate() {
                let n = insns.len() as u64;
                let head_pc = insns[0].0;
                ops.b.switch_to_block(heads[bi]);
                // budget check: the whole block must fit, else leave before it
                let left = ops.b.use_var(bvar);
                let fits = ops.b.ins().icmp_imm_s(
                    cranelift_codegen::ir::condcodes::IntCC::UnsignedGreaterThanOrEqual,
                    left,
                    n as i64,
                );
                let body = ops.b.create_block();
                let no_fit = ops.b.create_block();
                ops.b.ins().brif(fits, body, &[], no_fit, &[]);
                let code = if bi == 0 {
                    ctx::EXIT_BUDGET
                } else {
                    ctx::EXIT_CONTINUE
                };
                exits.push((
                    no_fit,
                    0,
                    ExitPc::Fixed(head_pc, A::next_insn(head_pc)),
                    code,
                ));
                ops.b.switch_to_block(body);
                if self.trace {
                    // record the block: side exits inside it are corrected by the dispatcher
                    let t = ops.b.ins().load(types::I64, flags, ctxv, ctx::TRACE as i32);
                    let pcv = ops.b.ins().iconst(types::I64, head_pc as i64);
                    ops.b.ins().store(flags, pcv, t, ctx::TRACED_PC as i32);
                    let nv = ops.b.ins().iconst(types::I64, n as i64);
                    ops.b.ins().store(flags, nv, t, ctx::TRACED_STEPS as i32);
                    let t = ops.b.ins().iadd_imm_s(t, ctx::TRACED_SIZE as i64);
                    ops.b.ins().store(flags, t, ctxv, ctx::TRACE as i32);
                }

                let mut pending: Option<(JV, JV)> = None; // the block's branch (cond, target)
                let mut terminated = false;
                for (i, &(ipc, insn)) in insns.iter().enumerate() {
                    ops.index = i as u64;
                    ops.pc = ipc;
                    // where a side exit before this instruction resumes: inside the delay slot,
                    // NextPC is the pending branch's outcome
                    ops.exit_here = match pending {
                        None => ExitPc::Fixed(ipc, A::next_insn(ipc)),
                        Some((c, t)) => {
                            let fall = JV::K(A::next_insn(ipc));
                            let np = interp::ops::Ops::select(&mut ops, c, t, fall);
                            ExitPc::Slot(ipc, ops.val(np))
                        }
                    };
                    ops.exit_after = match (pending, ops.exit_here) {
                        (Some(_), ExitPc::Slot(_, np)) => ExitPc::After(np),
                        _ => ExitPc::Fixed(A::next_insn(ipc), A::next_insn(A::next_insn(ipc))),
                    };
                    if icache_miss(ipc, A::IS_64) {
                        ops.count_icache_miss(ipc);
                    }
                    match execute::<A, _>(&mut ops, insn) {
                        Ok(Flow::Seq) => {}
                        Ok(Flow::Branch { cond, target }) => pending = Some((cond, target)),
                        Ok(Flow::Jump { target }) => pending = Some((JV::K(1), target)),
                        Err(_) => {
                            terminated = true;
                            break;
                        }
                    }
                }
                exits.append(&mut ops.exits);
                if terminated {
                    continue;
                }
                // block end: account its steps, then continue where the guest goes next
                let left = ops.b.use_var(bvar);
                let left = ops.b.ins().iadd_imm_s(left, -(n as i64));
                ops.b.def_var(bvar, left);
                let last_pc = insns[n as usize - 1].0;
                let fall = A::next_insn(last_pc);
                let edge = |ops: &mut JitOps<'_, '_, A>, exits: &mut Vec<_>, to: JV| match to {
                    JV::K(t) if index.contains_key(&t) => {
                        ops.b.ins().jump(heads[index[&t]], &[]);
                    }
                    JV::K(t) => {
                        let x = ops.b.create_block();
                        ops.b.ins().jump(x, &[]);
                        exits.push((x, 0, ExitPc::Fixed(t, A::next_insn(t)), ctx::EXIT_CONTINUE));
                    }
                    JV::V(v) => {
                        let x = ops.b.create_block();
                        ops.b.ins().jump(x, &[]);
                        exits.push((x, 0, ExitPc::After(v), ctx::EXIT_CONTINUE));
                    }
                };
                match pending {
                    None => edge(&mut ops, &mut exits, JV::K(fall)),
                    Some((JV::K(c), t)) => {
                        edge(&mut ops, &mut exits, if c != 0 { t } else { JV::K(fall) })
                    }
                    Some((JV::V(c), t)) => {
                        let (tb, fb) = (ops.b.create_block(), ops.b.create_block());
                        ops.b.ins().brif(c, tb, &[], fb, &[]);
                        ops.b.switch_to_block(tb);
                        edge(&mut ops, &mut exits, t);
                        ops.b.switch_to_block(fb);
                        edge(&mut ops, &mut exits, JV::K(fall));
                    }
                }
            }
            drop(ops);
            // every exit jumps to one shared tail that writes the guest state back, then
            // continues into the next region where it can
            let tail = b.create_block();
            for _ in 0..5 {
                b.append_block_param(tail, types::I64);
            }
            for (blk, steps, at, code) in exits {
                b.switch_to_block(blk);
                let chain = self.chain && code == ctx::EXIT_CONTINUE && starts_block::<A>(at);
                let (pc, np) = exit_pcs::<A>(&mut b, at);
                let steps = b.ins().iconst(types::I64, steps as i64);
                let code = b.ins().iconst(types::I64, code as i64);
                let chain = b.ins().iconst(types::I64, i64::from(chain));
                b.ins().jump(
                    tail,
                    &[
                        pc.into(),
                        np.into(),
                        steps.into(),
                        code.into(),
                        chain.into(),
                    ],
                );
            }
            b.switch_to_block(tail);
            let p = b.block_params(tail).to_vec();
            emit_exit(&mut b, ctxv, &vars, bvar, written, &p);
            b.seal_all_blocks();
            b.finalize(self.module.target_config());
        }
    }

    /// Compiles the function in `cl_ctx` (the region at `entry`).
    fn compile(&mut self, entry: u64) -> Option<Translation> {
        let id = self
            .module
            .declare_anonymous_function(&self.cl_ctx.func.signature)
            .ok()?;
        let disasm = std::env::var("CANNONBALL_JIT_DUMP").is_ok_and(|v| v == "asm");
        self.cl_ctx.set_disasm(disasm);
        if let Err(e) = self.module.define_function(id, &mut self.cl_ctx) {
            tracing::warn!("jit: cannot compile region at 0x{entry:x}: {e:?}");
            self.module.clear_context(&mut self.cl_ctx);
            return None;
        }
        if disasm {
            if let Some(v) = self.cl_ctx.compiled_code().and_then(|c| c.vcode.as_ref()) {
                eprintln!("region 0x{entry:x}:\n{v}");
            }
        }
        let bytes = self
            .cl_ctx
            .compiled_code()
            .filter(|c| c.buffer.relocs().is_empty())
            .map(|c| c.code_buffer().to_vec());
        self.module.clear_context(&mut self.cl_ctx);
        self.module.finalize_definitions().ok()?;
        Some(Translation {
            func: RegionFn(self.module.get_finalized_function(id)),
            bytes,
        })
    }
}

/// The signature of every region: `(ctx) -> exit code` in Cranelift's tail calling convention,
/// so that a region can end in a tail call of the next.
fn region_signature() -> Signature {
    let mut s = Signature::new(CallConv::Tail);
    s.params.push(AbiParam::new(types::I64));
    s.returns.push(AbiParam::new(types::I64));
    s
}

/// Compiles the trampoline: a C-convention function `(ctx, region) -> exit code` that calls a
/// region (Rust cannot call the tail convention directly).
fn compile_trampoline(
    module: &mut JITModule,
    cl_ctx: &mut cranelift_codegen::Context,
    fctx: &mut FunctionBuilderContext,
) -> Result<Trampoline, String> {
    let mut sig = module.make_signature();
    sig.params.push(AbiParam::new(types::I64));
    sig.params.push(AbiParam::new(types::I64));
    sig.returns.push(AbiParam::new(types::I64));
    cl_ctx.func.signature = sig.clone();
    {
        let mut b = FunctionBuilder::new(&mut cl_ctx.func, fctx);
        let entry = b.create_block();
        b.append_block_params_for_function_params(entry);
        b.switch_to_block(entry);
        b.seal_block(entry);
        let p = b.block_params(entry).to_vec();
        let region = b.import_signature(region_signature());
        let call = b.ins().call_indirect(region, p[1], &[p[0]]);
        let r = b.inst_results(call)[0];
        b.ins().return_(&[r]);
        b.finalize(module.target_config());
    }
    let ptr = define_finalized(module, cl_ctx, &sig, "the JIT trampoline")?;
    // SAFETY: compiled just above with the C signature `(*mut JitCtx, *const u8) -> u64` (the
    // ISA's default calling convention is the C convention on this host).
    Ok(unsafe { std::mem::transmute::<*const u8, Trampoline>(ptr) })
}

/// Compiles the function built in `cl_ctx` (signature `sig`) into `module`, makes it
/// executable and returns its address; `what` names it in errors. For the code compiled once
/// per [`Compiler`] (the trampoline, the helper wrappers); regions go through
/// [`Compiler::translate`].
pub(super) fn define_finalized(
    module: &mut JITModule,
    cl_ctx: &mut cranelift_codegen::Context,
    sig: &Signature,
    what: &str,
) -> Result<*const u8, String> {
    let id = module
        .declare_anonymous_function(sig)
        .map_err(|e| e.to_string())?;
    module
        .define_function(id, cl_ctx)
        .map_err(|e| format!("cannot compile {what}: {e:?}"))?;
    module.clear_context(cl_ctx);
    module.finalize_definitions().map_err(|e| e.to_string())?;
    Ok(module.get_finalized_function(id))
}

/// True when an exit at `at` leaves the guest where a block can start (NextPC = PC + 4), so the
/// next region may be entered directly. (An `After` exit's PC may be misaligned; no region
/// is ever registered at such a PC, so the dispatch lookup misses.)
fn starts_block<A: Arch>(at: ExitPc) -> bool {
    match at {
        ExitPc::Fixed(pc, np) => np == A::next_insn(pc),
        ExitPc::After(_) => true,
        ExitPc::Slot(..) => false,
    }
}

/// Cranelift's optimization level: `CANNONBALL_JIT_OPT` (`none`, `speed`), by default `none`.
/// The lowering already folds constants and keeps guest registers in SSA values, so Cranelift's
/// e-graph pass adds nothing measurable to the code (compute-small under callgrind: 440.7 M
/// instructions in compiled code at `speed`, 441.7 M at `none`) and costs about a sixth of the
/// compile time.
fn opt_level() -> String {
    std::env::var("CANNONBALL_JIT_OPT").unwrap_or_else(|_| "none".to_string())
}

/// Cranelift's register allocator for blocks: `CANNONBALL_JIT_REGALLOC` (`backtracking` or
/// `single_pass`), by default `backtracking`.
fn regalloc_algorithm() -> String {
    std::env::var("CANNONBALL_JIT_REGALLOC").unwrap_or_else(|_| "backtracking".to_string())
}

/// A superset of the registers the region's instructions read or write.
fn used_registers(insns: &[(u64, Insn)]) -> RegSet {
    insns.iter().fold(0, |m, (_, i)| m | i.regs_used())
}

/// A superset of the registers the region's instructions write.
fn written_registers(insns: &[(u64, Insn)]) -> RegSet {
    insns.iter().fold(0, |m, (_, i)| m | i.regs_written())
}

/// PC and NextPC of an exit as IR values.
fn exit_pcs<A: Arch>(
    b: &mut FunctionBuilder<'_>,
    at: ExitPc,
) -> (cranelift_codegen::ir::Value, cranelift_codegen::ir::Value) {
    match at {
        ExitPc::Fixed(pc, np) => (
            b.ins().iconst(types::I64, pc as i64),
            b.ins().iconst(types::I64, np as i64),
        ),
        ExitPc::Slot(pc, np) => (b.ins().iconst(types::I64, pc as i64), np),
        ExitPc::After(pc) => {
            let np = b.ins().iadd_imm_s(pc, A::INSN_BYTES as i64);
            let np = if A::IS_64 {
                np
            } else {
                b.ins().band_imm_s(np, 0xFFFF_FFFF)
            };
            (pc, np)
        }
    }
}

/// The shared exit tail: writes back the registers in `flush`, PC/NextPC (`p[0]`, `p[1]`) and
/// the budget less `p[2]` steps, and returns the exit code `p[3]`.
fn emit_exit(
    b: &mut FunctionBuilder<'_>,
    ctxv: cranelift_codegen::ir::Value,
    vars: &[Variable; 34],
    bvar: Variable,
    flush: u64,
    p: &[cranelift_codegen::ir::Value],
) {
    let flags = MemFlagsData::trusted();
    for (r, &var) in vars.iter().enumerate() {
        if flush & (1 << r) != 0 {
            let off = ctx::reg_slot(r);
            let v = b.use_var(var);
            b.ins().store(flags, v, ctxv, off as i32);
        }
    }
    b.ins().store(flags, p[0], ctxv, ctx::PC as i32);
    b.ins().store(flags, p[1], ctxv, ctx::NEXT_PC as i32);
    let budget = b.use_var(bvar);
    let left = b.ins().isub(budget, p[2]);
    b.ins().store(flags, left, ctxv, ctx::BUDGET as i32);
    // continue into the next region when the exit allows it (`p[4]`) and the dispatch table
    // holds a translation for the PC; otherwise return to the dispatcher
    let (lookup, call, ret) = (b.create_block(), b.create_block(), b.create_block());
    b.ins().brif(p[4], lookup, &[], ret, &[]);
    b.switch_to_block(lookup);
    let table = b.ins().load(types::I64, flags, ctxv, ctx::DISPATCH as i32);
    let slot = b.ins().ushr_imm_u(p[0], 2);
    let slot = b.ins().band_imm_s(slot, (ctx::DISPATCH_SIZE - 1) as i64);
    let off = b.ins().imul_imm_s(slot, ctx::DISPATCH_ENTRY as i64);
    let entry = b.ins().iadd(table, off);
    let tag = b.ins().load(types::I64, flags, entry, 0);
    let hit = b
        .ins()
        .icmp(cranelift_codegen::ir::condcodes::IntCC::Equal, tag, p[0]);
    b.ins().brif(hit, call, &[], ret, &[]);
    b.switch_to_block(call);
    let f = b
        .ins()
        .load(types::I64, flags, entry, ctx::DISPATCH_FUNC as i32);
    let sig = b.import_signature(region_signature());
    b.ins().return_call_indirect(sig, f, &[ctxv]);
    b.switch_to_block(ret);
    b.ins().return_(&[p[3]]);
}

#[cfg(test)]
mod parity {
    //! Primitive parity: each lowered primitive, compiled on run-time operands, against the
    //! interpreter's evaluation of the same primitive, on edge cases and random operands.
    use super::*;
    use interp::arch::{Mips32, Mips64};
    use interp::ops::{eval_bin, eval_div_rem, eval_mul_wide, eval_un};
    use interp::ops::{Bin, Ops, Un};
    use interp::vm::splitmix64;

    #[derive(Clone, Copy, Debug)]
    enum Prim {
        Bin(Bin),
        Un(Un),
        MulHi(bool),
        MulLo(bool),
        Div(bool),
        Rem(bool),
        Select,
    }

    type Fn3 = unsafe extern "C" fn(u64, u64, u64) -> u64;

    fn compile<A: Arch>(jit: &mut Compiler, p: Prim) -> Fn3 {
        let mut sig = jit.module.make_signature();
        for _ in 0..3 {
            sig.params.push(AbiParam::new(types::I64));
        }
        sig.returns.push(AbiParam::new(types::I64));
        jit.cl_ctx.func.signature = sig.clone();
        {
            let mut b = FunctionBuilder::new(&mut jit.cl_ctx.func, &mut jit.fctx);
            let helpers = helpers::in_func(b.func);
            let entry = b.create_block();
            b.append_block_params_for_function_params(entry);
            b.switch_to_block(entry);
            b.seal_block(entry);
            let ps = b.block_params(entry).to_vec();
            let vars: [Variable; 34] = std::array::from_fn(|_| b.declare_var(types::I64));
            let zero = b.ins().iconst(types::I64, 0);
            let mut o = JitOps::<A>::new(&mut b, zero, &vars, helpers);
            let (x, y, z) = (JV::V(ps[0]), JV::V(ps[1]), JV::V(ps[2]));
            let r = match p {
                Prim::Bin(op) => o.bin(op, x, y),
                Prim::Un(op) => o.un(op, x),
                Prim::MulHi(s) => o.mul_wide(s, x, y).0,
                Prim::MulLo(s) => o.mul_wide(s, x, y).1,
                Prim::Div(s) => o.div_rem(s, x, y).0,
                Prim::Rem(s) => o.div_rem(s, x, y).1,
                Prim::Select => o.select(z, x, y),
            };
            let r = o.val(r);
            drop(o);
            b.ins().return_(&[r]);
            b.finalize(jit.module.target_config());
        }
        let id = jit.module.declare_anonymous_function(&sig).unwrap();
        jit.module.define_function(id, &mut jit.cl_ctx).unwrap();
        jit.module.clear_context(&mut jit.cl_ctx);
        jit.module.finalize_definitions().unwrap();
        // SAFETY: compiled just above with this signature.
        unsafe { std::mem::transmute::<*const u8, Fn3>(jit.module.get_finalized_function(id)) }
    }

    fn expect<A: Arch>(p: Prim, x: u64, y: u64, z: u64) -> u64 {
        match p {
            Prim::Bin(op) => eval_bin::<A>(op, x, y),
            Prim::Un(op) => eval_un::<A>(op, x),
            Prim::MulHi(s) => eval_mul_wide::<A>(s, x, y).0,
            Prim::MulLo(s) => eval_mul_wide::<A>(s, x, y).1,
            Prim::Div(s) => eval_div_rem::<A>(s, x, y).0,
            Prim::Rem(s) => eval_div_rem::<A>(s, x, y).1,
            Prim::Select => {
                if z != 0 {
                    x
                } else {
                    y
                }
            }
        }
    }

    fn parity<A: Arch>() {
        let mut jit = Compiler::new(true, false).unwrap();
        let edges: Vec<u64> = [
            0u64,
            1,
            2,
            3,
            7,
            31,
            32,
            63,
            0x7F,
            0x80,
            0xFF,
            0x7FFF,
            0x8000,
            0xFFFF,
            0x7FFF_FFFF,
            0x8000_0000,
            0xFFFF_FFFF,
            0x1_0000_0000,
            0x7FFF_FFFF_FFFF_FFFF,
            0x8000_0000_0000_0000,
            u64::MAX,
            u64::MAX - 1,
        ]
        .into_iter()
        .map(A::mask)
        .collect();
        let mut operands: Vec<(u64, u64)> = Vec::new();
        for &x in &edges {
            for &y in &edges {
                operands.push((x, y));
            }
        }
        for i in 0..500u64 {
            operands.push((A::mask(splitmix64(i)), A::mask(splitmix64(i ^ 0xFFFF))));
        }
        let bins = [
            Bin::Add,
            Bin::Sub,
            Bin::Mul,
            Bin::And,
            Bin::Or,
            Bin::Xor,
            Bin::Eq,
            Bin::Ne,
            Bin::LtS,
            Bin::LtU,
        ];
        let mut prims: Vec<Prim> = bins.into_iter().map(Prim::Bin).collect();
        prims.extend([Bin::Shl, Bin::Shr, Bin::Sar].map(Prim::Bin));
        prims.extend(
            [
                Un::Not,
                Un::Sext8,
                Un::Sext16,
                Un::Sext32,
                Un::Zext8,
                Un::Zext16,
                Un::Zext32,
                Un::Clz,
                Un::Clz32,
            ]
            .map(Prim::Un),
        );
        for s in [false, true] {
            prims.extend([Prim::MulHi(s), Prim::MulLo(s), Prim::Div(s), Prim::Rem(s)]);
        }
        prims.push(Prim::Select);
        for p in prims {
            let f = compile::<A>(&mut jit, p);
            for &(x, y0) in &operands {
                let y = match p {
                    // shift amounts are always below the word width (the semantics guarantee it)
                    Prim::Bin(Bin::Shl | Bin::Shr | Bin::Sar) => y0 % u64::from(A::BITS),
                    // a zero divisor never reaches the division (trap_if first)
                    Prim::Div(_) | Prim::Rem(_) if y0 == 0 => 1,
                    _ => y0,
                };
                let z = x & 1;
                // SAFETY: `f` takes three words and returns one.
                let got = unsafe { f(x, y, z) };
                assert_eq!(
                    got,
                    expect::<A>(p, x, y, z),
                    "{} {p:?}({x:#x}, {y:#x}, {z})",
                    A::NAME
                );
            }
        }
    }

    #[test]
    fn primitives_match_the_interpreter_64() {
        parity::<Mips64>();
    }

    #[test]
    fn primitives_match_the_interpreter_32() {
        parity::<Mips32>();
    }
}
