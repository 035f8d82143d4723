//! Per-instruction table tests for both engines (cannon-spec §9, §12): every case runs step by
//! step in the interpreter, then through the interpreter's batch path and the JIT (every block
//! compiled on first sight), with the same checks on each.
//!
//! Every case runs a few instructions on a one-thread state and checks, after each step, PC,
//! NextPC and the step counter, and at the end all 32 registers (those not named in `want_regs`
//! must be unchanged), HI/LO, every memory word named in `mem`/`want_mem`, and (cannon64) the
//! LL reservation. Expected values were derived from the spec's rules (byte-level where it
//! matters), never from this implementation's output. Fault cases check that the step returns
//! `Error::Fault(VmFault { fault, step, pc, insn })` with the pre-state step.
//!
//! cannon64 tables run on both v8 (`multithreaded64-5`) and v7 (`multithreaded64-4`); their
//! instruction semantics are identical. The 32-bit tables run on `singlethreaded-2`.

#[path = "vmsetup/mod.rs"]
mod common;

use common::{asm, cpu, ll, word, Setup};
use interp::{Error, Fault, State, VmFault, VmVersion};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// A case that must execute without error.
#[derive(Debug, Clone, Copy)]
struct Case {
    name: &'static str,
    /// Code words placed at `base`.
    code: &'static [u32],
    base: u64,
    /// (PC, NextPC) override of the pre-state.
    pc: Option<(u64, u64)>,
    regs: &'static [(usize, u64)],
    /// Word-sized memory (8 bytes on cannon64, 4 on the 32-bit VM).
    mem: &'static [(u64, u64)],
    /// Initial (HI, LO).
    hilo: (u64, u64),
    /// Initial cannon64 reservation (status, address, owner); default none.
    ll: Option<(u8, u64, u64)>,
    /// (PC, NextPC) after each step; its length is the number of steps.
    pcs: &'static [(u64, u64)],
    /// Registers that change; every other register must keep its value.
    want_regs: &'static [(usize, u64)],
    /// Memory words that change; the other words of `mem` must keep their value.
    want_mem: &'static [(u64, u64)],
    /// Final (HI, LO); default unchanged.
    want_hilo: Option<(u64, u64)>,
    /// Final reservation; default unchanged.
    want_ll: Option<(u8, u64, u64)>,
}

impl Case {
    const NEW: Case = Case {
        name: "",
        code: &[],
        base: common::CODE_BASE,
        pc: None,
        regs: &[],
        mem: &[],
        hilo: (0, 0),
        ll: None,
        pcs: &[],
        want_regs: &[],
        want_mem: &[],
        want_hilo: None,
        want_ll: None,
    };

    fn setup(&self, version: VmVersion) -> Setup {
        let mut s = Setup::new(version, self.code)
            .at(self.base)
            .hilo(self.hilo.0, self.hilo.1);
        for &(r, v) in self.regs {
            s = s.reg(r, v);
        }
        for &(a, v) in self.mem {
            s = s.mem(a, v);
        }
        if let Some((pc, next_pc)) = self.pc {
            s = s.pc(pc, next_pc);
        }
        if let Some((status, addr, owner)) = self.ll {
            s = s.ll(status, addr, owner);
        }
        s
    }

    fn check(&self, version: VmVersion) -> Result<(), String> {
        let setup = self.setup(version);
        let initial = setup.state();
        let n = self.pcs.len() as u64;
        let (state, trace) = setup
            .run_traced(n)
            .map_err(|e| format!("unexpected error: {e}"))?;
        let mut errs = Vec::new();
        for (k, (&(pc, next_pc), &(got_pc, got_next, got_step))) in
            self.pcs.iter().zip(&trace).enumerate()
        {
            if (got_pc, got_next) != (pc, next_pc) {
                errs.push(format!(
                    "after step {}: PC/NextPC = {got_pc:#x}/{got_next:#x}, want {pc:#x}/{next_pc:#x}",
                    k + 1
                ));
            }
            if got_step != k as u64 + 1 {
                errs.push(format!("after step {}: step counter = {got_step}", k + 1));
            }
        }
        errs.extend(self.verify_final(&initial, &state));
        // The same instructions through the batch paths: the interpreter's and the JIT's.
        for engine in BATCH {
            match setup.run_batch(engine, n) {
                Ok(fast) => {
                    let (pc, next_pc) = *self.pcs.last().expect("at least one step");
                    let c = cpu(&fast);
                    if (c.pc, c.next_pc, fast.step()) != (pc, next_pc, n) {
                        errs.push(format!(
                            "{engine}: PC/NextPC/step = {:#x}/{:#x}/{}, want {pc:#x}/{next_pc:#x}/{n}",
                            c.pc,
                            c.next_pc,
                            fast.step()
                        ));
                    }
                    errs.extend(
                        self.verify_final(&initial, &fast)
                            .into_iter()
                            .map(|e| format!("{engine}: {e}")),
                    );
                }
                Err(e) => errs.push(format!("{engine}: unexpected error: {e}")),
            }
        }
        if errs.is_empty() {
            Ok(())
        } else {
            errs.dedup();
            Err(errs.join("; "))
        }
    }

    /// Registers, HI/LO, memory, reservation and exit flag of the final state.
    fn verify_final(&self, initial: &State, state: &State) -> Vec<String> {
        let mut errs = Vec::new();
        let mut want = cpu(initial).regs;
        for &(r, v) in self.want_regs {
            want[r] = v;
        }
        let got = cpu(state);
        for (r, (&g, &w)) in got.regs.iter().zip(&want).enumerate() {
            if g != w {
                errs.push(format!("r{r} = {g:#x}, want {w:#x}"));
            }
        }
        let (hi, lo) = self.want_hilo.unwrap_or(self.hilo);
        if (got.hi, got.lo) != (hi, lo) {
            errs.push(format!(
                "HI/LO = {:#x}/{:#x}, want {hi:#x}/{lo:#x}",
                got.hi, got.lo
            ));
        }
        for &(addr, initial_value) in self.mem.iter().chain(self.want_mem) {
            let want = self
                .want_mem
                .iter()
                .find(|m| m.0 == addr)
                .map_or(initial_value, |m| m.1);
            let got = word(state, addr);
            if got != want {
                errs.push(format!("mem[{addr:#x}] = {got:#x}, want {want:#x}"));
            }
        }
        if let Some(got) = ll(state) {
            let want = self.want_ll.or(self.ll).unwrap_or((0, 0, 0));
            if got != want {
                errs.push(format!(
                    "reservation (status, addr, owner) = {got:x?}, want {want:x?}"
                ));
            }
        }
        if state.exited() {
            errs.push("the VM exited".into());
        }
        errs
    }
}

/// A case whose last step is an invalid transition.
#[derive(Debug, Clone, Copy)]
struct FaultCase {
    name: &'static str,
    code: &'static [u32],
    base: u64,
    pc: Option<(u64, u64)>,
    regs: &'static [(usize, u64)],
    /// Step counter of the initial state.
    start_step: u64,
    /// Steps that must succeed before the faulting one.
    ok_steps: u64,
    fault: Fault,
    /// PC of the faulting instruction.
    at_pc: u64,
    /// The faulting instruction word (0 when it cannot be fetched: unaligned PC).
    insn: u32,
}

impl FaultCase {
    const NEW: FaultCase = FaultCase {
        name: "",
        code: &[],
        base: common::CODE_BASE,
        pc: None,
        regs: &[],
        start_step: 0,
        ok_steps: 0,
        fault: Fault::InvalidInstruction,
        at_pc: 0,
        insn: 0,
    };

    fn check(&self, version: VmVersion) -> Result<(), String> {
        let mut s = Setup::new(version, self.code)
            .at(self.base)
            .step(self.start_step);
        for &(r, v) in self.regs {
            s = s.reg(r, v);
        }
        if let Some((pc, next_pc)) = self.pc {
            s = s.pc(pc, next_pc);
        }
        let mut vm = s.vm();
        for k in 0..self.ok_steps {
            vm.step()
                .map_err(|e| format!("step {} should succeed: {e}", k + 1))?;
        }
        let want = VmFault {
            fault: self.fault,
            step: self.start_step + self.ok_steps,
            pc: self.at_pc,
            insn: self.insn,
        };
        let stepped = match vm.step() {
            Err(Error::Fault(got)) if got == want => Ok(()),
            Err(Error::Fault(got)) => Err(format!("got {got:x?}, want {want:x?}")),
            Err(e) => Err(format!("got a non-fault error {e:?}, want {want:x?}")),
            Ok(()) => {
                let c = cpu(&vm.state);
                Err(format!(
                    "stepped without error (PC/NextPC now {:#x}/{:#x}), want {want:x?}",
                    c.pc, c.next_pc
                ))
            }
        };
        // The same run through the batch paths: the interpreter's and the JIT's.
        let mut errs: Vec<String> = stepped.err().into_iter().collect();
        for engine in BATCH {
            match s.run_batch(engine, self.ok_steps + 1) {
                Err(Error::Fault(got)) if got == want => {}
                Err(e) => errs.push(format!("{engine}: got {e:x?}, want {want:x?}")),
                Ok(_) => errs.push(format!("{engine}: no error, want {want:x?}")),
            }
        }
        if errs.is_empty() {
            Ok(())
        } else {
            Err(errs.join("; "))
        }
    }
}

/// The batch paths every case also runs through.
const BATCH: [&str; 2] = ["run_until", "jit"];

const V64: &[VmVersion] = &[VmVersion::MultiThreaded64V5, VmVersion::MultiThreaded64V4];
const V32: &[VmVersion] = &[VmVersion::SingleThreaded2];

fn panic_text(p: Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "non-string panic".into())
}

/// Runs every case on every version and reports all failures at once.
fn run<T: Copy>(
    versions: &[VmVersion],
    cases: &[T],
    name: impl Fn(&T) -> &'static str,
    check: impl Fn(&T, VmVersion) -> Result<(), String>,
) {
    let mut failures = Vec::new();
    for &v in versions {
        for c in cases {
            let r = catch_unwind(AssertUnwindSafe(|| check(c, v)))
                .unwrap_or_else(|p| Err(format!("panicked: {}", panic_text(p))));
            if let Err(msg) = r {
                failures.push(format!("[{v}] {}: {msg}", name(c)));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} runs failed:\n  {}",
        failures.len(),
        cases.len() * versions.len(),
        failures.join("\n  ")
    );
}

fn run_cases(versions: &[VmVersion], cases: &[Case]) {
    run(versions, cases, |c| c.name, Case::check);
}

fn run_faults(versions: &[VmVersion], cases: &[FaultCase]) {
    run(versions, cases, |c| c.name, FaultCase::check);
}

// ------------------------------------------------------------------------------------------------
// Tests
// ------------------------------------------------------------------------------------------------

#[test]
fn alu_64() {
    run_cases(V64, ALU64);
}
#[test]
fn shifts_64() {
    run_cases(V64, SHIFT64);
}
#[test]
fn mul_clz_clo_64() {
    run_cases(V64, MULCLZ64);
}
#[test]
fn hi_lo_64() {
    run_cases(V64, HILO64);
}
#[test]
fn branches_64() {
    run_cases(V64, BRANCH64);
}
#[test]
fn jumps_64() {
    run_cases(V64, JUMP64);
}
#[test]
fn movz_movn_sync_r0_64() {
    run_cases(V64, MOVE64);
}
#[test]
fn loads_stores_64() {
    run_cases(V64, MEM64);
}
#[test]
fn lwl_lwr_swl_swr_64() {
    run_cases(V64, LWLR64);
}
#[test]
fn ldl_ldr_sdl_sdr_64() {
    run_cases(V64, LDLR64);
}
#[test]
fn ll_sc_64() {
    run_cases(V64, LLSC64);
}
#[test]
fn invalid_transitions_64() {
    run_faults(V64, FAULT64);
}
#[test]
fn alu_32() {
    run_cases(V32, ALU32);
}
#[test]
fn shifts_32() {
    run_cases(V32, SHIFT32);
}
#[test]
fn mul_clz_clo_32() {
    run_cases(V32, MULCLZ32);
}
#[test]
fn hi_lo_32() {
    run_cases(V32, HILO32);
}
#[test]
fn branches_32() {
    run_cases(V32, BRANCH32);
}
#[test]
fn jumps_32() {
    run_cases(V32, JUMP32);
}
#[test]
fn movz_movn_sync_r0_32() {
    run_cases(V32, MOVE32);
}
#[test]
fn loads_stores_32() {
    run_cases(V32, MEM32);
}
#[test]
fn lwl_lwr_swl_swr_32() {
    run_cases(V32, LWLR32);
}
#[test]
fn ll_sc_32() {
    run_cases(V32, LLSC32);
}
#[test]
fn invalid_transitions_32() {
    run_faults(V32, FAULT32);
}

/// A small loop built with the encoder: sum 5 + 4 + 3 + 2 + 1, on every VM.
#[test]
fn encoded_loop_sums_on_every_vm() {
    let code = [
        asm::addiu(2, 0, 5),  // 0x1000  n = 5
        asm::addu(3, 0, 0),   // 0x1004  sum = 0
        asm::addu(3, 3, 2),   // 0x1008  loop: sum += n
        asm::addiu(2, 2, -1), // 0x100c  n -= 1
        asm::bne(2, 0, -3),   // 0x1010  bne n, $0, loop
        asm::NOP,             // 0x1014  delay slot
    ];
    for v in VmVersion::ALL {
        let state = Setup::new(v, &code).run(22).expect("runs");
        let c = cpu(&state);
        assert_eq!((c.regs[2], c.regs[3]), (0, 15), "{v}");
        assert_eq!((c.pc, c.next_pc, state.step()), (0x1018, 0x101c, 22), "{v}");
    }
}

// ------------------------------------------------------------------------------------------------
// Tables (cannon64 first, then the 32-bit VM)
// ------------------------------------------------------------------------------------------------

const ALU64: &[Case] = &[
    Case {
        name: "add: 32-bit overflow wraps, no trap, sign-extended",
        code: &[0x0022_1820], // add $3, $1, $2
        regs: &[(1, 0x7fff_ffff), (2, 0x1)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0xffff_ffff_8000_0000)],
        ..Case::NEW
    },
    Case {
        name: "add: only the low 32 bits of the operands count",
        code: &[0x0022_1820], // add $3, $1, $2
        regs: &[(1, 0x1234_5678_0000_0001), (2, 0xabcd_ef00_0000_0002)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x3)],
        ..Case::NEW
    },
    Case {
        name: "addu: low word wraps to 0",
        code: &[0x0022_1821], // addu $3, $1, $2
        regs: &[(1, 0xffff_ffff), (2, 0x1)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x0)],
        ..Case::NEW
    },
    Case {
        name: "addu: positive 32-bit result drops the upper bits",
        code: &[0x0022_1821], // addu $3, $1, $2
        regs: &[(1, 0x1_7fff_ffff), (2, 0x0)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x7fff_ffff)],
        ..Case::NEW
    },
    Case {
        name: "sub: INT32_MIN - 1 wraps to INT32_MAX",
        code: &[0x0022_1822], // sub $3, $1, $2
        regs: &[(1, 0x8000_0000), (2, 0x1)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x7fff_ffff)],
        ..Case::NEW
    },
    Case {
        name: "sub: 0 - 1 sign-extends to all ones",
        code: &[0x0022_1822], // sub $3, $1, $2
        regs: &[(1, 0x0), (2, 0x1)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0xffff_ffff_ffff_ffff)],
        ..Case::NEW
    },
    Case {
        name: "subu: 1 - 2 = -1 sign-extended, upper bits of rs ignored",
        code: &[0x0022_1823], // subu $3, $1, $2
        regs: &[(1, 0xaaaa_0000_0001), (2, 0x2)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0xffff_ffff_ffff_ffff)],
        ..Case::NEW
    },
    Case {
        name: "and: full 64 bits",
        code: &[0x0022_1824], // and $3, $1, $2
        regs: &[(1, 0xff00_ff00_ff00_ff00), (2, 0xff0_0ff0_0ff0_0ff0)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0xf00_0f00_0f00_0f00)],
        ..Case::NEW
    },
    Case {
        name: "or: full 64 bits",
        code: &[0x0022_1825], // or $3, $1, $2
        regs: &[(1, 0xf000_0000_0000_0000), (2, 0x1)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0xf000_0000_0000_0001)],
        ..Case::NEW
    },
    Case {
        name: "xor: full 64 bits",
        code: &[0x0022_1826], // xor $3, $1, $2
        regs: &[(1, 0xffff_0000_ffff_0000), (2, 0xf0f_0f0f_0f0f_0f0f)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0xf0f0_0f0f_f0f0_0f0f)],
        ..Case::NEW
    },
    Case {
        name: "nor: full 64 bits",
        code: &[0x0022_1827], // nor $3, $1, $2
        regs: &[(1, 0xffff_ffff), (2, 0xff00_0000_0000_0000)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0xff_ffff_0000_0000)],
        ..Case::NEW
    },
    Case {
        name: "slt: -1 < 1",
        code: &[0x0022_182a], // slt $3, $1, $2
        regs: &[(1, 0xffff_ffff_ffff_ffff), (2, 0x1), (3, 0x55)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x1)],
        ..Case::NEW
    },
    Case {
        name: "slt: 64-bit signed compare (0x80000000 is positive)",
        code: &[0x0022_182a], // slt $3, $1, $2
        regs: &[(1, 0x8000_0000), (2, 0xffff_ffff_8000_0000), (3, 0x55)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x0)],
        ..Case::NEW
    },
    Case {
        name: "sltu: 1 < 2^64-1",
        code: &[0x0022_182b], // sltu $3, $1, $2
        regs: &[(1, 0x1), (2, 0xffff_ffff_ffff_ffff)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x1)],
        ..Case::NEW
    },
    Case {
        name: "sltu: 2^64-1 < 1 is false",
        code: &[0x0022_182b], // sltu $3, $1, $2
        regs: &[(1, 0xffff_ffff_ffff_ffff), (2, 0x1), (3, 0x55)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x0)],
        ..Case::NEW
    },
    Case {
        name: "addi: overflow wraps, sign-extended",
        code: &[0x2023_0001], // addi $3, $1, 1
        regs: &[(1, 0x7fff_ffff)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0xffff_ffff_8000_0000)],
        ..Case::NEW
    },
    Case {
        name: "addiu: negative immediate",
        code: &[0x2423_fffe], // addiu $3, $1, -2
        regs: &[(1, 0x5)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x3)],
        ..Case::NEW
    },
    Case {
        name: "addiu: upper bits of rs dropped, result sign-extended",
        code: &[0x2423_ffff], // addiu $3, $1, -1
        regs: &[(1, 0x1_0000_0000)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0xffff_ffff_ffff_ffff)],
        ..Case::NEW
    },
    Case {
        name: "slti: -5 < -4",
        code: &[0x2823_fffc], // slti $3, $1, -4
        regs: &[(1, 0xffff_ffff_ffff_fffb)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x1)],
        ..Case::NEW
    },
    Case {
        name: "slti: 0 < -32768 is false",
        code: &[0x2823_8000], // slti $3, $1, -32768
        regs: &[(1, 0x0), (3, 0x55)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x0)],
        ..Case::NEW
    },
    Case {
        name: "sltiu: immediate sign-extended before the unsigned compare",
        code: &[0x2c23_ffff], // sltiu $3, $1, -1
        regs: &[(1, 0x5)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x1)],
        ..Case::NEW
    },
    Case {
        name: "sltiu: 2^64-1 < 2^64-1 is false",
        code: &[0x2c23_ffff], // sltiu $3, $1, -1
        regs: &[(1, 0xffff_ffff_ffff_ffff), (3, 0x55)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x0)],
        ..Case::NEW
    },
    Case {
        name: "andi: immediate zero-extended",
        code: &[0x3023_8001], // andi $3, $1, 0x8001
        regs: &[(1, 0xffff_ffff_ffff_ffff)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x8001)],
        ..Case::NEW
    },
    Case {
        name: "ori: immediate zero-extended, upper bits kept",
        code: &[0x3423_8000], // ori $3, $1, 0x8000
        regs: &[(1, 0xffff_ffff_0000_0000)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0xffff_ffff_0000_8000)],
        ..Case::NEW
    },
    Case {
        name: "xori: immediate zero-extended",
        code: &[0x3823_ffff], // xori $3, $1, 0xffff
        regs: &[(1, 0x8000_0000_0000_1234)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x8000_0000_0000_edcb)],
        ..Case::NEW
    },
    Case {
        name: "lui: bit 31 set sign-extends",
        code: &[0x3c03_8000], // lui $3, 0x8000
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0xffff_ffff_8000_0000)],
        ..Case::NEW
    },
    Case {
        name: "lui: positive",
        code: &[0x3c03_7fff], // lui $3, 0x7fff
        regs: &[(3, 0xffff_ffff_ffff_ffff)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x7fff_0000)],
        ..Case::NEW
    },
    Case {
        name: "dadd: 64-bit overflow wraps, no trap",
        code: &[0x0022_182c], // dadd $3, $1, $2
        regs: &[(1, 0x7fff_ffff_ffff_ffff), (2, 0x1)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x8000_0000_0000_0000)],
        ..Case::NEW
    },
    Case {
        name: "daddu: carries into bit 32, not sign-extended",
        code: &[0x0022_182d], // daddu $3, $1, $2
        regs: &[(1, 0xffff_ffff), (2, 0x1)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x1_0000_0000)],
        ..Case::NEW
    },
    Case {
        name: "dsub: 0 - 1",
        code: &[0x0022_182e], // dsub $3, $1, $2
        regs: &[(1, 0x0), (2, 0x1)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0xffff_ffff_ffff_ffff)],
        ..Case::NEW
    },
    Case {
        name: "dsubu: borrow from bit 32",
        code: &[0x0022_182f], // dsubu $3, $1, $2
        regs: &[(1, 0x1_0000_0000), (2, 0x1)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0xffff_ffff)],
        ..Case::NEW
    },
    Case {
        name: "daddi: 64-bit overflow wraps, no trap",
        code: &[0x6023_0001], // daddi $3, $1, 1
        regs: &[(1, 0x7fff_ffff_ffff_ffff)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x8000_0000_0000_0000)],
        ..Case::NEW
    },
    Case {
        name: "daddiu: -1 on 0xffffffff stays 64-bit",
        code: &[0x6423_ffff], // daddiu $3, $1, -1
        regs: &[(1, 0xffff_ffff)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0xffff_fffe)],
        ..Case::NEW
    },
    Case {
        name: "daddiu: immediate sign-extended to 64 bits",
        code: &[0x6403_8000], // daddiu $3, $0, -32768
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0xffff_ffff_ffff_8000)],
        ..Case::NEW
    },
    Case {
        name: "slti: 64-bit signed compare (0x80000000 > -1)",
        code: &[0x2823_ffff], // slti $3, $1, -1
        regs: &[(1, 0x8000_0000), (3, 0x55)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x0)],
        ..Case::NEW
    },
    Case {
        name: "lui ignores the rs field",
        code: &[0x3c23_1234], // lui $3, 0x1234 (rs=1)
        regs: &[(1, 0xffff_ffff_ffff_ffff)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x1234_0000)],
        ..Case::NEW
    },
];

const SHIFT64: &[Case] = &[
    Case {
        name: "sll: result bit 31 sign-extends",
        code: &[0x0002_1840], // sll $3, $2, 1
        regs: &[(2, 0x4000_0001)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0xffff_ffff_8000_0002)],
        ..Case::NEW
    },
    Case {
        name: "sll: only the low 32 bits of rt",
        code: &[0x0002_1900], // sll $3, $2, 4
        regs: &[(2, 0xffff_ffff_0000_0001)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x10)],
        ..Case::NEW
    },
    Case {
        name: "sll by 0 sign-extends the low word",
        code: &[0x0002_1800], // sll $3, $2, 0
        regs: &[(2, 0x8000_0000)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0xffff_ffff_8000_0000)],
        ..Case::NEW
    },
    Case {
        name: "sll: bits shifted past bit 31 are lost",
        code: &[0x0002_1a00], // sll $3, $2, 8
        regs: &[(2, 0x1234_5678)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x3456_7800)],
        ..Case::NEW
    },
    Case {
        name: "srl: logical on the low word",
        code: &[0x0002_1902], // srl $3, $2, 4
        regs: &[(2, 0xffff_ffff_8000_0000)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x800_0000)],
        ..Case::NEW
    },
    Case {
        name: "srl by 0 sign-extends",
        code: &[0x0002_1802], // srl $3, $2, 0
        regs: &[(2, 0x8000_0000)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0xffff_ffff_8000_0000)],
        ..Case::NEW
    },
    Case {
        name: "sra: arithmetic on the low word",
        code: &[0x0002_1903], // sra $3, $2, 4
        regs: &[(2, 0x8000_0000)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0xffff_ffff_f800_0000)],
        ..Case::NEW
    },
    Case {
        name: "sra: positive low word ignores upper bits",
        code: &[0x0002_1903], // sra $3, $2, 4
        regs: &[(2, 0xffff_ffff_7fff_ffff)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x7ff_ffff)],
        ..Case::NEW
    },
    Case {
        name: "sra by 0 ignores the upper word and sign-extends",
        code: &[0x0002_1803], // sra $3, $2, 0
        regs: &[(2, 0x1234_5678_8000_0000)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0xffff_ffff_8000_0000)],
        ..Case::NEW
    },
    Case {
        name: "sra by 31",
        code: &[0x0002_1fc3], // sra $3, $2, 31
        regs: &[(2, 0x8000_0000)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0xffff_ffff_ffff_ffff)],
        ..Case::NEW
    },
    Case {
        name: "sllv: amount masked to 5 bits (33 -> 1)",
        code: &[0x0022_1804], // sllv $3, $2, $1
        regs: &[(1, 0x21), (2, 0x1)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x2)],
        ..Case::NEW
    },
    Case {
        name: "sllv: amount 0x20 -> 0, sign-extends",
        code: &[0x0022_1804], // sllv $3, $2, $1
        regs: &[(1, 0x20), (2, 0x1_8000_0000)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0xffff_ffff_8000_0000)],
        ..Case::NEW
    },
    Case {
        name: "srlv: amount masked (36 -> 4)",
        code: &[0x0022_1806], // srlv $3, $2, $1
        regs: &[(1, 0x24), (2, 0x8000_0000)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x800_0000)],
        ..Case::NEW
    },
    Case {
        name: "srav: amount masked (0x2c -> 12)",
        code: &[0x0022_1807], // srav $3, $2, $1
        regs: &[(1, 0x2c), (2, 0x8000_0000)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0xffff_ffff_fff8_0000)],
        ..Case::NEW
    },
    Case {
        name: "dsll",
        code: &[0x0002_1938], // dsll $3, $2, 4
        regs: &[(2, 0x8000_0001)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x8_0000_0010)],
        ..Case::NEW
    },
    Case {
        name: "dsrl",
        code: &[0x0002_193a], // dsrl $3, $2, 4
        regs: &[(2, 0x8000_0000_0000_0000)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x800_0000_0000_0000)],
        ..Case::NEW
    },
    Case {
        name: "dsra",
        code: &[0x0002_193b], // dsra $3, $2, 4
        regs: &[(2, 0x8000_0000_0000_0000)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0xf800_0000_0000_0000)],
        ..Case::NEW
    },
    Case {
        name: "dsll32 by 0 shifts 32",
        code: &[0x0002_183c], // dsll32 $3, $2, 0
        regs: &[(2, 0xffff_ffff_0000_0001)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x1_0000_0000)],
        ..Case::NEW
    },
    Case {
        name: "dsll32 by 31 shifts 63",
        code: &[0x0002_1ffc], // dsll32 $3, $2, 31
        regs: &[(2, 0x1)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x8000_0000_0000_0000)],
        ..Case::NEW
    },
    Case {
        name: "dsrl32 by 0 shifts 32",
        code: &[0x0002_183e], // dsrl32 $3, $2, 0
        regs: &[(2, 0x8000_0000_0000_0000)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x8000_0000)],
        ..Case::NEW
    },
    Case {
        name: "dsrl32 by 31 shifts 63",
        code: &[0x0002_1ffe], // dsrl32 $3, $2, 31
        regs: &[(2, 0x8000_0000_0000_0000)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x1)],
        ..Case::NEW
    },
    Case {
        name: "dsra32 by 0 shifts 32",
        code: &[0x0002_183f], // dsra32 $3, $2, 0
        regs: &[(2, 0x8000_0000_0000_0000)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0xffff_ffff_8000_0000)],
        ..Case::NEW
    },
    Case {
        name: "dsra32 by 31 shifts 63",
        code: &[0x0002_1fff], // dsra32 $3, $2, 31
        regs: &[(2, 0x8000_0000_0000_0000)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0xffff_ffff_ffff_ffff)],
        ..Case::NEW
    },
    Case {
        name: "dsllv: amount masked to 6 bits (68 -> 4)",
        code: &[0x0022_1814], // dsllv $3, $2, $1
        regs: &[(1, 0x44), (2, 0x1)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x10)],
        ..Case::NEW
    },
    Case {
        name: "dsllv by 63",
        code: &[0x0022_1814], // dsllv $3, $2, $1
        regs: &[(1, 0x3f), (2, 0x3)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x8000_0000_0000_0000)],
        ..Case::NEW
    },
    Case {
        name: "dsrlv: amount 0x40 -> 0",
        code: &[0x0022_1816], // dsrlv $3, $2, $1
        regs: &[(1, 0x40), (2, 0x8000_0000_0000_0001)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x8000_0000_0000_0001)],
        ..Case::NEW
    },
    Case {
        name: "dsrlv by 36",
        code: &[0x0022_1816], // dsrlv $3, $2, $1
        regs: &[(1, 0x24), (2, 0x8000_0000_0000_0000)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x800_0000)],
        ..Case::NEW
    },
    Case {
        name: "dsrav: amount 0x7f -> 63",
        code: &[0x0022_1817], // dsrav $3, $2, $1
        regs: &[(1, 0x7f), (2, 0x8000_0000_0000_0000)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0xffff_ffff_ffff_ffff)],
        ..Case::NEW
    },
    Case {
        name: "dsrav by 4 of a positive value",
        code: &[0x0022_1817], // dsrav $3, $2, $1
        regs: &[(1, 0x4), (2, 0x7000_0000_0000_0000)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x700_0000_0000_0000)],
        ..Case::NEW
    },
];

const MULCLZ64: &[Case] = &[
    Case {
        name: "mul: low 32 bits of the product, HI/LO untouched",
        code: &[0x7022_1802], // mul $3, $1, $2
        regs: &[(1, 0x1_0000), (2, 0x1_0000)],
        hilo: (0x1111_1111_1111_1111, 0x2222_2222_2222_2222),
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x0)],
        ..Case::NEW
    },
    Case {
        name: "mul: negative product sign-extended",
        code: &[0x7022_1802], // mul $3, $1, $2
        regs: &[(1, 0xffff_ffff_ffff_fffd), (2, 0x5)],
        hilo: (0x1111_1111_1111_1111, 0x2222_2222_2222_2222),
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0xffff_ffff_ffff_fff1)],
        ..Case::NEW
    },
    Case {
        name: "mul: operands use only their low 32 bits",
        code: &[0x7022_1802], // mul $3, $1, $2
        regs: &[(1, 0x1_0000_0002), (2, 0x7_0000_0003)],
        hilo: (0x1111_1111_1111_1111, 0x2222_2222_2222_2222),
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x6)],
        ..Case::NEW
    },
    Case {
        name: "mul: product bit 31 sign-extends",
        code: &[0x7022_1802], // mul $3, $1, $2
        regs: &[(1, 0x4000_0000), (2, 0x2)],
        hilo: (0x1111_1111_1111_1111, 0x2222_2222_2222_2222),
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0xffff_ffff_8000_0000)],
        ..Case::NEW
    },
    Case {
        name: "clz: counts from bit 31",
        code: &[0x7023_1820], // clz $3, $1
        regs: &[(1, 0x1_0000)],
        hilo: (0x1111_1111_1111_1111, 0x2222_2222_2222_2222),
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0xf)],
        ..Case::NEW
    },
    Case {
        name: "clz: low word 0 gives 32",
        code: &[0x7023_1820], // clz $3, $1
        regs: &[(1, 0xffff_ffff_0000_0000)],
        hilo: (0x1111_1111_1111_1111, 0x2222_2222_2222_2222),
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x20)],
        ..Case::NEW
    },
    Case {
        name: "clz: bit 31 set gives 0",
        code: &[0x7023_1820], // clz $3, $1
        regs: &[(1, 0x8000_0000)],
        hilo: (0x1111_1111_1111_1111, 0x2222_2222_2222_2222),
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x0)],
        ..Case::NEW
    },
    Case {
        name: "clo: counts leading ones of the low word",
        code: &[0x7023_1821], // clo $3, $1
        regs: &[(1, 0xfff0_0000)],
        hilo: (0x1111_1111_1111_1111, 0x2222_2222_2222_2222),
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0xc)],
        ..Case::NEW
    },
    Case {
        name: "clo: low word all ones gives 32",
        code: &[0x7023_1821], // clo $3, $1
        regs: &[(1, 0xffff_ffff)],
        hilo: (0x1111_1111_1111_1111, 0x2222_2222_2222_2222),
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x20)],
        ..Case::NEW
    },
    Case {
        name: "clo: upper ones ignored",
        code: &[0x7023_1821], // clo $3, $1
        regs: &[(1, 0xffff_ffff_0000_0000), (3, 0x55)],
        hilo: (0x1111_1111_1111_1111, 0x2222_2222_2222_2222),
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x0)],
        ..Case::NEW
    },
    Case {
        name: "dclz: zero gives 64",
        code: &[0x7023_1824], // dclz $3, $1
        regs: &[(1, 0x0), (3, 0x55)],
        hilo: (0x1111_1111_1111_1111, 0x2222_2222_2222_2222),
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x40)],
        ..Case::NEW
    },
    Case {
        name: "dclz: counts from bit 63",
        code: &[0x7023_1824], // dclz $3, $1
        regs: &[(1, 0x1_0000)],
        hilo: (0x1111_1111_1111_1111, 0x2222_2222_2222_2222),
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x2f)],
        ..Case::NEW
    },
    Case {
        name: "dclz: bit 63 set gives 0",
        code: &[0x7023_1824], // dclz $3, $1
        regs: &[(1, 0x8000_0000_0000_0000), (3, 0x55)],
        hilo: (0x1111_1111_1111_1111, 0x2222_2222_2222_2222),
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x0)],
        ..Case::NEW
    },
    Case {
        name: "dclo: all ones gives 64",
        code: &[0x7023_1825], // dclo $3, $1
        regs: &[(1, 0xffff_ffff_ffff_ffff)],
        hilo: (0x1111_1111_1111_1111, 0x2222_2222_2222_2222),
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x40)],
        ..Case::NEW
    },
    Case {
        name: "dclo: counts leading ones from bit 63",
        code: &[0x7023_1825], // dclo $3, $1
        regs: &[(1, 0xfff0_0000_0000_0000)],
        hilo: (0x1111_1111_1111_1111, 0x2222_2222_2222_2222),
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0xc)],
        ..Case::NEW
    },
    Case {
        name: "dclo: low word ones do not count",
        code: &[0x7023_1825], // dclo $3, $1
        regs: &[(1, 0xffff_ffff), (3, 0x55)],
        hilo: (0x1111_1111_1111_1111, 0x2222_2222_2222_2222),
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x0)],
        ..Case::NEW
    },
];

const HILO64: &[Case] = &[
    Case {
        name: "mult 0x7fffffff * 0x2 (low words, signed)",
        code: &[0x0022_0018], // mult $1, $2
        regs: &[(1, 0x7fff_ffff), (2, 0x2)],
        hilo: (0x5555_5555_5555_5555, 0x6666_6666_6666_6666),
        pcs: &[(0x1004, 0x1008)],
        want_hilo: Some((0x0, 0xffff_ffff_ffff_fffe)),
        ..Case::NEW
    },
    Case {
        name: "mult 0xffffffffffffffff * 0x1 (low words, signed)",
        code: &[0x0022_0018], // mult $1, $2
        regs: &[(1, 0xffff_ffff_ffff_ffff), (2, 0x1)],
        hilo: (0x5555_5555_5555_5555, 0x6666_6666_6666_6666),
        pcs: &[(0x1004, 0x1008)],
        want_hilo: Some((0xffff_ffff_ffff_ffff, 0xffff_ffff_ffff_ffff)),
        ..Case::NEW
    },
    Case {
        name: "mult 0x500000003 * 0x700000004 (low words, signed)",
        code: &[0x0022_0018], // mult $1, $2
        regs: &[(1, 0x5_0000_0003), (2, 0x7_0000_0004)],
        hilo: (0x5555_5555_5555_5555, 0x6666_6666_6666_6666),
        pcs: &[(0x1004, 0x1008)],
        want_hilo: Some((0x0, 0xc)),
        ..Case::NEW
    },
    Case {
        name: "mult 0x80000000 * 0x80000000 (low words, signed)",
        code: &[0x0022_0018], // mult $1, $2
        regs: &[(1, 0x8000_0000), (2, 0x8000_0000)],
        hilo: (0x5555_5555_5555_5555, 0x6666_6666_6666_6666),
        pcs: &[(0x1004, 0x1008)],
        want_hilo: Some((0x4000_0000, 0x0)),
        ..Case::NEW
    },
    Case {
        name: "multu 0xffffffff * 0xffffffff (each half sign-extended)",
        code: &[0x0022_0019], // multu $1, $2
        regs: &[(1, 0xffff_ffff), (2, 0xffff_ffff)],
        hilo: (0x5555_5555_5555_5555, 0x6666_6666_6666_6666),
        pcs: &[(0x1004, 0x1008)],
        want_hilo: Some((0xffff_ffff_ffff_fffe, 0x1)),
        ..Case::NEW
    },
    Case {
        name: "multu 0x80000000 * 0x2 (each half sign-extended)",
        code: &[0x0022_0019], // multu $1, $2
        regs: &[(1, 0x8000_0000), (2, 0x2)],
        hilo: (0x5555_5555_5555_5555, 0x6666_6666_6666_6666),
        pcs: &[(0x1004, 0x1008)],
        want_hilo: Some((0x1, 0x0)),
        ..Case::NEW
    },
    Case {
        name: "multu 0xabcd00000003 * 0x5 (each half sign-extended)",
        code: &[0x0022_0019], // multu $1, $2
        regs: &[(1, 0xabcd_0000_0003), (2, 0x5)],
        hilo: (0x5555_5555_5555_5555, 0x6666_6666_6666_6666),
        pcs: &[(0x1004, 0x1008)],
        want_hilo: Some((0x0, 0xf)),
        ..Case::NEW
    },
    Case {
        name: "div: 7 / -2",
        code: &[0x0022_001a], // div $1, $2
        regs: &[(1, 0x7), (2, 0xffff_ffff_ffff_fffe)],
        hilo: (0x5555_5555_5555_5555, 0x6666_6666_6666_6666),
        pcs: &[(0x1004, 0x1008)],
        want_hilo: Some((0x1, 0xffff_ffff_ffff_fffd)),
        ..Case::NEW
    },
    Case {
        name: "div: -7 / 2",
        code: &[0x0022_001a], // div $1, $2
        regs: &[(1, 0xffff_ffff_ffff_fff9), (2, 0x2)],
        hilo: (0x5555_5555_5555_5555, 0x6666_6666_6666_6666),
        pcs: &[(0x1004, 0x1008)],
        want_hilo: Some((0xffff_ffff_ffff_ffff, 0xffff_ffff_ffff_fffd)),
        ..Case::NEW
    },
    Case {
        name: "div: INT32_MIN / -1",
        code: &[0x0022_001a], // div $1, $2
        regs: &[(1, 0x8000_0000), (2, 0xffff_ffff)],
        hilo: (0x5555_5555_5555_5555, 0x6666_6666_6666_6666),
        pcs: &[(0x1004, 0x1008)],
        want_hilo: Some((0x0, 0xffff_ffff_8000_0000)),
        ..Case::NEW
    },
    Case {
        name: "div: divisor uses the low word only",
        code: &[0x0022_001a], // div $1, $2
        regs: &[(1, 0x9), (2, 0x1_0000_0002)],
        hilo: (0x5555_5555_5555_5555, 0x6666_6666_6666_6666),
        pcs: &[(0x1004, 0x1008)],
        want_hilo: Some((0x1, 0x4)),
        ..Case::NEW
    },
    Case {
        name: "divu: 0xffffffff / 2",
        code: &[0x0022_001b], // divu $1, $2
        regs: &[(1, 0xffff_ffff), (2, 0x2)],
        hilo: (0x5555_5555_5555_5555, 0x6666_6666_6666_6666),
        pcs: &[(0x1004, 0x1008)],
        want_hilo: Some((0x1, 0x7fff_ffff)),
        ..Case::NEW
    },
    Case {
        name: "divu: quotient bit 31 sign-extends",
        code: &[0x0022_001b], // divu $1, $2
        regs: &[(1, 0x8000_0000), (2, 0x1)],
        hilo: (0x5555_5555_5555_5555, 0x6666_6666_6666_6666),
        pcs: &[(0x1004, 0x1008)],
        want_hilo: Some((0x0, 0xffff_ffff_8000_0000)),
        ..Case::NEW
    },
    Case {
        name: "divu: small / large",
        code: &[0x0022_001b], // divu $1, $2
        regs: &[(1, 0x7), (2, 0xffff_fffe)],
        hilo: (0x5555_5555_5555_5555, 0x6666_6666_6666_6666),
        pcs: &[(0x1004, 0x1008)],
        want_hilo: Some((0x7, 0x0)),
        ..Case::NEW
    },
    Case {
        name: "dmult: -2 * 3 (signed 128-bit)",
        code: &[0x0022_001c], // dmult $1, $2
        regs: &[(1, 0xffff_ffff_ffff_fffe), (2, 0x3)],
        hilo: (0x5555_5555_5555_5555, 0x6666_6666_6666_6666),
        pcs: &[(0x1004, 0x1008)],
        want_hilo: Some((0xffff_ffff_ffff_ffff, 0xffff_ffff_ffff_fffa)),
        ..Case::NEW
    },
    Case {
        name: "dmult: INT64_MIN^2 (signed 128-bit)",
        code: &[0x0022_001c], // dmult $1, $2
        regs: &[(1, 0x8000_0000_0000_0000), (2, 0x8000_0000_0000_0000)],
        hilo: (0x5555_5555_5555_5555, 0x6666_6666_6666_6666),
        pcs: &[(0x1004, 0x1008)],
        want_hilo: Some((0x4000_0000_0000_0000, 0x0)),
        ..Case::NEW
    },
    Case {
        name: "dmult: INT64_MIN * -1 (signed 128-bit)",
        code: &[0x0022_001c], // dmult $1, $2
        regs: &[(1, 0x8000_0000_0000_0000), (2, 0xffff_ffff_ffff_ffff)],
        hilo: (0x5555_5555_5555_5555, 0x6666_6666_6666_6666),
        pcs: &[(0x1004, 0x1008)],
        want_hilo: Some((0x0, 0x8000_0000_0000_0000)),
        ..Case::NEW
    },
    Case {
        name: "dmult: INT64_MAX * 2 (signed 128-bit)",
        code: &[0x0022_001c], // dmult $1, $2
        regs: &[(1, 0x7fff_ffff_ffff_ffff), (2, 0x2)],
        hilo: (0x5555_5555_5555_5555, 0x6666_6666_6666_6666),
        pcs: &[(0x1004, 0x1008)],
        want_hilo: Some((0x0, 0xffff_ffff_ffff_fffe)),
        ..Case::NEW
    },
    Case {
        name: "dmult: mixed signs (signed 128-bit)",
        code: &[0x0022_001c], // dmult $1, $2
        regs: &[(1, 0x1234_5678_9abc_def0), (2, 0xf012_3456_789a_bcdf)],
        hilo: (0x5555_5555_5555_5555, 0x6666_6666_6666_6666),
        pcs: &[(0x1004, 0x1008)],
        want_hilo: Some((0xfede_05ff_5288_28bd, 0xddc9_2770_1a9e_7310)),
        ..Case::NEW
    },
    Case {
        name: "dmultu: max * max",
        code: &[0x0022_001d], // dmultu $1, $2
        regs: &[(1, 0xffff_ffff_ffff_ffff), (2, 0xffff_ffff_ffff_ffff)],
        hilo: (0x5555_5555_5555_5555, 0x6666_6666_6666_6666),
        pcs: &[(0x1004, 0x1008)],
        want_hilo: Some((0xffff_ffff_ffff_fffe, 0x1)),
        ..Case::NEW
    },
    Case {
        name: "dmultu: max * 2",
        code: &[0x0022_001d], // dmultu $1, $2
        regs: &[(1, 0xffff_ffff_ffff_ffff), (2, 0x2)],
        hilo: (0x5555_5555_5555_5555, 0x6666_6666_6666_6666),
        pcs: &[(0x1004, 0x1008)],
        want_hilo: Some((0x1, 0xffff_ffff_ffff_fffe)),
        ..Case::NEW
    },
    Case {
        name: "ddiv: -7 / 2",
        code: &[0x0022_001e], // ddiv $1, $2
        regs: &[(1, 0xffff_ffff_ffff_fff9), (2, 0x2)],
        hilo: (0x5555_5555_5555_5555, 0x6666_6666_6666_6666),
        pcs: &[(0x1004, 0x1008)],
        want_hilo: Some((0xffff_ffff_ffff_ffff, 0xffff_ffff_ffff_fffd)),
        ..Case::NEW
    },
    Case {
        name: "ddiv: INT64_MIN / -1",
        code: &[0x0022_001e], // ddiv $1, $2
        regs: &[(1, 0x8000_0000_0000_0000), (2, 0xffff_ffff_ffff_ffff)],
        hilo: (0x5555_5555_5555_5555, 0x6666_6666_6666_6666),
        pcs: &[(0x1004, 0x1008)],
        want_hilo: Some((0x0, 0x8000_0000_0000_0000)),
        ..Case::NEW
    },
    Case {
        name: "ddiv: divisor with a zero low word is fine",
        code: &[0x0022_001e], // ddiv $1, $2
        regs: &[(1, 0x3_0000_0005), (2, 0x1_0000_0000)],
        hilo: (0x5555_5555_5555_5555, 0x6666_6666_6666_6666),
        pcs: &[(0x1004, 0x1008)],
        want_hilo: Some((0x5, 0x3)),
        ..Case::NEW
    },
    Case {
        name: "ddivu: max / 2",
        code: &[0x0022_001f], // ddivu $1, $2
        regs: &[(1, 0xffff_ffff_ffff_ffff), (2, 0x2)],
        hilo: (0x5555_5555_5555_5555, 0x6666_6666_6666_6666),
        pcs: &[(0x1004, 0x1008)],
        want_hilo: Some((0x1, 0x7fff_ffff_ffff_ffff)),
        ..Case::NEW
    },
    Case {
        name: "ddivu: small / max",
        code: &[0x0022_001f], // ddivu $1, $2
        regs: &[(1, 0x5), (2, 0xffff_ffff_ffff_ffff)],
        hilo: (0x5555_5555_5555_5555, 0x6666_6666_6666_6666),
        pcs: &[(0x1004, 0x1008)],
        want_hilo: Some((0x5, 0x0)),
        ..Case::NEW
    },
    Case {
        name: "mfhi",
        code: &[0x0000_1810], // mfhi $3
        hilo: (0x1234_5678_9abc_def0, 0xfed_cba9_8765_4321),
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x1234_5678_9abc_def0)],
        ..Case::NEW
    },
    Case {
        name: "mflo",
        code: &[0x0000_1812], // mflo $3
        hilo: (0x1234_5678_9abc_def0, 0xfed_cba9_8765_4321),
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0xfed_cba9_8765_4321)],
        ..Case::NEW
    },
    Case {
        name: "mfhi $0 writes nothing",
        code: &[0x0000_0010], // mfhi $0
        hilo: (0x1234_5678_9abc_def0, 0xfed_cba9_8765_4321),
        pcs: &[(0x1004, 0x1008)],
        ..Case::NEW
    },
    Case {
        name: "mthi: full 64 bits",
        code: &[0x0020_0011], // mthi $1
        regs: &[(1, 0xfedc_ba98_7654_3210)],
        hilo: (0x1234_5678_9abc_def0, 0xfed_cba9_8765_4321),
        pcs: &[(0x1004, 0x1008)],
        want_hilo: Some((0xfedc_ba98_7654_3210, 0xfed_cba9_8765_4321)),
        ..Case::NEW
    },
    Case {
        name: "mtlo: full 64 bits",
        code: &[0x0020_0013], // mtlo $1
        regs: &[(1, 0xfedc_ba98_7654_3210)],
        hilo: (0x1234_5678_9abc_def0, 0xfed_cba9_8765_4321),
        pcs: &[(0x1004, 0x1008)],
        want_hilo: Some((0x1234_5678_9abc_def0, 0xfedc_ba98_7654_3210)),
        ..Case::NEW
    },
    Case {
        name: "quirk: mult with rd=3 zeroes $3",
        code: &[0x0022_1818], // mult $1, $2 (rd=3)
        regs: &[(1, 0x3), (2, 0x4), (3, 0x77)],
        hilo: (0x5555_5555_5555_5555, 0x6666_6666_6666_6666),
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x0)],
        want_hilo: Some((0x0, 0xc)),
        ..Case::NEW
    },
    Case {
        name: "quirk: multu with rd=4 zeroes $4",
        code: &[0x0022_2019], // multu $1, $2 (rd=4)
        regs: &[(1, 0x3), (2, 0x4), (4, 0x77)],
        hilo: (0x5555_5555_5555_5555, 0x6666_6666_6666_6666),
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(4, 0x0)],
        want_hilo: Some((0x0, 0xc)),
        ..Case::NEW
    },
    Case {
        name: "quirk: div with rd=5 zeroes $5",
        code: &[0x0022_281a], // div $1, $2 (rd=5)
        regs: &[(1, 0xd), (2, 0x4), (5, 0x77)],
        hilo: (0x5555_5555_5555_5555, 0x6666_6666_6666_6666),
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(5, 0x0)],
        want_hilo: Some((0x1, 0x3)),
        ..Case::NEW
    },
    Case {
        name: "quirk: mthi with rd=6 zeroes $6",
        code: &[0x0020_3011], // mthi $1 (rd=6)
        regs: &[(1, 0xab), (6, 0x77)],
        hilo: (0x5555_5555_5555_5555, 0x6666_6666_6666_6666),
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(6, 0x0)],
        want_hilo: Some((0xab, 0x6666_6666_6666_6666)),
        ..Case::NEW
    },
    Case {
        name: "quirk: mtlo with rd=7 zeroes $7",
        code: &[0x0020_3813], // mtlo $1 (rd=7)
        regs: &[(1, 0xab), (7, 0x77)],
        hilo: (0x5555_5555_5555_5555, 0x6666_6666_6666_6666),
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(7, 0x0)],
        want_hilo: Some((0x5555_5555_5555_5555, 0xab)),
        ..Case::NEW
    },
    Case {
        name: "quirk: dmult with rd=8 zeroes $8",
        code: &[0x0022_401c], // dmult $1, $2 (rd=8)
        regs: &[(1, 0x3), (2, 0x4), (8, 0x77)],
        hilo: (0x5555_5555_5555_5555, 0x6666_6666_6666_6666),
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(8, 0x0)],
        want_hilo: Some((0x0, 0xc)),
        ..Case::NEW
    },
    Case {
        name: "quirk: ddivu with rd=9 zeroes $9",
        code: &[0x0022_481f], // ddivu $1, $2 (rd=9)
        regs: &[(1, 0xd), (2, 0x4), (9, 0x77)],
        hilo: (0x5555_5555_5555_5555, 0x6666_6666_6666_6666),
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(9, 0x0)],
        want_hilo: Some((0x1, 0x3)),
        ..Case::NEW
    },
    Case {
        name: "dsllv writes rd and leaves HI/LO",
        code: &[0x0022_1814], // dsllv $3, $2, $1
        regs: &[(1, 0x8), (2, 0xab)],
        hilo: (0x5555_5555_5555_5555, 0x6666_6666_6666_6666),
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0xab00)],
        ..Case::NEW
    },
    Case {
        name: "mult then mflo, mfhi",
        code: &[
            0x0022_0018, // mult $1, $2
            0x0000_1812, // mflo $3
            0x0000_2010, // mfhi $4
        ],
        regs: &[(1, 0xffff_ffff_ffff_fffd), (2, 0x7fff_ffff)],
        hilo: (0x5555_5555_5555_5555, 0x6666_6666_6666_6666),
        pcs: &[(0x1004, 0x1008), (0x1008, 0x100c), (0x100c, 0x1010)],
        want_regs: &[(3, 0xffff_ffff_8000_0003), (4, 0xffff_ffff_ffff_fffe)],
        want_hilo: Some((0xffff_ffff_ffff_fffe, 0xffff_ffff_8000_0003)),
        ..Case::NEW
    },
];

const BRANCH64: &[Case] = &[
    Case {
        name: "beq taken, delay slot runs",
        code: &[
            0x1022_0004, // beq $1, $2, +4
            0x2405_0001, // addiu $5, $0, 1
        ],
        regs: &[(1, 0x1_0000_0005), (2, 0x1_0000_0005)],
        pcs: &[(0x1004, 0x1014), (0x1014, 0x1018)],
        want_regs: &[(5, 0x1)],
        ..Case::NEW
    },
    Case {
        name: "beq not taken: upper words differ",
        code: &[
            0x1022_0004, // beq $1, $2, +4
            0x2405_0001, // addiu $5, $0, 1
        ],
        regs: &[(1, 0x1_0000_0005), (2, 0x5)],
        pcs: &[(0x1004, 0x1008), (0x1008, 0x100c)],
        want_regs: &[(5, 0x1)],
        ..Case::NEW
    },
    Case {
        name: "beq taken backwards",
        code: &[
            0x1022_fffe, // beq $1, $2, -2
            0x2405_0001, // addiu $5, $0, 1
        ],
        regs: &[(1, 0x7), (2, 0x7)],
        pcs: &[(0x1004, 0xffc), (0xffc, 0x1000)],
        want_regs: &[(5, 0x1)],
        ..Case::NEW
    },
    Case {
        name: "bne taken: upper words differ",
        code: &[
            0x1422_0004, // bne $1, $2, +4
            0x2405_0001, // addiu $5, $0, 1
        ],
        regs: &[(1, 0x1_0000_0005), (2, 0x5)],
        pcs: &[(0x1004, 0x1014), (0x1014, 0x1018)],
        want_regs: &[(5, 0x1)],
        ..Case::NEW
    },
    Case {
        name: "bne not taken",
        code: &[
            0x1422_0004, // bne $1, $2, +4
            0x2405_0001, // addiu $5, $0, 1
        ],
        regs: &[(1, 0x9), (2, 0x9)],
        pcs: &[(0x1004, 0x1008), (0x1008, 0x100c)],
        want_regs: &[(5, 0x1)],
        ..Case::NEW
    },
    Case {
        name: "blez taken on 0",
        code: &[
            0x1820_0004, // blez $1, +4
            0x2405_0001, // addiu $5, $0, 1
        ],
        regs: &[(1, 0x0)],
        pcs: &[(0x1004, 0x1014), (0x1014, 0x1018)],
        want_regs: &[(5, 0x1)],
        ..Case::NEW
    },
    Case {
        name: "blez taken on negative",
        code: &[
            0x1820_0004, // blez $1, +4
            0x2405_0001, // addiu $5, $0, 1
        ],
        regs: &[(1, 0xffff_ffff_ffff_ffff)],
        pcs: &[(0x1004, 0x1014), (0x1014, 0x1018)],
        want_regs: &[(5, 0x1)],
        ..Case::NEW
    },
    Case {
        name: "blez not taken: 0x80000000 is positive in 64 bits",
        code: &[
            0x1820_0004, // blez $1, +4
            0x2405_0001, // addiu $5, $0, 1
        ],
        regs: &[(1, 0x8000_0000)],
        pcs: &[(0x1004, 0x1008), (0x1008, 0x100c)],
        want_regs: &[(5, 0x1)],
        ..Case::NEW
    },
    Case {
        name: "bgtz taken",
        code: &[
            0x1c20_0004, // bgtz $1, +4
            0x2405_0001, // addiu $5, $0, 1
        ],
        regs: &[(1, 0x8000_0000)],
        pcs: &[(0x1004, 0x1014), (0x1014, 0x1018)],
        want_regs: &[(5, 0x1)],
        ..Case::NEW
    },
    Case {
        name: "bgtz not taken on 0",
        code: &[
            0x1c20_0004, // bgtz $1, +4
            0x2405_0001, // addiu $5, $0, 1
        ],
        regs: &[(1, 0x0)],
        pcs: &[(0x1004, 0x1008), (0x1008, 0x100c)],
        want_regs: &[(5, 0x1)],
        ..Case::NEW
    },
    Case {
        name: "bltz taken",
        code: &[
            0x0420_0004, // bltz $1, +4
            0x2405_0001, // addiu $5, $0, 1
        ],
        regs: &[(1, 0x8000_0000_0000_0000)],
        pcs: &[(0x1004, 0x1014), (0x1014, 0x1018)],
        want_regs: &[(5, 0x1)],
        ..Case::NEW
    },
    Case {
        name: "bltz not taken: 0x80000000 is positive in 64 bits",
        code: &[
            0x0420_0004, // bltz $1, +4
            0x2405_0001, // addiu $5, $0, 1
        ],
        regs: &[(1, 0x8000_0000)],
        pcs: &[(0x1004, 0x1008), (0x1008, 0x100c)],
        want_regs: &[(5, 0x1)],
        ..Case::NEW
    },
    Case {
        name: "bgez taken on 0",
        code: &[
            0x0421_0004, // bgez $1, +4
            0x2405_0001, // addiu $5, $0, 1
        ],
        regs: &[(1, 0x0)],
        pcs: &[(0x1004, 0x1014), (0x1014, 0x1018)],
        want_regs: &[(5, 0x1)],
        ..Case::NEW
    },
    Case {
        name: "bgez not taken",
        code: &[
            0x0421_0004, // bgez $1, +4
            0x2405_0001, // addiu $5, $0, 1
        ],
        regs: &[(1, 0xffff_ffff_ffff_ffff)],
        pcs: &[(0x1004, 0x1008), (0x1008, 0x100c)],
        want_regs: &[(5, 0x1)],
        ..Case::NEW
    },
    Case {
        name: "bltzal taken links r31",
        code: &[
            0x0430_0004, // bltzal $1, +4
            0x2405_0001, // addiu $5, $0, 1
        ],
        regs: &[(1, 0xffff_ffff_ffff_ffff)],
        pcs: &[(0x1004, 0x1014), (0x1014, 0x1018)],
        want_regs: &[(5, 0x1), (31, 0x1008)],
        ..Case::NEW
    },
    Case {
        name: "bltzal not taken still links r31",
        code: &[
            0x0430_0004, // bltzal $1, +4
            0x2405_0001, // addiu $5, $0, 1
        ],
        regs: &[(1, 0x0)],
        pcs: &[(0x1004, 0x1008), (0x1008, 0x100c)],
        want_regs: &[(5, 0x1), (31, 0x1008)],
        ..Case::NEW
    },
    Case {
        name: "bgezal taken links r31",
        code: &[
            0x0431_0004, // bgezal $1, +4
            0x2405_0001, // addiu $5, $0, 1
        ],
        regs: &[(1, 0x5)],
        pcs: &[(0x1004, 0x1014), (0x1014, 0x1018)],
        want_regs: &[(5, 0x1), (31, 0x1008)],
        ..Case::NEW
    },
    Case {
        name: "bgezal not taken still links r31",
        code: &[
            0x0431_0004, // bgezal $1, +4
            0x2405_0001, // addiu $5, $0, 1
        ],
        regs: &[(1, 0xffff_ffff_ffff_ffff)],
        pcs: &[(0x1004, 0x1008), (0x1008, 0x100c)],
        want_regs: &[(5, 0x1), (31, 0x1008)],
        ..Case::NEW
    },
    Case {
        name: "bal (bgezal $0)",
        code: &[
            0x0411_fffe, // bal -2
            0x2405_0001, // addiu $5, $0, 1
        ],
        pcs: &[(0x1004, 0xffc), (0xffc, 0x1000)],
        want_regs: &[(5, 0x1), (31, 0x1008)],
        ..Case::NEW
    },
    Case {
        name: "bltzal $31 compares the old r31",
        code: &[
            0x07f0_0004, // bltzal $31, +4
            0x2405_0001, // addiu $5, $0, 1
        ],
        regs: &[(31, 0xffff_ffff_ffff_ffff)],
        pcs: &[(0x1004, 0x1014), (0x1014, 0x1018)],
        want_regs: &[(5, 0x1), (31, 0x1008)],
        ..Case::NEW
    },
    Case {
        name: "unknown REGIMM rt=0x13 (bgezall) is a never-taken branch, no link",
        code: &[
            0x0433_0004, // bgezall $1, +4
            0x2405_0001, // addiu $5, $0, 1
        ],
        regs: &[(1, 0x0)],
        pcs: &[(0x1004, 0x1008), (0x1008, 0x100c)],
        want_regs: &[(5, 0x1)],
        ..Case::NEW
    },
    Case {
        name: "unknown REGIMM rt=0x02 (bltzl) is never taken",
        code: &[
            0x0422_0004, // bltzl $1, +4
            0x2405_0001, // addiu $5, $0, 1
        ],
        regs: &[(1, 0xffff_ffff_ffff_ffff)],
        pcs: &[(0x1004, 0x1008), (0x1008, 0x100c)],
        want_regs: &[(5, 0x1)],
        ..Case::NEW
    },
    Case {
        name: "backward branch from address 0 wraps below zero",
        code: &[
            0x1000_fffe, // beq $0, $0, -2
            0x2405_0001, // addiu $5, $0, 1
        ],
        base: 0x0,
        pcs: &[(0x4, 0xffff_ffff_ffff_fffc), (0xffff_ffff_ffff_fffc, 0x0)],
        want_regs: &[(5, 0x1)],
        ..Case::NEW
    },
    Case {
        name: "bltzal at the top of the address space: link and NextPC wrap to 0",
        code: &[
            0x0410_0004, // bltzal $0, +4
            0x2405_0001, // addiu $5, $0, 1
        ],
        base: 0xffff_ffff_ffff_fff8,
        pcs: &[(0xffff_ffff_ffff_fffc, 0x0), (0x0, 0x4)],
        want_regs: &[(5, 0x1), (31, 0x0)],
        ..Case::NEW
    },
    Case {
        name: "branch in the delay slot of a not-taken branch is allowed",
        code: &[
            0x1400_0004, // bne $0, $0, +4
            0x1000_0004, // beq $0, $0, +4
        ],
        pcs: &[(0x1004, 0x1008), (0x1008, 0x1018)],
        ..Case::NEW
    },
    Case {
        name: "branch to PC+8 leaves NextPC == PC+4, so a branch may follow",
        code: &[
            0x1000_0001, // beq $0, $0, +1
            0x1000_0004, // beq $0, $0, +4
        ],
        pcs: &[(0x1004, 0x1008), (0x1008, 0x1018)],
        ..Case::NEW
    },
    Case {
        name: "syscall in a delay slot is fine (getpid)",
        code: &[
            0x1000_0004, // beq $0, $0, +4
            0x0000_000c, // syscall
        ],
        regs: &[(2, 0x13ae), (7, 0x77)],
        pcs: &[(0x1004, 0x1014), (0x1014, 0x1018)],
        want_regs: &[(2, 0x0), (7, 0x0)],
        ..Case::NEW
    },
];

const JUMP64: &[Case] = &[
    Case {
        name: "j: target in NextPC's 256 MiB region",
        code: &[
            0x0800_0100, // j 0x400
            0x2405_0001, // addiu $5, $0, 1
        ],
        pcs: &[(0x1004, 0x400), (0x400, 0x404)],
        want_regs: &[(5, 0x1)],
        ..Case::NEW
    },
    Case {
        name: "j: largest target field",
        code: &[0x0bff_ffff], // j 0x0ffffffc
        pcs: &[(0x1004, 0xfff_fffc)],
        ..Case::NEW
    },
    Case {
        name: "jal links r31 = PC + 8",
        code: &[0x0c00_0800], // jal 0x2000
        pcs: &[(0x1004, 0x2000)],
        want_regs: &[(31, 0x1008)],
        ..Case::NEW
    },
    Case {
        name: "j keeps NextPC's bits 63..28",
        code: &[0x0800_0100], // j 0x400
        base: 0x1_3000_1000,
        pcs: &[(0x1_3000_1004, 0x1_3000_0400)],
        ..Case::NEW
    },
    Case {
        name: "jal above 4 GiB",
        code: &[0x0c00_0100], // jal 0x400
        base: 0x1_3000_1000,
        pcs: &[(0x1_3000_1004, 0x1_3000_0400)],
        want_regs: &[(31, 0x1_3000_1008)],
        ..Case::NEW
    },
    Case {
        name: "j target is not sign-extended",
        code: &[0x0800_0100], // j 0x400
        base: 0x8000_1000,
        pcs: &[(0x8000_1004, 0x8000_0400)],
        ..Case::NEW
    },
    Case {
        name: "j takes the region from NextPC, not PC",
        code: &[0x0800_0100], // j 0x400
        base: 0xfff_fffc,
        pcs: &[(0x1000_0000, 0x1000_0400)],
        ..Case::NEW
    },
    Case {
        name: "jr, delay slot runs",
        code: &[
            0x0020_0008, // jr $1
            0x2405_0001, // addiu $5, $0, 1
        ],
        regs: &[(1, 0x2000)],
        pcs: &[(0x1004, 0x2000), (0x2000, 0x2004)],
        want_regs: &[(5, 0x1)],
        ..Case::NEW
    },
    Case {
        name: "jr to a 64-bit address",
        code: &[0x0020_0008], // jr $1
        regs: &[(1, 0x1_0000_2000)],
        pcs: &[(0x1004, 0x1_0000_2000)],
        ..Case::NEW
    },
    Case {
        name: "jalr $31, $1",
        code: &[0x0020_f809], // jalr $31, $1
        regs: &[(1, 0x2000)],
        pcs: &[(0x1004, 0x2000)],
        want_regs: &[(31, 0x1008)],
        ..Case::NEW
    },
    Case {
        name: "jalr $5, $1",
        code: &[0x0020_2809], // jalr $5, $1
        regs: &[(1, 0x2000)],
        pcs: &[(0x1004, 0x2000)],
        want_regs: &[(5, 0x1008)],
        ..Case::NEW
    },
    Case {
        name: "jalr with rd=0 does not link",
        code: &[0x0020_0009], // jalr $0, $1
        regs: &[(1, 0x2000), (31, 0x99)],
        pcs: &[(0x1004, 0x2000)],
        ..Case::NEW
    },
    Case {
        name: "jalr $1, $1 reads the target before linking",
        code: &[0x0020_0809], // jalr $1, $1
        regs: &[(1, 0x2000)],
        pcs: &[(0x1004, 0x2000)],
        want_regs: &[(1, 0x1008)],
        ..Case::NEW
    },
];

const MOVE64: &[Case] = &[
    Case {
        name: "movz moves when rt == 0",
        code: &[0x0022_180a], // movz $3, $1, $2
        regs: &[(1, 0xdead_beef_0000_0001), (2, 0x0), (3, 0x7)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0xdead_beef_0000_0001)],
        ..Case::NEW
    },
    Case {
        name: "movz keeps rd when rt != 0 (only upper bits set)",
        code: &[0x0022_180a], // movz $3, $1, $2
        regs: &[(1, 0xdead_beef), (2, 0x1_0000_0000), (3, 0x7)],
        pcs: &[(0x1004, 0x1008)],
        ..Case::NEW
    },
    Case {
        name: "movn moves when rt != 0 (only upper bits set)",
        code: &[0x0022_180b], // movn $3, $1, $2
        regs: &[(1, 0xdead_beef_0000_0001), (2, 0x1_0000_0000), (3, 0x7)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0xdead_beef_0000_0001)],
        ..Case::NEW
    },
    Case {
        name: "movn keeps rd when rt == 0",
        code: &[0x0022_180b], // movn $3, $1, $2
        regs: &[(1, 0xdead_beef), (2, 0x0), (3, 0x7)],
        pcs: &[(0x1004, 0x1008)],
        ..Case::NEW
    },
    Case {
        name: "sync (canonical) changes nothing",
        code: &[0x0000_000f], // sync
        regs: &[(1, 0x1234)],
        pcs: &[(0x1004, 0x1008)],
        ..Case::NEW
    },
    Case {
        name: "sync with rs=1, rd=3 writes rs into rd",
        code: &[0x0020_180f], // sync (rs=1, rd=3)
        regs: &[(1, 0xfedc_ba98_7654_3210)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0xfedc_ba98_7654_3210)],
        ..Case::NEW
    },
    Case {
        name: "nop (sll $0, $0, 0)",
        code: &[0x0000_0000], // nop
        regs: &[(1, 0x1)],
        pcs: &[(0x1004, 0x1008)],
        ..Case::NEW
    },
    Case {
        name: "addu $0 is not written",
        code: &[0x0022_0021], // addu $0, $1, $2
        regs: &[(1, 0x1), (2, 0x2)],
        pcs: &[(0x1004, 0x1008)],
        ..Case::NEW
    },
    Case {
        name: "lui $0 is not written",
        code: &[0x3c00_1234], // lui $0, 0x1234
        pcs: &[(0x1004, 0x1008)],
        ..Case::NEW
    },
    Case {
        name: "a non-zero r0 in the state is read as is and kept",
        code: &[0x0000_1821], // addu $3, $0, $0
        regs: &[(0, 0x5)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0xa)],
        ..Case::NEW
    },
];

const MEM64: &[Case] = &[
    Case {
        name: "lb byte 0 sign-extends",
        code: &[0x8022_0000], // lb $2, 0($1)
        regs: &[(1, 0x2000), (2, 0x5a5a)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0xffff_ffff_ffff_ff81)],
        ..Case::NEW
    },
    Case {
        name: "lb byte 7",
        code: &[0x8022_0007], // lb $2, 7($1)
        regs: &[(1, 0x2000), (2, 0x5a5a)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0xffff_ffff_ffff_fff8)],
        ..Case::NEW
    },
    Case {
        name: "lb positive byte",
        code: &[0x8022_0009], // lb $2, 9($1)
        regs: &[(1, 0x2000), (2, 0x5a5a)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0x22)],
        ..Case::NEW
    },
    Case {
        name: "lbu byte 1",
        code: &[0x9022_0001], // lbu $2, 1($1)
        regs: &[(1, 0x2000), (2, 0x5a5a)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0x92)],
        ..Case::NEW
    },
    Case {
        name: "lbu byte 15",
        code: &[0x9022_000f], // lbu $2, 15($1)
        regs: &[(1, 0x2000), (2, 0x5a5a)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0x88)],
        ..Case::NEW
    },
    Case {
        name: "lh 0 sign-extends",
        code: &[0x8422_0000], // lh $2, 0($1)
        regs: &[(1, 0x2000), (2, 0x5a5a)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0xffff_ffff_ffff_8192)],
        ..Case::NEW
    },
    Case {
        name: "lh at 3 reads the halfword at 2",
        code: &[0x8422_0003], // lh $2, 3($1)
        regs: &[(1, 0x2000), (2, 0x5a5a)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0xffff_ffff_ffff_a3b4)],
        ..Case::NEW
    },
    Case {
        name: "lh 6",
        code: &[0x8422_0006], // lh $2, 6($1)
        regs: &[(1, 0x2000), (2, 0x5a5a)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0xffff_ffff_ffff_e7f8)],
        ..Case::NEW
    },
    Case {
        name: "lh positive",
        code: &[0x8422_000a], // lh $2, 10($1)
        regs: &[(1, 0x2000), (2, 0x5a5a)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0x3344)],
        ..Case::NEW
    },
    Case {
        name: "lhu at 5 reads the halfword at 4",
        code: &[0x9422_0005], // lhu $2, 5($1)
        regs: &[(1, 0x2000), (2, 0x5a5a)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0xc5d6)],
        ..Case::NEW
    },
    Case {
        name: "lhu 0",
        code: &[0x9422_0000], // lhu $2, 0($1)
        regs: &[(1, 0x2000), (2, 0x5a5a)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0x8192)],
        ..Case::NEW
    },
    Case {
        name: "lw upper half sign-extends",
        code: &[0x8c22_0000], // lw $2, 0($1)
        regs: &[(1, 0x2000), (2, 0x5a5a)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0xffff_ffff_8192_a3b4)],
        ..Case::NEW
    },
    Case {
        name: "lw lower half",
        code: &[0x8c22_0004], // lw $2, 4($1)
        regs: &[(1, 0x2000), (2, 0x5a5a)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0xffff_ffff_c5d6_e7f8)],
        ..Case::NEW
    },
    Case {
        name: "lw at 6 reads the word at 4",
        code: &[0x8c22_0006], // lw $2, 6($1)
        regs: &[(1, 0x2000), (2, 0x5a5a)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0xffff_ffff_c5d6_e7f8)],
        ..Case::NEW
    },
    Case {
        name: "lw at 3 reads the word at 0",
        code: &[0x8c22_0003], // lw $2, 3($1)
        regs: &[(1, 0x2000), (2, 0x5a5a)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0xffff_ffff_8192_a3b4)],
        ..Case::NEW
    },
    Case {
        name: "lw positive upper half",
        code: &[0x8c22_0008], // lw $2, 8($1)
        regs: &[(1, 0x2000), (2, 0x5a5a)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0x1122_3344)],
        ..Case::NEW
    },
    Case {
        name: "lw positive lower half",
        code: &[0x8c22_000c], // lw $2, 12($1)
        regs: &[(1, 0x2000), (2, 0x5a5a)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0x5566_7788)],
        ..Case::NEW
    },
    Case {
        name: "lw with a negative offset",
        code: &[0x8c22_fff8], // lw $2, -8($1)
        regs: &[(1, 0x2010), (2, 0x5a5a)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0x1122_3344)],
        ..Case::NEW
    },
    Case {
        name: "lwu zero-extends",
        code: &[0x9c22_0004], // lwu $2, 4($1)
        regs: &[(1, 0x2000), (2, 0x5a5a)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0xc5d6_e7f8)],
        ..Case::NEW
    },
    Case {
        name: "lwu at 2 reads the word at 0",
        code: &[0x9c22_0002], // lwu $2, 2($1)
        regs: &[(1, 0x2000), (2, 0x5a5a)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0x8192_a3b4)],
        ..Case::NEW
    },
    Case {
        name: "ld",
        code: &[0xdc22_0000], // ld $2, 0($1)
        regs: &[(1, 0x2000), (2, 0x5a5a)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0x8192_a3b4_c5d6_e7f8)],
        ..Case::NEW
    },
    Case {
        name: "ld at 5 reads the doubleword at 0",
        code: &[0xdc22_0005], // ld $2, 5($1)
        regs: &[(1, 0x2000), (2, 0x5a5a)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0x8192_a3b4_c5d6_e7f8)],
        ..Case::NEW
    },
    Case {
        name: "ld second doubleword",
        code: &[0xdc22_0008], // ld $2, 8($1)
        regs: &[(1, 0x2000), (2, 0x5a5a)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0x1122_3344_5566_7788)],
        ..Case::NEW
    },
    Case {
        name: "ld: base + offset wraps below zero",
        code: &[0xdc22_fff8], // ld $2, -8($1)
        regs: &[(1, 0x4)],
        mem: &[(0xffff_ffff_ffff_fff8, 0xcafe_f00d_dead_beef)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0xcafe_f00d_dead_beef)],
        ..Case::NEW
    },
    Case {
        name: "lw: base + offset wraps to the lower half of the top doubleword",
        code: &[0x8c22_fff8], // lw $2, -8($1)
        regs: &[(1, 0x4)],
        mem: &[(0xffff_ffff_ffff_fff8, 0xcafe_f00d_dead_beef)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0xffff_ffff_dead_beef)],
        ..Case::NEW
    },
    Case {
        name: "lw into $0 writes nothing",
        code: &[0x8c20_0000], // lw $0, 0($1)
        regs: &[(1, 0x2000)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        ..Case::NEW
    },
    Case {
        name: "sb byte 3",
        code: &[0xa022_0003], // sb $2, 3($1)
        regs: &[(1, 0x2000), (2, 0x123_4567_89ab_cdef)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_mem: &[
            (0x2000, 0x8192_a3ef_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        ..Case::NEW
    },
    Case {
        name: "sb byte 8",
        code: &[0xa022_0008], // sb $2, 8($1)
        regs: &[(1, 0x2000), (2, 0x123_4567_89ab_cdef)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0xef22_3344_5566_7788),
        ],
        ..Case::NEW
    },
    Case {
        name: "sh at 5 writes the halfword at 4",
        code: &[0xa422_0005], // sh $2, 5($1)
        regs: &[(1, 0x2000), (2, 0x123_4567_89ab_cdef)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_mem: &[
            (0x2000, 0x8192_a3b4_cdef_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        ..Case::NEW
    },
    Case {
        name: "sh 0",
        code: &[0xa422_0000], // sh $2, 0($1)
        regs: &[(1, 0x2000), (2, 0x123_4567_89ab_cdef)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_mem: &[
            (0x2000, 0xcdef_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        ..Case::NEW
    },
    Case {
        name: "sw lower half",
        code: &[0xac22_0004], // sw $2, 4($1)
        regs: &[(1, 0x2000), (2, 0x123_4567_89ab_cdef)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_mem: &[
            (0x2000, 0x8192_a3b4_89ab_cdef),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        ..Case::NEW
    },
    Case {
        name: "sw at 1 writes the word at 0",
        code: &[0xac22_0001], // sw $2, 1($1)
        regs: &[(1, 0x2000), (2, 0x123_4567_89ab_cdef)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_mem: &[
            (0x2000, 0x89ab_cdef_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        ..Case::NEW
    },
    Case {
        name: "sw with a negative offset",
        code: &[0xac22_fffc], // sw $2, -4($1)
        regs: &[(1, 0x2010), (2, 0x123_4567_89ab_cdef)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_89ab_cdef),
        ],
        ..Case::NEW
    },
    Case {
        name: "sd at 3 writes the doubleword at 0",
        code: &[0xfc22_0003], // sd $2, 3($1)
        regs: &[(1, 0x2000), (2, 0x123_4567_89ab_cdef)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_mem: &[
            (0x2000, 0x123_4567_89ab_cdef),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        ..Case::NEW
    },
    Case {
        name: "sd second doubleword",
        code: &[0xfc22_0008], // sd $2, 8($1)
        regs: &[(1, 0x2000), (2, 0x123_4567_89ab_cdef)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x123_4567_89ab_cdef),
        ],
        ..Case::NEW
    },
];

const LWLR64: &[Case] = &[
    Case {
        name: "lwl upper half k=0",
        code: &[0x8822_0000], // lwl $2, 0($1)
        regs: &[(1, 0x2000), (2, 0x5555_5555_1122_3344)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0xffff_ffff_8192_a3b4)],
        ..Case::NEW
    },
    Case {
        name: "lwl upper half k=1",
        code: &[0x8822_0001], // lwl $2, 1($1)
        regs: &[(1, 0x2000), (2, 0x5555_5555_1122_3344)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0xffff_ffff_92a3_b444)],
        ..Case::NEW
    },
    Case {
        name: "lwl upper half k=2",
        code: &[0x8822_0002], // lwl $2, 2($1)
        regs: &[(1, 0x2000), (2, 0x5555_5555_1122_3344)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0xffff_ffff_a3b4_3344)],
        ..Case::NEW
    },
    Case {
        name: "lwl upper half k=3",
        code: &[0x8822_0003], // lwl $2, 3($1)
        regs: &[(1, 0x2000), (2, 0x5555_5555_1122_3344)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0xffff_ffff_b422_3344)],
        ..Case::NEW
    },
    Case {
        name: "lwl lower half k=0",
        code: &[0x8822_0004], // lwl $2, 4($1)
        regs: &[(1, 0x2000), (2, 0x5555_5555_1122_3344)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0xffff_ffff_c5d6_e7f8)],
        ..Case::NEW
    },
    Case {
        name: "lwl lower half k=1",
        code: &[0x8822_0005], // lwl $2, 5($1)
        regs: &[(1, 0x2000), (2, 0x5555_5555_1122_3344)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0xffff_ffff_d6e7_f844)],
        ..Case::NEW
    },
    Case {
        name: "lwl lower half k=2",
        code: &[0x8822_0006], // lwl $2, 6($1)
        regs: &[(1, 0x2000), (2, 0x5555_5555_1122_3344)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0xffff_ffff_e7f8_3344)],
        ..Case::NEW
    },
    Case {
        name: "lwl lower half k=3",
        code: &[0x8822_0007], // lwl $2, 7($1)
        regs: &[(1, 0x2000), (2, 0x5555_5555_1122_3344)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0xffff_ffff_f822_3344)],
        ..Case::NEW
    },
    Case {
        name: "lwr upper half k=0",
        code: &[0x9822_0000], // lwr $2, 0($1)
        regs: &[(1, 0x2000), (2, 0x5555_5555_1122_3344)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0x5555_5555_1122_3381)],
        ..Case::NEW
    },
    Case {
        name: "lwr upper half k=1",
        code: &[0x9822_0001], // lwr $2, 1($1)
        regs: &[(1, 0x2000), (2, 0x5555_5555_1122_3344)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0x5555_5555_1122_8192)],
        ..Case::NEW
    },
    Case {
        name: "lwr upper half k=2",
        code: &[0x9822_0002], // lwr $2, 2($1)
        regs: &[(1, 0x2000), (2, 0x5555_5555_1122_3344)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0x5555_5555_1181_92a3)],
        ..Case::NEW
    },
    Case {
        name: "lwr upper half k=3",
        code: &[0x9822_0003], // lwr $2, 3($1)
        regs: &[(1, 0x2000), (2, 0x5555_5555_1122_3344)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0xffff_ffff_8192_a3b4)],
        ..Case::NEW
    },
    Case {
        name: "lwr lower half k=0",
        code: &[0x9822_0004], // lwr $2, 4($1)
        regs: &[(1, 0x2000), (2, 0x5555_5555_1122_3344)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0x5555_5555_1122_33c5)],
        ..Case::NEW
    },
    Case {
        name: "lwr lower half k=1",
        code: &[0x9822_0005], // lwr $2, 5($1)
        regs: &[(1, 0x2000), (2, 0x5555_5555_1122_3344)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0x5555_5555_1122_c5d6)],
        ..Case::NEW
    },
    Case {
        name: "lwr lower half k=2",
        code: &[0x9822_0006], // lwr $2, 6($1)
        regs: &[(1, 0x2000), (2, 0x5555_5555_1122_3344)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0x5555_5555_11c5_d6e7)],
        ..Case::NEW
    },
    Case {
        name: "lwr lower half k=3",
        code: &[0x9822_0007], // lwr $2, 7($1)
        regs: &[(1, 0x2000), (2, 0x5555_5555_1122_3344)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0xffff_ffff_c5d6_e7f8)],
        ..Case::NEW
    },
    Case {
        name: "lwl with a positive result clears the upper word",
        code: &[0x8822_0009], // lwl $2, 9($1)
        regs: &[(1, 0x2000), (2, 0xffff_ffff_ffff_ffff)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0x2233_44ff)],
        ..Case::NEW
    },
    Case {
        name: "lwr k=3 with a positive result clears the upper word",
        code: &[0x9822_000b], // lwr $2, 11($1)
        regs: &[(1, 0x2000), (2, 0x5555_5555_1122_3344)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0x1122_3344)],
        ..Case::NEW
    },
    Case {
        name: "lwr k=0 keeps the upper word even when bit 31 of the result is set",
        code: &[0x9822_0008], // lwr $2, 8($1)
        regs: &[(1, 0x2000), (2, 0x5555_5555_9122_3344)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0x5555_5555_9122_3311)],
        ..Case::NEW
    },
    Case {
        name: "lwl $1, 1($1): base and merge both use the old rt",
        code: &[0x8821_0001], // lwl $1, 1($1)
        regs: &[(1, 0x2000)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(1, 0xffff_ffff_92a3_b400)],
        ..Case::NEW
    },
    Case {
        name: "swl upper half k=0",
        code: &[0xa822_0000], // swl $2, 0($1)
        regs: &[(1, 0x2000), (2, 0xdead_beef_1122_3344)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_mem: &[(0x2000, 0x1122_3344_c5d6_e7f8)],
        ..Case::NEW
    },
    Case {
        name: "swl upper half k=1",
        code: &[0xa822_0001], // swl $2, 1($1)
        regs: &[(1, 0x2000), (2, 0xdead_beef_1122_3344)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_mem: &[(0x2000, 0x8111_2233_c5d6_e7f8)],
        ..Case::NEW
    },
    Case {
        name: "swl upper half k=2",
        code: &[0xa822_0002], // swl $2, 2($1)
        regs: &[(1, 0x2000), (2, 0xdead_beef_1122_3344)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_mem: &[(0x2000, 0x8192_1122_c5d6_e7f8)],
        ..Case::NEW
    },
    Case {
        name: "swl upper half k=3",
        code: &[0xa822_0003], // swl $2, 3($1)
        regs: &[(1, 0x2000), (2, 0xdead_beef_1122_3344)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_mem: &[(0x2000, 0x8192_a311_c5d6_e7f8)],
        ..Case::NEW
    },
    Case {
        name: "swl lower half k=0",
        code: &[0xa822_0004], // swl $2, 4($1)
        regs: &[(1, 0x2000), (2, 0xdead_beef_1122_3344)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_mem: &[(0x2000, 0x8192_a3b4_1122_3344)],
        ..Case::NEW
    },
    Case {
        name: "swl lower half k=1",
        code: &[0xa822_0005], // swl $2, 5($1)
        regs: &[(1, 0x2000), (2, 0xdead_beef_1122_3344)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_mem: &[(0x2000, 0x8192_a3b4_c511_2233)],
        ..Case::NEW
    },
    Case {
        name: "swl lower half k=2",
        code: &[0xa822_0006], // swl $2, 6($1)
        regs: &[(1, 0x2000), (2, 0xdead_beef_1122_3344)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_mem: &[(0x2000, 0x8192_a3b4_c5d6_1122)],
        ..Case::NEW
    },
    Case {
        name: "swl lower half k=3",
        code: &[0xa822_0007], // swl $2, 7($1)
        regs: &[(1, 0x2000), (2, 0xdead_beef_1122_3344)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_mem: &[(0x2000, 0x8192_a3b4_c5d6_e711)],
        ..Case::NEW
    },
    Case {
        name: "swr upper half k=0",
        code: &[0xb822_0000], // swr $2, 0($1)
        regs: &[(1, 0x2000), (2, 0xdead_beef_1122_3344)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_mem: &[(0x2000, 0x4492_a3b4_c5d6_e7f8)],
        ..Case::NEW
    },
    Case {
        name: "swr upper half k=1",
        code: &[0xb822_0001], // swr $2, 1($1)
        regs: &[(1, 0x2000), (2, 0xdead_beef_1122_3344)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_mem: &[(0x2000, 0x3344_a3b4_c5d6_e7f8)],
        ..Case::NEW
    },
    Case {
        name: "swr upper half k=2",
        code: &[0xb822_0002], // swr $2, 2($1)
        regs: &[(1, 0x2000), (2, 0xdead_beef_1122_3344)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_mem: &[(0x2000, 0x2233_44b4_c5d6_e7f8)],
        ..Case::NEW
    },
    Case {
        name: "swr upper half k=3",
        code: &[0xb822_0003], // swr $2, 3($1)
        regs: &[(1, 0x2000), (2, 0xdead_beef_1122_3344)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_mem: &[(0x2000, 0x1122_3344_c5d6_e7f8)],
        ..Case::NEW
    },
    Case {
        name: "swr lower half k=0",
        code: &[0xb822_0004], // swr $2, 4($1)
        regs: &[(1, 0x2000), (2, 0xdead_beef_1122_3344)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_mem: &[(0x2000, 0x8192_a3b4_44d6_e7f8)],
        ..Case::NEW
    },
    Case {
        name: "swr lower half k=1",
        code: &[0xb822_0005], // swr $2, 5($1)
        regs: &[(1, 0x2000), (2, 0xdead_beef_1122_3344)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_mem: &[(0x2000, 0x8192_a3b4_3344_e7f8)],
        ..Case::NEW
    },
    Case {
        name: "swr lower half k=2",
        code: &[0xb822_0006], // swr $2, 6($1)
        regs: &[(1, 0x2000), (2, 0xdead_beef_1122_3344)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_mem: &[(0x2000, 0x8192_a3b4_2233_44f8)],
        ..Case::NEW
    },
    Case {
        name: "swr lower half k=3",
        code: &[0xb822_0007], // swr $2, 7($1)
        regs: &[(1, 0x2000), (2, 0xdead_beef_1122_3344)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_mem: &[(0x2000, 0x8192_a3b4_1122_3344)],
        ..Case::NEW
    },
];

const LDLR64: &[Case] = &[
    Case {
        name: "ldl k=0",
        code: &[0x6822_0000], // ldl $2, 0($1)
        regs: &[(1, 0x2000), (2, 0x1122_3344_5566_7788)],
        mem: &[(0x2000, 0x8192_a3b4_c5d6_e7f8)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0x8192_a3b4_c5d6_e7f8)],
        ..Case::NEW
    },
    Case {
        name: "ldl k=1",
        code: &[0x6822_0001], // ldl $2, 1($1)
        regs: &[(1, 0x2000), (2, 0x1122_3344_5566_7788)],
        mem: &[(0x2000, 0x8192_a3b4_c5d6_e7f8)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0x92a3_b4c5_d6e7_f888)],
        ..Case::NEW
    },
    Case {
        name: "ldl k=2",
        code: &[0x6822_0002], // ldl $2, 2($1)
        regs: &[(1, 0x2000), (2, 0x1122_3344_5566_7788)],
        mem: &[(0x2000, 0x8192_a3b4_c5d6_e7f8)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0xa3b4_c5d6_e7f8_7788)],
        ..Case::NEW
    },
    Case {
        name: "ldl k=3",
        code: &[0x6822_0003], // ldl $2, 3($1)
        regs: &[(1, 0x2000), (2, 0x1122_3344_5566_7788)],
        mem: &[(0x2000, 0x8192_a3b4_c5d6_e7f8)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0xb4c5_d6e7_f866_7788)],
        ..Case::NEW
    },
    Case {
        name: "ldl k=4",
        code: &[0x6822_0004], // ldl $2, 4($1)
        regs: &[(1, 0x2000), (2, 0x1122_3344_5566_7788)],
        mem: &[(0x2000, 0x8192_a3b4_c5d6_e7f8)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0xc5d6_e7f8_5566_7788)],
        ..Case::NEW
    },
    Case {
        name: "ldl k=5",
        code: &[0x6822_0005], // ldl $2, 5($1)
        regs: &[(1, 0x2000), (2, 0x1122_3344_5566_7788)],
        mem: &[(0x2000, 0x8192_a3b4_c5d6_e7f8)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0xd6e7_f844_5566_7788)],
        ..Case::NEW
    },
    Case {
        name: "ldl k=6",
        code: &[0x6822_0006], // ldl $2, 6($1)
        regs: &[(1, 0x2000), (2, 0x1122_3344_5566_7788)],
        mem: &[(0x2000, 0x8192_a3b4_c5d6_e7f8)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0xe7f8_3344_5566_7788)],
        ..Case::NEW
    },
    Case {
        name: "ldl k=7",
        code: &[0x6822_0007], // ldl $2, 7($1)
        regs: &[(1, 0x2000), (2, 0x1122_3344_5566_7788)],
        mem: &[(0x2000, 0x8192_a3b4_c5d6_e7f8)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0xf822_3344_5566_7788)],
        ..Case::NEW
    },
    Case {
        name: "ldr k=0",
        code: &[0x6c22_0000], // ldr $2, 0($1)
        regs: &[(1, 0x2000), (2, 0x1122_3344_5566_7788)],
        mem: &[(0x2000, 0x8192_a3b4_c5d6_e7f8)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0x1122_3344_5566_7781)],
        ..Case::NEW
    },
    Case {
        name: "ldr k=1",
        code: &[0x6c22_0001], // ldr $2, 1($1)
        regs: &[(1, 0x2000), (2, 0x1122_3344_5566_7788)],
        mem: &[(0x2000, 0x8192_a3b4_c5d6_e7f8)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0x1122_3344_5566_8192)],
        ..Case::NEW
    },
    Case {
        name: "ldr k=2",
        code: &[0x6c22_0002], // ldr $2, 2($1)
        regs: &[(1, 0x2000), (2, 0x1122_3344_5566_7788)],
        mem: &[(0x2000, 0x8192_a3b4_c5d6_e7f8)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0x1122_3344_5581_92a3)],
        ..Case::NEW
    },
    Case {
        name: "ldr k=3",
        code: &[0x6c22_0003], // ldr $2, 3($1)
        regs: &[(1, 0x2000), (2, 0x1122_3344_5566_7788)],
        mem: &[(0x2000, 0x8192_a3b4_c5d6_e7f8)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0x1122_3344_8192_a3b4)],
        ..Case::NEW
    },
    Case {
        name: "ldr k=4",
        code: &[0x6c22_0004], // ldr $2, 4($1)
        regs: &[(1, 0x2000), (2, 0x1122_3344_5566_7788)],
        mem: &[(0x2000, 0x8192_a3b4_c5d6_e7f8)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0x1122_3381_92a3_b4c5)],
        ..Case::NEW
    },
    Case {
        name: "ldr k=5",
        code: &[0x6c22_0005], // ldr $2, 5($1)
        regs: &[(1, 0x2000), (2, 0x1122_3344_5566_7788)],
        mem: &[(0x2000, 0x8192_a3b4_c5d6_e7f8)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0x1122_8192_a3b4_c5d6)],
        ..Case::NEW
    },
    Case {
        name: "ldr k=6",
        code: &[0x6c22_0006], // ldr $2, 6($1)
        regs: &[(1, 0x2000), (2, 0x1122_3344_5566_7788)],
        mem: &[(0x2000, 0x8192_a3b4_c5d6_e7f8)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0x1181_92a3_b4c5_d6e7)],
        ..Case::NEW
    },
    Case {
        name: "ldr k=7",
        code: &[0x6c22_0007], // ldr $2, 7($1)
        regs: &[(1, 0x2000), (2, 0x1122_3344_5566_7788)],
        mem: &[(0x2000, 0x8192_a3b4_c5d6_e7f8)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0x8192_a3b4_c5d6_e7f8)],
        ..Case::NEW
    },
    Case {
        name: "sdl k=0",
        code: &[0xb022_0000], // sdl $2, 0($1)
        regs: &[(1, 0x2000), (2, 0x1122_3344_5566_7788)],
        mem: &[(0x2000, 0x8192_a3b4_c5d6_e7f8)],
        pcs: &[(0x1004, 0x1008)],
        want_mem: &[(0x2000, 0x1122_3344_5566_7788)],
        ..Case::NEW
    },
    Case {
        name: "sdl k=1",
        code: &[0xb022_0001], // sdl $2, 1($1)
        regs: &[(1, 0x2000), (2, 0x1122_3344_5566_7788)],
        mem: &[(0x2000, 0x8192_a3b4_c5d6_e7f8)],
        pcs: &[(0x1004, 0x1008)],
        want_mem: &[(0x2000, 0x8111_2233_4455_6677)],
        ..Case::NEW
    },
    Case {
        name: "sdl k=2",
        code: &[0xb022_0002], // sdl $2, 2($1)
        regs: &[(1, 0x2000), (2, 0x1122_3344_5566_7788)],
        mem: &[(0x2000, 0x8192_a3b4_c5d6_e7f8)],
        pcs: &[(0x1004, 0x1008)],
        want_mem: &[(0x2000, 0x8192_1122_3344_5566)],
        ..Case::NEW
    },
    Case {
        name: "sdl k=3",
        code: &[0xb022_0003], // sdl $2, 3($1)
        regs: &[(1, 0x2000), (2, 0x1122_3344_5566_7788)],
        mem: &[(0x2000, 0x8192_a3b4_c5d6_e7f8)],
        pcs: &[(0x1004, 0x1008)],
        want_mem: &[(0x2000, 0x8192_a311_2233_4455)],
        ..Case::NEW
    },
    Case {
        name: "sdl k=4",
        code: &[0xb022_0004], // sdl $2, 4($1)
        regs: &[(1, 0x2000), (2, 0x1122_3344_5566_7788)],
        mem: &[(0x2000, 0x8192_a3b4_c5d6_e7f8)],
        pcs: &[(0x1004, 0x1008)],
        want_mem: &[(0x2000, 0x8192_a3b4_1122_3344)],
        ..Case::NEW
    },
    Case {
        name: "sdl k=5",
        code: &[0xb022_0005], // sdl $2, 5($1)
        regs: &[(1, 0x2000), (2, 0x1122_3344_5566_7788)],
        mem: &[(0x2000, 0x8192_a3b4_c5d6_e7f8)],
        pcs: &[(0x1004, 0x1008)],
        want_mem: &[(0x2000, 0x8192_a3b4_c511_2233)],
        ..Case::NEW
    },
    Case {
        name: "sdl k=6",
        code: &[0xb022_0006], // sdl $2, 6($1)
        regs: &[(1, 0x2000), (2, 0x1122_3344_5566_7788)],
        mem: &[(0x2000, 0x8192_a3b4_c5d6_e7f8)],
        pcs: &[(0x1004, 0x1008)],
        want_mem: &[(0x2000, 0x8192_a3b4_c5d6_1122)],
        ..Case::NEW
    },
    Case {
        name: "sdl k=7",
        code: &[0xb022_0007], // sdl $2, 7($1)
        regs: &[(1, 0x2000), (2, 0x1122_3344_5566_7788)],
        mem: &[(0x2000, 0x8192_a3b4_c5d6_e7f8)],
        pcs: &[(0x1004, 0x1008)],
        want_mem: &[(0x2000, 0x8192_a3b4_c5d6_e711)],
        ..Case::NEW
    },
    Case {
        name: "sdr k=0",
        code: &[0xb422_0000], // sdr $2, 0($1)
        regs: &[(1, 0x2000), (2, 0x1122_3344_5566_7788)],
        mem: &[(0x2000, 0x8192_a3b4_c5d6_e7f8)],
        pcs: &[(0x1004, 0x1008)],
        want_mem: &[(0x2000, 0x8892_a3b4_c5d6_e7f8)],
        ..Case::NEW
    },
    Case {
        name: "sdr k=1",
        code: &[0xb422_0001], // sdr $2, 1($1)
        regs: &[(1, 0x2000), (2, 0x1122_3344_5566_7788)],
        mem: &[(0x2000, 0x8192_a3b4_c5d6_e7f8)],
        pcs: &[(0x1004, 0x1008)],
        want_mem: &[(0x2000, 0x7788_a3b4_c5d6_e7f8)],
        ..Case::NEW
    },
    Case {
        name: "sdr k=2",
        code: &[0xb422_0002], // sdr $2, 2($1)
        regs: &[(1, 0x2000), (2, 0x1122_3344_5566_7788)],
        mem: &[(0x2000, 0x8192_a3b4_c5d6_e7f8)],
        pcs: &[(0x1004, 0x1008)],
        want_mem: &[(0x2000, 0x6677_88b4_c5d6_e7f8)],
        ..Case::NEW
    },
    Case {
        name: "sdr k=3",
        code: &[0xb422_0003], // sdr $2, 3($1)
        regs: &[(1, 0x2000), (2, 0x1122_3344_5566_7788)],
        mem: &[(0x2000, 0x8192_a3b4_c5d6_e7f8)],
        pcs: &[(0x1004, 0x1008)],
        want_mem: &[(0x2000, 0x5566_7788_c5d6_e7f8)],
        ..Case::NEW
    },
    Case {
        name: "sdr k=4",
        code: &[0xb422_0004], // sdr $2, 4($1)
        regs: &[(1, 0x2000), (2, 0x1122_3344_5566_7788)],
        mem: &[(0x2000, 0x8192_a3b4_c5d6_e7f8)],
        pcs: &[(0x1004, 0x1008)],
        want_mem: &[(0x2000, 0x4455_6677_88d6_e7f8)],
        ..Case::NEW
    },
    Case {
        name: "sdr k=5",
        code: &[0xb422_0005], // sdr $2, 5($1)
        regs: &[(1, 0x2000), (2, 0x1122_3344_5566_7788)],
        mem: &[(0x2000, 0x8192_a3b4_c5d6_e7f8)],
        pcs: &[(0x1004, 0x1008)],
        want_mem: &[(0x2000, 0x3344_5566_7788_e7f8)],
        ..Case::NEW
    },
    Case {
        name: "sdr k=6",
        code: &[0xb422_0006], // sdr $2, 6($1)
        regs: &[(1, 0x2000), (2, 0x1122_3344_5566_7788)],
        mem: &[(0x2000, 0x8192_a3b4_c5d6_e7f8)],
        pcs: &[(0x1004, 0x1008)],
        want_mem: &[(0x2000, 0x2233_4455_6677_88f8)],
        ..Case::NEW
    },
    Case {
        name: "sdr k=7",
        code: &[0xb422_0007], // sdr $2, 7($1)
        regs: &[(1, 0x2000), (2, 0x1122_3344_5566_7788)],
        mem: &[(0x2000, 0x8192_a3b4_c5d6_e7f8)],
        pcs: &[(0x1004, 0x1008)],
        want_mem: &[(0x2000, 0x1122_3344_5566_7788)],
        ..Case::NEW
    },
];

const LLSC64: &[Case] = &[
    Case {
        name: "ll sign-extends and reserves (status 1, exact address, owner)",
        code: &[0xc022_0004], // ll $2, 4($1)
        regs: &[(1, 0x2000)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0xffff_ffff_c5d6_e7f8)],
        want_ll: Some((1, 0x2004, 0)),
        ..Case::NEW
    },
    Case {
        name: "ll positive word",
        code: &[0xc022_0008], // ll $2, 8($1)
        regs: &[(1, 0x2000)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0x1122_3344)],
        want_ll: Some((1, 0x2008, 0)),
        ..Case::NEW
    },
    Case {
        name: "ll at an unaligned address reserves that exact address",
        code: &[0xc022_0006], // ll $2, 6($1)
        regs: &[(1, 0x2000)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0xffff_ffff_c5d6_e7f8)],
        want_ll: Some((1, 0x2006, 0)),
        ..Case::NEW
    },
    Case {
        name: "ll replaces another reservation",
        code: &[0xc022_0000], // ll $2, 0($1)
        regs: &[(1, 0x2000)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        ll: Some((2, 0x3000, 5)),
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0xffff_ffff_8192_a3b4)],
        want_ll: Some((1, 0x2000, 0)),
        ..Case::NEW
    },
    Case {
        name: "ll into $0 still reserves",
        code: &[0xc020_0000], // ll $0, 0($1)
        regs: &[(1, 0x2000)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_ll: Some((1, 0x2000, 0)),
        ..Case::NEW
    },
    Case {
        name: "sc succeeds: stores the low word, rt = 1, reservation cleared",
        code: &[0xe022_0004], // sc $2, 4($1)
        regs: &[(1, 0x2000), (2, 0xdead_beef_1234_5678)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        ll: Some((1, 0x2004, 0)),
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0x1)],
        want_mem: &[(0x2000, 0x8192_a3b4_1234_5678)],
        want_ll: Some((0, 0x0, 0)),
        ..Case::NEW
    },
    Case {
        name: "sc succeeds on the upper half",
        code: &[0xe022_0000], // sc $2, 0($1)
        regs: &[(1, 0x2000), (2, 0xdead_beef_1234_5678)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        ll: Some((1, 0x2000, 0)),
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0x1)],
        want_mem: &[(0x2000, 0x1234_5678_c5d6_e7f8)],
        want_ll: Some((0, 0x0, 0)),
        ..Case::NEW
    },
    Case {
        name: "sc fails with a 64-bit (lld) reservation",
        code: &[0xe022_0004], // sc $2, 4($1)
        regs: &[(1, 0x2000), (2, 0xdead_beef_1234_5678)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        ll: Some((2, 0x2004, 0)),
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0x0)],
        ..Case::NEW
    },
    Case {
        name: "sc fails when another thread owns the reservation",
        code: &[0xe022_0004], // sc $2, 4($1)
        regs: &[(1, 0x2000), (2, 0xdead_beef_1234_5678)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        ll: Some((1, 0x2004, 1)),
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0x0)],
        ..Case::NEW
    },
    Case {
        name: "sc fails on a different address in the same word",
        code: &[0xe022_0006], // sc $2, 6($1)
        regs: &[(1, 0x2000), (2, 0xdead_beef_1234_5678)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        ll: Some((1, 0x2004, 0)),
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0x0)],
        ..Case::NEW
    },
    Case {
        name: "sc fails without a reservation",
        code: &[0xe022_0000], // sc $2, 0($1)
        regs: &[(1, 0x2000), (2, 0xdead_beef_1234_5678)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0x0)],
        ..Case::NEW
    },
    Case {
        name: "lld loads 8 bytes and reserves with status 2",
        code: &[0xd022_0000], // lld $2, 0($1)
        regs: &[(1, 0x2000)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0x8192_a3b4_c5d6_e7f8)],
        want_ll: Some((2, 0x2000, 0)),
        ..Case::NEW
    },
    Case {
        name: "lld at an unaligned address",
        code: &[0xd022_0003], // lld $2, 3($1)
        regs: &[(1, 0x2000)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0x8192_a3b4_c5d6_e7f8)],
        want_ll: Some((2, 0x2003, 0)),
        ..Case::NEW
    },
    Case {
        name: "scd succeeds",
        code: &[0xf022_0008], // scd $2, 8($1)
        regs: &[(1, 0x2000), (2, 0x102_0304_0506_0708)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        ll: Some((2, 0x2008, 0)),
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0x1)],
        want_mem: &[(0x2008, 0x102_0304_0506_0708)],
        want_ll: Some((0, 0x0, 0)),
        ..Case::NEW
    },
    Case {
        name: "scd fails with a 32-bit (ll) reservation",
        code: &[0xf022_0008], // scd $2, 8($1)
        regs: &[(1, 0x2000), (2, 0x102_0304_0506_0708)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        ll: Some((1, 0x2008, 0)),
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0x0)],
        ..Case::NEW
    },
    Case {
        name: "own sw to the other half of the reserved doubleword clears it; sc then fails",
        code: &[
            0xc022_0000, // ll $2, 0($1)
            0xac23_0004, // sw $3, 4($1)
            0xe024_0000, // sc $4, 0($1)
        ],
        regs: &[(1, 0x2000), (3, 0xaabb_ccdd), (4, 0x1111_1111)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008), (0x1008, 0x100c), (0x100c, 0x1010)],
        want_regs: &[(2, 0xffff_ffff_8192_a3b4), (4, 0x0)],
        want_mem: &[(0x2000, 0x8192_a3b4_aabb_ccdd)],
        want_ll: Some((0, 0x0, 0)),
        ..Case::NEW
    },
    Case {
        name: "a store to another doubleword keeps the reservation; sc succeeds",
        code: &[
            0xc022_0000, // ll $2, 0($1)
            0xac23_0008, // sw $3, 8($1)
            0xe024_0000, // sc $4, 0($1)
        ],
        regs: &[(1, 0x2000), (3, 0xaabb_ccdd), (4, 0x9999_9999)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        pcs: &[(0x1004, 0x1008), (0x1008, 0x100c), (0x100c, 0x1010)],
        want_regs: &[(2, 0xffff_ffff_8192_a3b4), (4, 0x1)],
        want_mem: &[
            (0x2000, 0x9999_9999_c5d6_e7f8),
            (0x2008, 0xaabb_ccdd_5566_7788),
        ],
        want_ll: Some((0, 0x0, 0)),
        ..Case::NEW
    },
    Case {
        name: "sb into the reserved doubleword clears the reservation",
        code: &[0xa023_0000], // sb $3, 0($1)
        regs: &[(1, 0x2000), (3, 0xdd)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        ll: Some((1, 0x2004, 0)),
        pcs: &[(0x1004, 0x1008)],
        want_mem: &[(0x2000, 0xdd92_a3b4_c5d6_e7f8)],
        want_ll: Some((0, 0x0, 0)),
        ..Case::NEW
    },
    Case {
        name: "sd to another doubleword keeps the reservation",
        code: &[0xfc23_0008], // sd $3, 8($1)
        regs: &[(1, 0x2000), (3, 0x102_0304_0506_0708)],
        mem: &[
            (0x2000, 0x8192_a3b4_c5d6_e7f8),
            (0x2008, 0x1122_3344_5566_7788),
        ],
        ll: Some((2, 0x2000, 0)),
        pcs: &[(0x1004, 0x1008)],
        want_mem: &[(0x2008, 0x102_0304_0506_0708)],
        ..Case::NEW
    },
];

const FAULT64: &[FaultCase] = &[
    FaultCase {
        name: "invalid: COP1",
        code: &[0x4400_0000], // COP1
        fault: Fault::InvalidInstruction,
        at_pc: 0x1000,
        insn: 0x4400_0000,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "invalid: COP0",
        code: &[0x4000_0000], // COP0
        fault: Fault::InvalidInstruction,
        at_pc: 0x1000,
        insn: 0x4000_0000,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "invalid: COP2",
        code: &[0x4800_0000], // COP2
        fault: Fault::InvalidInstruction,
        at_pc: 0x1000,
        insn: 0x4800_0000,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "invalid: COP1X",
        code: &[0x4c00_0000], // COP1X
        fault: Fault::InvalidInstruction,
        at_pc: 0x1000,
        insn: 0x4c00_0000,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "invalid: SPECIAL funct 0x01 (movci)",
        code: &[0x0000_0001], // SPECIAL funct 0x01 (movci)
        fault: Fault::InvalidInstruction,
        at_pc: 0x1000,
        insn: 0x0000_0001,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "invalid: SPECIAL funct 0x05",
        code: &[0x0000_0005], // SPECIAL funct 0x05
        fault: Fault::InvalidInstruction,
        at_pc: 0x1000,
        insn: 0x0000_0005,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "invalid: break",
        code: &[0x0000_000d], // break
        fault: Fault::InvalidInstruction,
        at_pc: 0x1000,
        insn: 0x0000_000d,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "invalid: SPECIAL funct 0x0e",
        code: &[0x0000_000e], // SPECIAL funct 0x0e
        fault: Fault::InvalidInstruction,
        at_pc: 0x1000,
        insn: 0x0000_000e,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "invalid: SPECIAL funct 0x15",
        code: &[0x0000_0015], // SPECIAL funct 0x15
        fault: Fault::InvalidInstruction,
        at_pc: 0x1000,
        insn: 0x0000_0015,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "invalid: SPECIAL funct 0x28",
        code: &[0x0000_0028], // SPECIAL funct 0x28
        fault: Fault::InvalidInstruction,
        at_pc: 0x1000,
        insn: 0x0000_0028,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "invalid: teq",
        code: &[0x0000_0034], // teq
        fault: Fault::InvalidInstruction,
        at_pc: 0x1000,
        insn: 0x0000_0034,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "invalid: SPECIAL funct 0x39",
        code: &[0x0000_0039], // SPECIAL funct 0x39
        fault: Fault::InvalidInstruction,
        at_pc: 0x1000,
        insn: 0x0000_0039,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "invalid: SPECIAL funct 0x3d",
        code: &[0x0000_003d], // SPECIAL funct 0x3d
        fault: Fault::InvalidInstruction,
        at_pc: 0x1000,
        insn: 0x0000_003d,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "invalid: beql",
        code: &[0x5000_0000], // beql
        fault: Fault::InvalidInstruction,
        at_pc: 0x1000,
        insn: 0x5000_0000,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "invalid: bnel",
        code: &[0x5400_0000], // bnel
        fault: Fault::InvalidInstruction,
        at_pc: 0x1000,
        insn: 0x5400_0000,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "invalid: blezl",
        code: &[0x5800_0000], // blezl
        fault: Fault::InvalidInstruction,
        at_pc: 0x1000,
        insn: 0x5800_0000,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "invalid: bgtzl",
        code: &[0x5c00_0000], // bgtzl
        fault: Fault::InvalidInstruction,
        at_pc: 0x1000,
        insn: 0x5c00_0000,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "invalid: SPECIAL3 ext",
        code: &[0x7c00_0000], // SPECIAL3 ext
        fault: Fault::InvalidInstruction,
        at_pc: 0x1000,
        insn: 0x7c00_0000,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "invalid: seb",
        code: &[0x7c00_0420], // seb
        fault: Fault::InvalidInstruction,
        at_pc: 0x1000,
        insn: 0x7c00_0420,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "invalid: madd",
        code: &[0x7000_0000], // madd
        fault: Fault::InvalidInstruction,
        at_pc: 0x1000,
        insn: 0x7000_0000,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "invalid: maddu",
        code: &[0x7000_0001], // maddu
        fault: Fault::InvalidInstruction,
        at_pc: 0x1000,
        insn: 0x7000_0001,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "invalid: SPECIAL2 funct 0x03",
        code: &[0x7000_0003], // SPECIAL2 funct 0x03
        fault: Fault::InvalidInstruction,
        at_pc: 0x1000,
        insn: 0x7000_0003,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "invalid: jalx",
        code: &[0x7400_0000], // jalx
        fault: Fault::InvalidInstruction,
        at_pc: 0x1000,
        insn: 0x7400_0000,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "invalid: opcode 0x1e",
        code: &[0x7800_0000], // opcode 0x1e
        fault: Fault::InvalidInstruction,
        at_pc: 0x1000,
        insn: 0x7800_0000,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "invalid: cache",
        code: &[0xbc00_0000], // cache
        fault: Fault::InvalidInstruction,
        at_pc: 0x1000,
        insn: 0xbc00_0000,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "invalid: pref",
        code: &[0xcc00_0000], // pref
        fault: Fault::InvalidInstruction,
        at_pc: 0x1000,
        insn: 0xcc00_0000,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "invalid: lwc1",
        code: &[0xc400_0000], // lwc1
        fault: Fault::InvalidInstruction,
        at_pc: 0x1000,
        insn: 0xc400_0000,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "invalid: sdc1",
        code: &[0xf400_0000], // sdc1
        fault: Fault::InvalidInstruction,
        at_pc: 0x1000,
        insn: 0xf400_0000,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "invalid instruction reports the pre-state step",
        code: &[0x4400_0000], // COP1
        start_step: 41,
        fault: Fault::InvalidInstruction,
        at_pc: 0x1000,
        insn: 0x4400_0000,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "div $1, $2 by 0x0",
        code: &[0x0022_001a], // div $1, $2
        regs: &[(1, 0x7), (2, 0x0)],
        fault: Fault::DivideByZero,
        at_pc: 0x1000,
        insn: 0x0022_001a,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "div $1, $2 by 0x100000000",
        code: &[0x0022_001a], // div $1, $2
        regs: &[(1, 0x7), (2, 0x1_0000_0000)],
        fault: Fault::DivideByZero,
        at_pc: 0x1000,
        insn: 0x0022_001a,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "divu $1, $2 by 0x0",
        code: &[0x0022_001b], // divu $1, $2
        regs: &[(1, 0x7), (2, 0x0)],
        fault: Fault::DivideByZero,
        at_pc: 0x1000,
        insn: 0x0022_001b,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "divu $1, $2 by 0xffffffff00000000",
        code: &[0x0022_001b], // divu $1, $2
        regs: &[(1, 0x7), (2, 0xffff_ffff_0000_0000)],
        fault: Fault::DivideByZero,
        at_pc: 0x1000,
        insn: 0x0022_001b,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "ddiv $1, $2 by 0x0",
        code: &[0x0022_001e], // ddiv $1, $2
        regs: &[(1, 0x7), (2, 0x0)],
        fault: Fault::DivideByZero,
        at_pc: 0x1000,
        insn: 0x0022_001e,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "ddivu $1, $2 by 0x0",
        code: &[0x0022_001f], // ddivu $1, $2
        regs: &[(1, 0x7), (2, 0x0)],
        fault: Fault::DivideByZero,
        at_pc: 0x1000,
        insn: 0x0022_001f,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "unknown syscall 0x176f",
        code: &[0x0000_000c], // syscall
        regs: &[(2, 0x176f)],
        fault: Fault::UnknownSyscall(0x176f),
        at_pc: 0x1000,
        insn: 0x0000_000c,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "unknown syscall 0xfa4",
        code: &[0x0000_000c], // syscall
        regs: &[(2, 0xfa4)],
        fault: Fault::UnknownSyscall(0xfa4),
        at_pc: 0x1000,
        insn: 0x0000_000c,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "unknown syscall 0x100001389",
        code: &[0x0000_000c], // syscall
        regs: &[(2, 0x1_0000_1389)],
        fault: Fault::UnknownSyscall(0x100001389),
        at_pc: 0x1000,
        insn: 0x0000_000c,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "unknown syscall 0xffffffffffffffff",
        code: &[0x0000_000c], // syscall
        regs: &[(2, 0xffff_ffff_ffff_ffff)],
        fault: Fault::UnknownSyscall(0xffffffffffffffff),
        at_pc: 0x1000,
        insn: 0x0000_000c,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "unaligned PC (0x1002)",
        code: &[],
        pc: Some((0x1002, 0x1006)),
        fault: Fault::UnalignedPc,
        at_pc: 0x1002,
        insn: 0x0000_0000,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "unaligned PC (0x1001) at step 7",
        code: &[],
        pc: Some((0x1001, 0x1005)),
        start_step: 7,
        fault: Fault::UnalignedPc,
        at_pc: 0x1001,
        insn: 0x0000_0000,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "jr to an unaligned target faults after the delay slot",
        code: &[
            0x0020_0008, // jr $1
            0x0000_0000, // nop
        ],
        regs: &[(1, 0x2002)],
        ok_steps: 2,
        fault: Fault::UnalignedPc,
        at_pc: 0x2002,
        insn: 0x0000_0000,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "beq in the delay slot of a taken beq",
        code: &[
            0x1000_0004, // beq $0, $0, +4
            0x1000_0004, // beq $0, $0, +4
        ],
        ok_steps: 1,
        fault: Fault::BranchInDelaySlot,
        at_pc: 0x1004,
        insn: 0x1000_0004,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "j in the delay slot of a taken beq",
        code: &[
            0x1000_0004, // beq $0, $0, +4
            0x0800_1000, // j 0x4000
        ],
        ok_steps: 1,
        fault: Fault::JumpInDelaySlot,
        at_pc: 0x1004,
        insn: 0x0800_1000,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "beq in the delay slot of j",
        code: &[
            0x0800_1000, // j 0x4000
            0x1000_0004, // beq $0, $0, +4
        ],
        ok_steps: 1,
        fault: Fault::BranchInDelaySlot,
        at_pc: 0x1004,
        insn: 0x1000_0004,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "jr in the delay slot of jal",
        code: &[
            0x0c00_1000, // jal 0x4000
            0x0020_0008, // jr $1
        ],
        regs: &[(1, 0x3000)],
        ok_steps: 1,
        fault: Fault::JumpInDelaySlot,
        at_pc: 0x1004,
        insn: 0x0020_0008,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "bltzal in the delay slot of jr",
        code: &[
            0x0020_0008, // jr $1
            0x0410_0004, // bltzal $0, +4
        ],
        regs: &[(1, 0x3000)],
        ok_steps: 1,
        fault: Fault::BranchInDelaySlot,
        at_pc: 0x1004,
        insn: 0x0410_0004,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "unknown REGIMM in a delay slot is still a branch",
        code: &[
            0x1000_0004, // beq $0, $0, +4
            0x0413_0004, // REGIMM rt=0x13
        ],
        ok_steps: 1,
        fault: Fault::BranchInDelaySlot,
        at_pc: 0x1004,
        insn: 0x0413_0004,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "bne with NextPC != PC+4 in the pre-state",
        code: &[0x1420_0004], // bne $1, $0, +4
        pc: Some((0x1000, 0x3000)),
        start_step: 9,
        fault: Fault::BranchInDelaySlot,
        at_pc: 0x1000,
        insn: 0x1420_0004,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "jalr with NextPC != PC+4 in the pre-state",
        code: &[0x0020_f809], // jalr $31, $1
        pc: Some((0x1000, 0x3000)),
        regs: &[(1, 0x3000)],
        fault: Fault::JumpInDelaySlot,
        at_pc: 0x1000,
        insn: 0x0020_f809,
        ..FaultCase::NEW
    },
];

const ALU32: &[Case] = &[
    Case {
        name: "add: overflow wraps, no trap",
        code: &[0x0022_1820], // add $3, $1, $2
        regs: &[(1, 0x7fff_ffff), (2, 0x1)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x8000_0000)],
        ..Case::NEW
    },
    Case {
        name: "addu wraps",
        code: &[0x0022_1821], // addu $3, $1, $2
        regs: &[(1, 0xffff_ffff), (2, 0x2)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x1)],
        ..Case::NEW
    },
    Case {
        name: "sub: 0 - 1",
        code: &[0x0022_1822], // sub $3, $1, $2
        regs: &[(1, 0x0), (2, 0x1)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0xffff_ffff)],
        ..Case::NEW
    },
    Case {
        name: "sub: INT32_MIN - 1 wraps",
        code: &[0x0022_1822], // sub $3, $1, $2
        regs: &[(1, 0x8000_0000), (2, 0x1)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x7fff_ffff)],
        ..Case::NEW
    },
    Case {
        name: "subu",
        code: &[0x0022_1823], // subu $3, $1, $2
        regs: &[(1, 0x3), (2, 0x5)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0xffff_fffe)],
        ..Case::NEW
    },
    Case {
        name: "and",
        code: &[0x0022_1824], // and $3, $1, $2
        regs: &[(1, 0xff00_ff00), (2, 0xff0_0ff0)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0xf00_0f00)],
        ..Case::NEW
    },
    Case {
        name: "or",
        code: &[0x0022_1825], // or $3, $1, $2
        regs: &[(1, 0xf000_0000), (2, 0x1)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0xf000_0001)],
        ..Case::NEW
    },
    Case {
        name: "xor",
        code: &[0x0022_1826], // xor $3, $1, $2
        regs: &[(1, 0xffff_0000), (2, 0xf0f_0f0f)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0xf0f0_0f0f)],
        ..Case::NEW
    },
    Case {
        name: "nor of zeros",
        code: &[0x0022_1827], // nor $3, $1, $2
        regs: &[(1, 0x0), (2, 0x0)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0xffff_ffff)],
        ..Case::NEW
    },
    Case {
        name: "slt: -1 < 1",
        code: &[0x0022_182a], // slt $3, $1, $2
        regs: &[(1, 0xffff_ffff), (2, 0x1)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x1)],
        ..Case::NEW
    },
    Case {
        name: "slt: 0x80000000 is negative",
        code: &[0x0022_182a], // slt $3, $1, $2
        regs: &[(1, 0x8000_0000), (2, 0x0)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x1)],
        ..Case::NEW
    },
    Case {
        name: "sltu: 1 < 0xffffffff",
        code: &[0x0022_182b], // sltu $3, $1, $2
        regs: &[(1, 0x1), (2, 0xffff_ffff)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x1)],
        ..Case::NEW
    },
    Case {
        name: "sltu: 0xffffffff < 1 is false",
        code: &[0x0022_182b], // sltu $3, $1, $2
        regs: &[(1, 0xffff_ffff), (2, 0x1), (3, 0x55)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x0)],
        ..Case::NEW
    },
    Case {
        name: "addi: overflow wraps, no trap",
        code: &[0x2023_0001], // addi $3, $1, 1
        regs: &[(1, 0x7fff_ffff)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x8000_0000)],
        ..Case::NEW
    },
    Case {
        name: "addiu: 0xffffffff + 1 wraps to 0",
        code: &[0x2423_0001], // addiu $3, $1, 1
        regs: &[(1, 0xffff_ffff), (3, 0x55)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x0)],
        ..Case::NEW
    },
    Case {
        name: "addiu: negative immediate",
        code: &[0x2423_fff0], // addiu $3, $1, -16
        regs: &[(1, 0x10)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x0)],
        ..Case::NEW
    },
    Case {
        name: "slti: signed",
        code: &[0x2823_ffff], // slti $3, $1, -1
        regs: &[(1, 0x8000_0000)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x1)],
        ..Case::NEW
    },
    Case {
        name: "sltiu: immediate sign-extended then unsigned",
        code: &[0x2c23_ffff], // sltiu $3, $1, -1
        regs: &[(1, 0xffff_fffe)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x1)],
        ..Case::NEW
    },
    Case {
        name: "andi: zero-extended",
        code: &[0x3023_8001], // andi $3, $1, 0x8001
        regs: &[(1, 0xffff_ffff)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x8001)],
        ..Case::NEW
    },
    Case {
        name: "ori: zero-extended",
        code: &[0x3423_8000], // ori $3, $1, 0x8000
        regs: &[(1, 0x0)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x8000)],
        ..Case::NEW
    },
    Case {
        name: "xori: zero-extended",
        code: &[0x3823_ffff], // xori $3, $1, 0xffff
        regs: &[(1, 0xffff_1234)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0xffff_edcb)],
        ..Case::NEW
    },
    Case {
        name: "lui",
        code: &[0x3c03_8000], // lui $3, 0x8000
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x8000_0000)],
        ..Case::NEW
    },
];

const SHIFT32: &[Case] = &[
    Case {
        name: "sll",
        code: &[0x0002_1840], // sll $3, $2, 1
        regs: &[(2, 0x4000_0001)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x8000_0002)],
        ..Case::NEW
    },
    Case {
        name: "sll drops bits past 31",
        code: &[0x0002_1a00], // sll $3, $2, 8
        regs: &[(2, 0x1234_5678)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x3456_7800)],
        ..Case::NEW
    },
    Case {
        name: "srl",
        code: &[0x0002_1902], // srl $3, $2, 4
        regs: &[(2, 0x8000_0000)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x800_0000)],
        ..Case::NEW
    },
    Case {
        name: "sra",
        code: &[0x0002_1903], // sra $3, $2, 4
        regs: &[(2, 0x8000_0000)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0xf800_0000)],
        ..Case::NEW
    },
    Case {
        name: "sra by 31",
        code: &[0x0002_1fc3], // sra $3, $2, 31
        regs: &[(2, 0x8000_0000)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0xffff_ffff)],
        ..Case::NEW
    },
    Case {
        name: "sllv: amount masked (33 -> 1)",
        code: &[0x0022_1804], // sllv $3, $2, $1
        regs: &[(1, 0x21), (2, 0x1)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x2)],
        ..Case::NEW
    },
    Case {
        name: "srlv: amount masked (36 -> 4)",
        code: &[0x0022_1806], // srlv $3, $2, $1
        regs: &[(1, 0x24), (2, 0x8000_0000)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x800_0000)],
        ..Case::NEW
    },
    Case {
        name: "srav: amount masked (0x2c -> 12)",
        code: &[0x0022_1807], // srav $3, $2, $1
        regs: &[(1, 0x2c), (2, 0x8000_0000)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0xfff8_0000)],
        ..Case::NEW
    },
];

const MULCLZ32: &[Case] = &[
    Case {
        name: "mul: product bit 31, HI/LO untouched",
        code: &[0x7022_1802], // mul $3, $1, $2
        regs: &[(1, 0x4000_0000), (2, 0x2)],
        hilo: (0x1111_1111, 0x2222_2222),
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x8000_0000)],
        ..Case::NEW
    },
    Case {
        name: "mul: negative",
        code: &[0x7022_1802], // mul $3, $1, $2
        regs: &[(1, 0xffff_fffd), (2, 0x5)],
        hilo: (0x1111_1111, 0x2222_2222),
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0xffff_fff1)],
        ..Case::NEW
    },
    Case {
        name: "mul: wraps to the low 32 bits",
        code: &[0x7022_1802], // mul $3, $1, $2
        regs: &[(1, 0x1_0001), (2, 0x1_0001)],
        hilo: (0x1111_1111, 0x2222_2222),
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x2_0001)],
        ..Case::NEW
    },
    Case {
        name: "clz of 0 is 32",
        code: &[0x7023_1820], // clz $3, $1
        regs: &[(1, 0x0)],
        hilo: (0x1111_1111, 0x2222_2222),
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x20)],
        ..Case::NEW
    },
    Case {
        name: "clz of 1 is 31",
        code: &[0x7023_1820], // clz $3, $1
        regs: &[(1, 0x1)],
        hilo: (0x1111_1111, 0x2222_2222),
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x1f)],
        ..Case::NEW
    },
    Case {
        name: "clo of all ones is 32",
        code: &[0x7023_1821], // clo $3, $1
        regs: &[(1, 0xffff_ffff)],
        hilo: (0x1111_1111, 0x2222_2222),
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x20)],
        ..Case::NEW
    },
    Case {
        name: "clo of 0xf0000000 is 4",
        code: &[0x7023_1821], // clo $3, $1
        regs: &[(1, 0xf000_0000)],
        hilo: (0x1111_1111, 0x2222_2222),
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x4)],
        ..Case::NEW
    },
];

const HILO32: &[Case] = &[
    Case {
        name: "mult 0x7fffffff * 0x7fffffff",
        code: &[0x0022_0018], // mult $1, $2
        regs: &[(1, 0x7fff_ffff), (2, 0x7fff_ffff)],
        hilo: (0x5555_5555, 0x6666_6666),
        pcs: &[(0x1004, 0x1008)],
        want_hilo: Some((0x3fff_ffff, 0x1)),
        ..Case::NEW
    },
    Case {
        name: "mult 0xffffffff * 0x1",
        code: &[0x0022_0018], // mult $1, $2
        regs: &[(1, 0xffff_ffff), (2, 0x1)],
        hilo: (0x5555_5555, 0x6666_6666),
        pcs: &[(0x1004, 0x1008)],
        want_hilo: Some((0xffff_ffff, 0xffff_ffff)),
        ..Case::NEW
    },
    Case {
        name: "mult 0x80000000 * 0x80000000",
        code: &[0x0022_0018], // mult $1, $2
        regs: &[(1, 0x8000_0000), (2, 0x8000_0000)],
        hilo: (0x5555_5555, 0x6666_6666),
        pcs: &[(0x1004, 0x1008)],
        want_hilo: Some((0x4000_0000, 0x0)),
        ..Case::NEW
    },
    Case {
        name: "multu 0xffffffff^2",
        code: &[0x0022_0019], // multu $1, $2
        regs: &[(1, 0xffff_ffff), (2, 0xffff_ffff)],
        hilo: (0x5555_5555, 0x6666_6666),
        pcs: &[(0x1004, 0x1008)],
        want_hilo: Some((0xffff_fffe, 0x1)),
        ..Case::NEW
    },
    Case {
        name: "div: 7 / -2",
        code: &[0x0022_001a], // div $1, $2
        regs: &[(1, 0x7), (2, 0xffff_fffe)],
        hilo: (0x5555_5555, 0x6666_6666),
        pcs: &[(0x1004, 0x1008)],
        want_hilo: Some((0x1, 0xffff_fffd)),
        ..Case::NEW
    },
    Case {
        name: "div: -7 / 2",
        code: &[0x0022_001a], // div $1, $2
        regs: &[(1, 0xffff_fff9), (2, 0x2)],
        hilo: (0x5555_5555, 0x6666_6666),
        pcs: &[(0x1004, 0x1008)],
        want_hilo: Some((0xffff_ffff, 0xffff_fffd)),
        ..Case::NEW
    },
    Case {
        name: "div: INT32_MIN / -1",
        code: &[0x0022_001a], // div $1, $2
        regs: &[(1, 0x8000_0000), (2, 0xffff_ffff)],
        hilo: (0x5555_5555, 0x6666_6666),
        pcs: &[(0x1004, 0x1008)],
        want_hilo: Some((0x0, 0x8000_0000)),
        ..Case::NEW
    },
    Case {
        name: "divu: 0xffffffff / 2",
        code: &[0x0022_001b], // divu $1, $2
        regs: &[(1, 0xffff_ffff), (2, 0x2)],
        hilo: (0x5555_5555, 0x6666_6666),
        pcs: &[(0x1004, 0x1008)],
        want_hilo: Some((0x1, 0x7fff_ffff)),
        ..Case::NEW
    },
    Case {
        name: "divu: small / large",
        code: &[0x0022_001b], // divu $1, $2
        regs: &[(1, 0x7), (2, 0xffff_fffe)],
        hilo: (0x5555_5555, 0x6666_6666),
        pcs: &[(0x1004, 0x1008)],
        want_hilo: Some((0x7, 0x0)),
        ..Case::NEW
    },
    Case {
        name: "mult then mflo, mfhi",
        code: &[
            0x0022_0018, // mult $1, $2
            0x0000_1812, // mflo $3
            0x0000_2010, // mfhi $4
        ],
        regs: &[(1, 0xffff_fffd), (2, 0x7fff_ffff)],
        hilo: (0x5555_5555, 0x6666_6666),
        pcs: &[(0x1004, 0x1008), (0x1008, 0x100c), (0x100c, 0x1010)],
        want_regs: &[(3, 0x8000_0003), (4, 0xffff_fffe)],
        want_hilo: Some((0xffff_fffe, 0x8000_0003)),
        ..Case::NEW
    },
    Case {
        name: "mfhi",
        code: &[0x0000_1810], // mfhi $3
        hilo: (0x89ab_cdef, 0x123_4567),
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x89ab_cdef)],
        ..Case::NEW
    },
    Case {
        name: "mflo",
        code: &[0x0000_1812], // mflo $3
        hilo: (0x89ab_cdef, 0x123_4567),
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x123_4567)],
        ..Case::NEW
    },
    Case {
        name: "mthi",
        code: &[0x0020_0011], // mthi $1
        regs: &[(1, 0xcafe_babe)],
        hilo: (0x5555_5555, 0x6666_6666),
        pcs: &[(0x1004, 0x1008)],
        want_hilo: Some((0xcafe_babe, 0x6666_6666)),
        ..Case::NEW
    },
    Case {
        name: "mtlo",
        code: &[0x0020_0013], // mtlo $1
        regs: &[(1, 0xcafe_babe)],
        hilo: (0x5555_5555, 0x6666_6666),
        pcs: &[(0x1004, 0x1008)],
        want_hilo: Some((0x5555_5555, 0xcafe_babe)),
        ..Case::NEW
    },
    Case {
        name: "quirk: mult with rd=3 zeroes $3",
        code: &[0x0022_1818], // mult $1, $2 (rd=3)
        regs: &[(1, 0x3), (2, 0x4), (3, 0x77)],
        hilo: (0x5555_5555, 0x6666_6666),
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x0)],
        want_hilo: Some((0x0, 0xc)),
        ..Case::NEW
    },
    Case {
        name: "quirk: mthi with rd=6 zeroes $6",
        code: &[0x0020_3011], // mthi $1 (rd=6)
        regs: &[(1, 0xab), (6, 0x77)],
        hilo: (0x5555_5555, 0x6666_6666),
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(6, 0x0)],
        want_hilo: Some((0xab, 0x6666_6666)),
        ..Case::NEW
    },
];

const BRANCH32: &[Case] = &[
    Case {
        name: "beq taken",
        code: &[
            0x1022_0004, // beq $1, $2, +4
            0x2405_0001, // addiu $5, $0, 1
        ],
        regs: &[(1, 0x5), (2, 0x5)],
        pcs: &[(0x1004, 0x1014), (0x1014, 0x1018)],
        want_regs: &[(5, 0x1)],
        ..Case::NEW
    },
    Case {
        name: "beq not taken",
        code: &[
            0x1022_0004, // beq $1, $2, +4
            0x2405_0001, // addiu $5, $0, 1
        ],
        regs: &[(1, 0x5), (2, 0x6)],
        pcs: &[(0x1004, 0x1008), (0x1008, 0x100c)],
        want_regs: &[(5, 0x1)],
        ..Case::NEW
    },
    Case {
        name: "bne taken backwards",
        code: &[
            0x1422_fffe, // bne $1, $2, -2
            0x2405_0001, // addiu $5, $0, 1
        ],
        regs: &[(1, 0x5), (2, 0x6)],
        pcs: &[(0x1004, 0xffc), (0xffc, 0x1000)],
        want_regs: &[(5, 0x1)],
        ..Case::NEW
    },
    Case {
        name: "blez taken: 0x80000000 is negative",
        code: &[
            0x1820_0004, // blez $1, +4
            0x2405_0001, // addiu $5, $0, 1
        ],
        regs: &[(1, 0x8000_0000)],
        pcs: &[(0x1004, 0x1014), (0x1014, 0x1018)],
        want_regs: &[(5, 0x1)],
        ..Case::NEW
    },
    Case {
        name: "bgtz taken",
        code: &[
            0x1c20_0004, // bgtz $1, +4
            0x2405_0001, // addiu $5, $0, 1
        ],
        regs: &[(1, 0x7fff_ffff)],
        pcs: &[(0x1004, 0x1014), (0x1014, 0x1018)],
        want_regs: &[(5, 0x1)],
        ..Case::NEW
    },
    Case {
        name: "bgtz not taken: 0x80000000 is negative",
        code: &[
            0x1c20_0004, // bgtz $1, +4
            0x2405_0001, // addiu $5, $0, 1
        ],
        regs: &[(1, 0x8000_0000)],
        pcs: &[(0x1004, 0x1008), (0x1008, 0x100c)],
        want_regs: &[(5, 0x1)],
        ..Case::NEW
    },
    Case {
        name: "bltz taken",
        code: &[
            0x0420_0004, // bltz $1, +4
            0x2405_0001, // addiu $5, $0, 1
        ],
        regs: &[(1, 0x8000_0000)],
        pcs: &[(0x1004, 0x1014), (0x1014, 0x1018)],
        want_regs: &[(5, 0x1)],
        ..Case::NEW
    },
    Case {
        name: "bgez not taken",
        code: &[
            0x0421_0004, // bgez $1, +4
            0x2405_0001, // addiu $5, $0, 1
        ],
        regs: &[(1, 0x8000_0000)],
        pcs: &[(0x1004, 0x1008), (0x1008, 0x100c)],
        want_regs: &[(5, 0x1)],
        ..Case::NEW
    },
    Case {
        name: "bltzal not taken still links",
        code: &[
            0x0430_0004, // bltzal $1, +4
            0x2405_0001, // addiu $5, $0, 1
        ],
        regs: &[(1, 0x1)],
        pcs: &[(0x1004, 0x1008), (0x1008, 0x100c)],
        want_regs: &[(5, 0x1), (31, 0x1008)],
        ..Case::NEW
    },
    Case {
        name: "bgezal taken links",
        code: &[
            0x0431_0004, // bgezal $1, +4
            0x2405_0001, // addiu $5, $0, 1
        ],
        regs: &[(1, 0x0)],
        pcs: &[(0x1004, 0x1014), (0x1014, 0x1018)],
        want_regs: &[(5, 0x1), (31, 0x1008)],
        ..Case::NEW
    },
    Case {
        name: "unknown REGIMM rt=0x03 (bgezl) is never taken",
        code: &[
            0x0423_0004, // bgezl $1, +4
            0x2405_0001, // addiu $5, $0, 1
        ],
        regs: &[(1, 0x0)],
        pcs: &[(0x1004, 0x1008), (0x1008, 0x100c)],
        want_regs: &[(5, 0x1)],
        ..Case::NEW
    },
    Case {
        name: "backward branch from address 0 wraps to 0xfffffffc",
        code: &[
            0x1000_fffe, // beq $0, $0, -2
            0x2405_0001, // addiu $5, $0, 1
        ],
        base: 0x0,
        pcs: &[(0x4, 0xffff_fffc), (0xffff_fffc, 0x0)],
        want_regs: &[(5, 0x1)],
        ..Case::NEW
    },
    Case {
        name: "bltzal at 0xfffffff8: link and NextPC wrap to 0",
        code: &[
            0x0410_0004, // bltzal $0, +4
            0x2405_0001, // addiu $5, $0, 1
        ],
        base: 0xffff_fff8,
        pcs: &[(0xffff_fffc, 0x0), (0x0, 0x4)],
        want_regs: &[(5, 0x1), (31, 0x0)],
        ..Case::NEW
    },
    Case {
        name: "syscall in a delay slot is fine (unknown number: no-op)",
        code: &[
            0x1000_0004, // beq $0, $0, +4
            0x0000_000c, // syscall
        ],
        regs: &[(2, 0xfb4), (7, 0x77)],
        pcs: &[(0x1004, 0x1014), (0x1014, 0x1018)],
        want_regs: &[(2, 0x0), (7, 0x0)],
        ..Case::NEW
    },
];

const JUMP32: &[Case] = &[
    Case {
        name: "j",
        code: &[
            0x0800_0100, // j 0x400
            0x2405_0001, // addiu $5, $0, 1
        ],
        pcs: &[(0x1004, 0x400), (0x400, 0x404)],
        want_regs: &[(5, 0x1)],
        ..Case::NEW
    },
    Case {
        name: "j keeps NextPC's top 4 bits",
        code: &[0x0800_0100], // j 0x400
        base: 0xbfc0_1000,
        pcs: &[(0xbfc0_1004, 0xb000_0400)],
        ..Case::NEW
    },
    Case {
        name: "j takes the region from NextPC",
        code: &[0x0800_0100], // j 0x400
        base: 0xfff_fffc,
        pcs: &[(0x1000_0000, 0x1000_0400)],
        ..Case::NEW
    },
    Case {
        name: "jal",
        code: &[0x0c00_0800], // jal 0x2000
        pcs: &[(0x1004, 0x2000)],
        want_regs: &[(31, 0x1008)],
        ..Case::NEW
    },
    Case {
        name: "jr, delay slot runs",
        code: &[
            0x0020_0008, // jr $1
            0x2405_0001, // addiu $5, $0, 1
        ],
        regs: &[(1, 0x2000)],
        pcs: &[(0x1004, 0x2000), (0x2000, 0x2004)],
        want_regs: &[(5, 0x1)],
        ..Case::NEW
    },
    Case {
        name: "jalr $31, $1",
        code: &[0x0020_f809], // jalr $31, $1
        regs: &[(1, 0x2000)],
        pcs: &[(0x1004, 0x2000)],
        want_regs: &[(31, 0x1008)],
        ..Case::NEW
    },
    Case {
        name: "jalr with rd=0 does not link",
        code: &[0x0020_0009], // jalr $0, $1
        regs: &[(1, 0x2000)],
        pcs: &[(0x1004, 0x2000)],
        ..Case::NEW
    },
    Case {
        name: "jalr $1, $1 reads the target before linking",
        code: &[0x0020_0809], // jalr $1, $1
        regs: &[(1, 0x2000)],
        pcs: &[(0x1004, 0x2000)],
        want_regs: &[(1, 0x1008)],
        ..Case::NEW
    },
];

const MOVE32: &[Case] = &[
    Case {
        name: "movz moves when rt == 0",
        code: &[0x0022_180a], // movz $3, $1, $2
        regs: &[(1, 0xdead_beef), (2, 0x0), (3, 0x7)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0xdead_beef)],
        ..Case::NEW
    },
    Case {
        name: "movz keeps rd when rt != 0",
        code: &[0x0022_180a], // movz $3, $1, $2
        regs: &[(1, 0xdead_beef), (2, 0x1), (3, 0x7)],
        pcs: &[(0x1004, 0x1008)],
        ..Case::NEW
    },
    Case {
        name: "movn moves when rt != 0",
        code: &[0x0022_180b], // movn $3, $1, $2
        regs: &[(1, 0xdead_beef), (2, 0x8000_0000), (3, 0x7)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0xdead_beef)],
        ..Case::NEW
    },
    Case {
        name: "movn keeps rd when rt == 0",
        code: &[0x0022_180b], // movn $3, $1, $2
        regs: &[(1, 0xdead_beef), (2, 0x0), (3, 0x7)],
        pcs: &[(0x1004, 0x1008)],
        ..Case::NEW
    },
    Case {
        name: "sync with rs=1, rd=3 writes rs into rd",
        code: &[0x0020_180f], // sync (rs=1, rd=3)
        regs: &[(1, 0x7654_3210)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(3, 0x7654_3210)],
        ..Case::NEW
    },
    Case {
        name: "addiu $0 is not written",
        code: &[0x2400_0005], // addiu $0, $0, 5
        pcs: &[(0x1004, 0x1008)],
        ..Case::NEW
    },
    Case {
        name: "unknown syscall (exit 4001) is a no-op returning 0",
        code: &[0x0000_000c], // syscall
        regs: &[(2, 0xfa1), (4, 0x3), (7, 0x77)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0x0), (7, 0x0)],
        ..Case::NEW
    },
];

const MEM32: &[Case] = &[
    Case {
        name: "lb sign-extends",
        code: &[0x8022_0000], // lb $2, 0($1)
        regs: &[(1, 0x2000), (2, 0x5a5a)],
        mem: &[(0x2000, 0x8192_a3b4), (0x2004, 0x1122_3344)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0xffff_ff81)],
        ..Case::NEW
    },
    Case {
        name: "lb byte 3",
        code: &[0x8022_0003], // lb $2, 3($1)
        regs: &[(1, 0x2000), (2, 0x5a5a)],
        mem: &[(0x2000, 0x8192_a3b4), (0x2004, 0x1122_3344)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0xffff_ffb4)],
        ..Case::NEW
    },
    Case {
        name: "lbu",
        code: &[0x9022_0001], // lbu $2, 1($1)
        regs: &[(1, 0x2000), (2, 0x5a5a)],
        mem: &[(0x2000, 0x8192_a3b4), (0x2004, 0x1122_3344)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0x92)],
        ..Case::NEW
    },
    Case {
        name: "lh",
        code: &[0x8422_0000], // lh $2, 0($1)
        regs: &[(1, 0x2000), (2, 0x5a5a)],
        mem: &[(0x2000, 0x8192_a3b4), (0x2004, 0x1122_3344)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0xffff_8192)],
        ..Case::NEW
    },
    Case {
        name: "lh at 1 reads the halfword at 0",
        code: &[0x8422_0001], // lh $2, 1($1)
        regs: &[(1, 0x2000), (2, 0x5a5a)],
        mem: &[(0x2000, 0x8192_a3b4), (0x2004, 0x1122_3344)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0xffff_8192)],
        ..Case::NEW
    },
    Case {
        name: "lh 2",
        code: &[0x8422_0002], // lh $2, 2($1)
        regs: &[(1, 0x2000), (2, 0x5a5a)],
        mem: &[(0x2000, 0x8192_a3b4), (0x2004, 0x1122_3344)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0xffff_a3b4)],
        ..Case::NEW
    },
    Case {
        name: "lhu at 3 reads the halfword at 2",
        code: &[0x9422_0003], // lhu $2, 3($1)
        regs: &[(1, 0x2000), (2, 0x5a5a)],
        mem: &[(0x2000, 0x8192_a3b4), (0x2004, 0x1122_3344)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0xa3b4)],
        ..Case::NEW
    },
    Case {
        name: "lw",
        code: &[0x8c22_0000], // lw $2, 0($1)
        regs: &[(1, 0x2000), (2, 0x5a5a)],
        mem: &[(0x2000, 0x8192_a3b4), (0x2004, 0x1122_3344)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0x8192_a3b4)],
        ..Case::NEW
    },
    Case {
        name: "lw at 2 reads the word at 0",
        code: &[0x8c22_0002], // lw $2, 2($1)
        regs: &[(1, 0x2000), (2, 0x5a5a)],
        mem: &[(0x2000, 0x8192_a3b4), (0x2004, 0x1122_3344)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0x8192_a3b4)],
        ..Case::NEW
    },
    Case {
        name: "lw with a negative offset",
        code: &[0x8c22_fffc], // lw $2, -4($1)
        regs: &[(1, 0x2008), (2, 0x5a5a)],
        mem: &[(0x2000, 0x8192_a3b4), (0x2004, 0x1122_3344)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0x1122_3344)],
        ..Case::NEW
    },
    Case {
        name: "lw: base + offset wraps mod 2^32",
        code: &[0x8c22_fff8], // lw $2, -8($1)
        regs: &[(1, 0x4)],
        mem: &[(0xffff_fffc, 0xcafe_f00d)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0xcafe_f00d)],
        ..Case::NEW
    },
    Case {
        name: "sw: base + offset wraps mod 2^32",
        code: &[0xac22_fff8], // sw $2, -8($1)
        regs: &[(1, 0x4), (2, 0x102_0304)],
        mem: &[(0xffff_fffc, 0xcafe_f00d)],
        pcs: &[(0x1004, 0x1008)],
        want_mem: &[(0xffff_fffc, 0x102_0304)],
        ..Case::NEW
    },
    Case {
        name: "sb byte 1",
        code: &[0xa022_0001], // sb $2, 1($1)
        regs: &[(1, 0x2000), (2, 0x89ab_cdef)],
        mem: &[(0x2000, 0x8192_a3b4), (0x2004, 0x1122_3344)],
        pcs: &[(0x1004, 0x1008)],
        want_mem: &[(0x2000, 0x81ef_a3b4), (0x2004, 0x1122_3344)],
        ..Case::NEW
    },
    Case {
        name: "sh at 3 writes the halfword at 2",
        code: &[0xa422_0003], // sh $2, 3($1)
        regs: &[(1, 0x2000), (2, 0x89ab_cdef)],
        mem: &[(0x2000, 0x8192_a3b4), (0x2004, 0x1122_3344)],
        pcs: &[(0x1004, 0x1008)],
        want_mem: &[(0x2000, 0x8192_cdef), (0x2004, 0x1122_3344)],
        ..Case::NEW
    },
    Case {
        name: "sh 2",
        code: &[0xa422_0002], // sh $2, 2($1)
        regs: &[(1, 0x2000), (2, 0x89ab_cdef)],
        mem: &[(0x2000, 0x8192_a3b4), (0x2004, 0x1122_3344)],
        pcs: &[(0x1004, 0x1008)],
        want_mem: &[(0x2000, 0x8192_cdef), (0x2004, 0x1122_3344)],
        ..Case::NEW
    },
    Case {
        name: "sw at 5 writes the word at 4",
        code: &[0xac22_0005], // sw $2, 5($1)
        regs: &[(1, 0x2000), (2, 0x89ab_cdef)],
        mem: &[(0x2000, 0x8192_a3b4), (0x2004, 0x1122_3344)],
        pcs: &[(0x1004, 0x1008)],
        want_mem: &[(0x2000, 0x8192_a3b4), (0x2004, 0x89ab_cdef)],
        ..Case::NEW
    },
];

const LWLR32: &[Case] = &[
    Case {
        name: "lwl k=0",
        code: &[0x8822_0000], // lwl $2, 0($1)
        regs: &[(1, 0x2000), (2, 0x1122_3344)],
        mem: &[(0x2000, 0x8192_a3b4), (0x2004, 0x1122_3344)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0x8192_a3b4)],
        ..Case::NEW
    },
    Case {
        name: "lwl k=1",
        code: &[0x8822_0001], // lwl $2, 1($1)
        regs: &[(1, 0x2000), (2, 0x1122_3344)],
        mem: &[(0x2000, 0x8192_a3b4), (0x2004, 0x1122_3344)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0x92a3_b444)],
        ..Case::NEW
    },
    Case {
        name: "lwl k=2",
        code: &[0x8822_0002], // lwl $2, 2($1)
        regs: &[(1, 0x2000), (2, 0x1122_3344)],
        mem: &[(0x2000, 0x8192_a3b4), (0x2004, 0x1122_3344)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0xa3b4_3344)],
        ..Case::NEW
    },
    Case {
        name: "lwl k=3",
        code: &[0x8822_0003], // lwl $2, 3($1)
        regs: &[(1, 0x2000), (2, 0x1122_3344)],
        mem: &[(0x2000, 0x8192_a3b4), (0x2004, 0x1122_3344)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0xb422_3344)],
        ..Case::NEW
    },
    Case {
        name: "lwr k=0",
        code: &[0x9822_0000], // lwr $2, 0($1)
        regs: &[(1, 0x2000), (2, 0x1122_3344)],
        mem: &[(0x2000, 0x8192_a3b4), (0x2004, 0x1122_3344)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0x1122_3381)],
        ..Case::NEW
    },
    Case {
        name: "lwr k=1",
        code: &[0x9822_0001], // lwr $2, 1($1)
        regs: &[(1, 0x2000), (2, 0x1122_3344)],
        mem: &[(0x2000, 0x8192_a3b4), (0x2004, 0x1122_3344)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0x1122_8192)],
        ..Case::NEW
    },
    Case {
        name: "lwr k=2",
        code: &[0x9822_0002], // lwr $2, 2($1)
        regs: &[(1, 0x2000), (2, 0x1122_3344)],
        mem: &[(0x2000, 0x8192_a3b4), (0x2004, 0x1122_3344)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0x1181_92a3)],
        ..Case::NEW
    },
    Case {
        name: "lwr k=3",
        code: &[0x9822_0003], // lwr $2, 3($1)
        regs: &[(1, 0x2000), (2, 0x1122_3344)],
        mem: &[(0x2000, 0x8192_a3b4), (0x2004, 0x1122_3344)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0x8192_a3b4)],
        ..Case::NEW
    },
    Case {
        name: "swl k=0",
        code: &[0xa822_0000], // swl $2, 0($1)
        regs: &[(1, 0x2000), (2, 0x1122_3344)],
        mem: &[(0x2000, 0x8192_a3b4), (0x2004, 0x1122_3344)],
        pcs: &[(0x1004, 0x1008)],
        want_mem: &[(0x2000, 0x1122_3344)],
        ..Case::NEW
    },
    Case {
        name: "swl k=1",
        code: &[0xa822_0001], // swl $2, 1($1)
        regs: &[(1, 0x2000), (2, 0x1122_3344)],
        mem: &[(0x2000, 0x8192_a3b4), (0x2004, 0x1122_3344)],
        pcs: &[(0x1004, 0x1008)],
        want_mem: &[(0x2000, 0x8111_2233)],
        ..Case::NEW
    },
    Case {
        name: "swl k=2",
        code: &[0xa822_0002], // swl $2, 2($1)
        regs: &[(1, 0x2000), (2, 0x1122_3344)],
        mem: &[(0x2000, 0x8192_a3b4), (0x2004, 0x1122_3344)],
        pcs: &[(0x1004, 0x1008)],
        want_mem: &[(0x2000, 0x8192_1122)],
        ..Case::NEW
    },
    Case {
        name: "swl k=3",
        code: &[0xa822_0003], // swl $2, 3($1)
        regs: &[(1, 0x2000), (2, 0x1122_3344)],
        mem: &[(0x2000, 0x8192_a3b4), (0x2004, 0x1122_3344)],
        pcs: &[(0x1004, 0x1008)],
        want_mem: &[(0x2000, 0x8192_a311)],
        ..Case::NEW
    },
    Case {
        name: "swr k=0",
        code: &[0xb822_0000], // swr $2, 0($1)
        regs: &[(1, 0x2000), (2, 0x1122_3344)],
        mem: &[(0x2000, 0x8192_a3b4), (0x2004, 0x1122_3344)],
        pcs: &[(0x1004, 0x1008)],
        want_mem: &[(0x2000, 0x4492_a3b4)],
        ..Case::NEW
    },
    Case {
        name: "swr k=1",
        code: &[0xb822_0001], // swr $2, 1($1)
        regs: &[(1, 0x2000), (2, 0x1122_3344)],
        mem: &[(0x2000, 0x8192_a3b4), (0x2004, 0x1122_3344)],
        pcs: &[(0x1004, 0x1008)],
        want_mem: &[(0x2000, 0x3344_a3b4)],
        ..Case::NEW
    },
    Case {
        name: "swr k=2",
        code: &[0xb822_0002], // swr $2, 2($1)
        regs: &[(1, 0x2000), (2, 0x1122_3344)],
        mem: &[(0x2000, 0x8192_a3b4), (0x2004, 0x1122_3344)],
        pcs: &[(0x1004, 0x1008)],
        want_mem: &[(0x2000, 0x2233_44b4)],
        ..Case::NEW
    },
    Case {
        name: "swr k=3",
        code: &[0xb822_0003], // swr $2, 3($1)
        regs: &[(1, 0x2000), (2, 0x1122_3344)],
        mem: &[(0x2000, 0x8192_a3b4), (0x2004, 0x1122_3344)],
        pcs: &[(0x1004, 0x1008)],
        want_mem: &[(0x2000, 0x1122_3344)],
        ..Case::NEW
    },
];

const LLSC32: &[Case] = &[
    Case {
        name: "ll loads the aligned word",
        code: &[0xc022_0002], // ll $2, 2($1)
        regs: &[(1, 0x2000)],
        mem: &[(0x2000, 0x8192_a3b4), (0x2004, 0x1122_3344)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0x8192_a3b4)],
        ..Case::NEW
    },
    Case {
        name: "sc always succeeds and writes the aligned word",
        code: &[0xe022_0006], // sc $2, 6($1)
        regs: &[(1, 0x2000), (2, 0x1234_5678)],
        mem: &[(0x2000, 0x8192_a3b4), (0x2004, 0x1122_3344)],
        pcs: &[(0x1004, 0x1008)],
        want_regs: &[(2, 0x1)],
        want_mem: &[(0x2004, 0x1234_5678)],
        ..Case::NEW
    },
    Case {
        name: "ll, sw to the same word, sc still succeeds",
        code: &[
            0xc022_0000, // ll $2, 0($1)
            0xac23_0000, // sw $3, 0($1)
            0xe024_0000, // sc $4, 0($1)
        ],
        regs: &[(1, 0x2000), (3, 0xaabb_ccdd), (4, 0x9999_9999)],
        mem: &[(0x2000, 0x8192_a3b4), (0x2004, 0x1122_3344)],
        pcs: &[(0x1004, 0x1008), (0x1008, 0x100c), (0x100c, 0x1010)],
        want_regs: &[(2, 0x8192_a3b4), (4, 0x1)],
        want_mem: &[(0x2000, 0x9999_9999)],
        ..Case::NEW
    },
];

const FAULT32: &[FaultCase] = &[
    FaultCase {
        name: "invalid: COP1",
        code: &[0x4400_0000], // COP1
        regs: &[(1, 0x2000)],
        fault: Fault::InvalidInstruction,
        at_pc: 0x1000,
        insn: 0x4400_0000,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "invalid: SPECIAL funct 0x01",
        code: &[0x0000_0001], // SPECIAL funct 0x01
        regs: &[(1, 0x2000)],
        fault: Fault::InvalidInstruction,
        at_pc: 0x1000,
        insn: 0x0000_0001,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "invalid: break",
        code: &[0x0000_000d], // break
        regs: &[(1, 0x2000)],
        fault: Fault::InvalidInstruction,
        at_pc: 0x1000,
        insn: 0x0000_000d,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "invalid: beql",
        code: &[0x5000_0000], // beql
        regs: &[(1, 0x2000)],
        fault: Fault::InvalidInstruction,
        at_pc: 0x1000,
        insn: 0x5000_0000,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "invalid: SPECIAL3",
        code: &[0x7c00_0000], // SPECIAL3
        regs: &[(1, 0x2000)],
        fault: Fault::InvalidInstruction,
        at_pc: 0x1000,
        insn: 0x7c00_0000,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "invalid: madd",
        code: &[0x7000_0000], // madd
        regs: &[(1, 0x2000)],
        fault: Fault::InvalidInstruction,
        at_pc: 0x1000,
        insn: 0x7000_0000,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "invalid: daddu $3, $1, $2",
        code: &[0x0022_182d], // daddu $3, $1, $2
        regs: &[(1, 0x2000)],
        fault: Fault::InvalidInstruction,
        at_pc: 0x1000,
        insn: 0x0022_182d,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "invalid: dadd $3, $1, $2",
        code: &[0x0022_182c], // dadd $3, $1, $2
        regs: &[(1, 0x2000)],
        fault: Fault::InvalidInstruction,
        at_pc: 0x1000,
        insn: 0x0022_182c,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "invalid: dsll $3, $2, 1",
        code: &[0x0002_1878], // dsll $3, $2, 1
        regs: &[(1, 0x2000)],
        fault: Fault::InvalidInstruction,
        at_pc: 0x1000,
        insn: 0x0002_1878,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "invalid: dsll32 $3, $2, 1",
        code: &[0x0002_187c], // dsll32 $3, $2, 1
        regs: &[(1, 0x2000)],
        fault: Fault::InvalidInstruction,
        at_pc: 0x1000,
        insn: 0x0002_187c,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "invalid: dsllv $3, $2, $1",
        code: &[0x0022_1814], // dsllv $3, $2, $1
        regs: &[(1, 0x2000)],
        fault: Fault::InvalidInstruction,
        at_pc: 0x1000,
        insn: 0x0022_1814,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "invalid: dmult $1, $2",
        code: &[0x0022_001c], // dmult $1, $2
        regs: &[(1, 0x2000)],
        fault: Fault::InvalidInstruction,
        at_pc: 0x1000,
        insn: 0x0022_001c,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "invalid: ddivu $1, $2",
        code: &[0x0022_001f], // ddivu $1, $2
        regs: &[(1, 0x2000)],
        fault: Fault::InvalidInstruction,
        at_pc: 0x1000,
        insn: 0x0022_001f,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "invalid: daddiu $2, $1, 1",
        code: &[0x6422_0001], // daddiu $2, $1, 1
        regs: &[(1, 0x2000)],
        fault: Fault::InvalidInstruction,
        at_pc: 0x1000,
        insn: 0x6422_0001,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "invalid: daddi $2, $1, 1",
        code: &[0x6022_0001], // daddi $2, $1, 1
        regs: &[(1, 0x2000)],
        fault: Fault::InvalidInstruction,
        at_pc: 0x1000,
        insn: 0x6022_0001,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "invalid: dclz $3, $1",
        code: &[0x7023_1824], // dclz $3, $1
        regs: &[(1, 0x2000)],
        fault: Fault::InvalidInstruction,
        at_pc: 0x1000,
        insn: 0x7023_1824,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "invalid: ld $2, 0($1)",
        code: &[0xdc22_0000], // ld $2, 0($1)
        regs: &[(1, 0x2000)],
        fault: Fault::InvalidInstruction,
        at_pc: 0x1000,
        insn: 0xdc22_0000,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "invalid: sd $2, 0($1)",
        code: &[0xfc22_0000], // sd $2, 0($1)
        regs: &[(1, 0x2000)],
        fault: Fault::InvalidInstruction,
        at_pc: 0x1000,
        insn: 0xfc22_0000,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "invalid: lwu $2, 0($1)",
        code: &[0x9c22_0000], // lwu $2, 0($1)
        regs: &[(1, 0x2000)],
        fault: Fault::InvalidInstruction,
        at_pc: 0x1000,
        insn: 0x9c22_0000,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "invalid: ldl $2, 0($1)",
        code: &[0x6822_0000], // ldl $2, 0($1)
        regs: &[(1, 0x2000)],
        fault: Fault::InvalidInstruction,
        at_pc: 0x1000,
        insn: 0x6822_0000,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "invalid: sdl $2, 0($1)",
        code: &[0xb022_0000], // sdl $2, 0($1)
        regs: &[(1, 0x2000)],
        fault: Fault::InvalidInstruction,
        at_pc: 0x1000,
        insn: 0xb022_0000,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "invalid: lld $2, 0($1)",
        code: &[0xd022_0000], // lld $2, 0($1)
        regs: &[(1, 0x2000)],
        fault: Fault::InvalidInstruction,
        at_pc: 0x1000,
        insn: 0xd022_0000,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "invalid: scd $2, 0($1)",
        code: &[0xf022_0000], // scd $2, 0($1)
        regs: &[(1, 0x2000)],
        fault: Fault::InvalidInstruction,
        at_pc: 0x1000,
        insn: 0xf022_0000,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "div by zero",
        code: &[0x0022_001a], // div $1, $2
        regs: &[(1, 0x7), (2, 0x0)],
        fault: Fault::DivideByZero,
        at_pc: 0x1000,
        insn: 0x0022_001a,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "divu by zero at step 3",
        code: &[0x0022_001b], // divu $1, $2
        regs: &[(1, 0x7), (2, 0x0)],
        start_step: 3,
        fault: Fault::DivideByZero,
        at_pc: 0x1000,
        insn: 0x0022_001b,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "unaligned PC",
        code: &[],
        pc: Some((0x1002, 0x1006)),
        fault: Fault::UnalignedPc,
        at_pc: 0x1002,
        insn: 0x0000_0000,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "bne in the delay slot of a taken beq",
        code: &[
            0x1000_0004, // beq $0, $0, +4
            0x1420_0004, // bne $1, $0, +4
        ],
        ok_steps: 1,
        fault: Fault::BranchInDelaySlot,
        at_pc: 0x1004,
        insn: 0x1420_0004,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "jal in the delay slot of j",
        code: &[
            0x0800_1000, // j 0x4000
            0x0c00_1000, // jal 0x4000
        ],
        ok_steps: 1,
        fault: Fault::JumpInDelaySlot,
        at_pc: 0x1004,
        insn: 0x0c00_1000,
        ..FaultCase::NEW
    },
    FaultCase {
        name: "jr with NextPC != PC+4 in the pre-state",
        code: &[0x0020_0008], // jr $1
        pc: Some((0x1000, 0x3000)),
        regs: &[(1, 0x3000)],
        fault: Fault::JumpInDelaySlot,
        at_pc: 0x1000,
        insn: 0x0020_0008,
        ..FaultCase::NEW
    },
];
