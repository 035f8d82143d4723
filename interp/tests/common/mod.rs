//! Shared support for the interpreter's integration tests: a tiny MIPS encoder and a harness that
//! runs a few instructions on a one-thread state of any version.
//!
//! Code is placed at [`CODE_BASE`] (PC = 0x1000, NextPC = 0x1004) unless a case moves it.

#![allow(dead_code)]

use interp::oracle::Oracle;
use interp::state::{Cpu, MtState, Reservation, StState};
use interp::{Error, Io, State, Vm, VmVersion};

/// (PC, NextPC, step counter) after one step.
pub type Trace = (u64, u64, u64);

/// Where code goes by default.
pub const CODE_BASE: u64 = 0x1000;

// ------------------------------------------------------------------------------------------------
// Encoder
// ------------------------------------------------------------------------------------------------

/// R-type word: SPECIAL (opcode 0) with the given funct and fields.
pub const fn r(funct: u32, rs: u32, rt: u32, rd: u32, sa: u32) -> u32 {
    (rs & 31) << 21 | (rt & 31) << 16 | (rd & 31) << 11 | (sa & 31) << 6 | (funct & 63)
}

/// I-type word; `imm` is truncated to 16 bits (negative offsets allowed).
pub const fn i(op: u32, rs: u32, rt: u32, imm: i32) -> u32 {
    (op & 63) << 26 | (rs & 31) << 21 | (rt & 31) << 16 | (imm as u32 & 0xFFFF)
}

/// J-type word jumping to byte address `target` (its bits 27..2 go into the instruction).
pub const fn j(op: u32, target: u64) -> u32 {
    (op & 63) << 26 | ((target >> 2) as u32 & 0x03FF_FFFF)
}

/// SPECIAL2 (opcode 0x1C) word.
pub const fn special2(funct: u32, rs: u32, rt: u32, rd: u32) -> u32 {
    0x1C << 26 | (rs & 31) << 21 | (rt & 31) << 16 | (rd & 31) << 11 | (funct & 63)
}

/// REGIMM (opcode 1) word with the given rt selector.
pub const fn regimm(rt_field: u32, rs: u32, imm: i32) -> u32 {
    i(1, rs, rt_field, imm)
}

/// Named helpers for the mnemonics the tests use most (operands in assembler order).
pub mod asm {
    use super::{i, j, r, regimm, special2};

    pub const NOP: u32 = 0;
    pub const SYSCALL: u32 = 0x0000_000C;

    pub const fn sll(rd: u32, rt: u32, sa: u32) -> u32 {
        r(0x00, 0, rt, rd, sa)
    }
    pub const fn jr(rs: u32) -> u32 {
        r(0x08, rs, 0, 0, 0)
    }
    pub const fn jalr(rd: u32, rs: u32) -> u32 {
        r(0x09, rs, 0, rd, 0)
    }
    pub const fn mfhi(rd: u32) -> u32 {
        r(0x10, 0, 0, rd, 0)
    }
    pub const fn mflo(rd: u32) -> u32 {
        r(0x12, 0, 0, rd, 0)
    }
    pub const fn mult(rs: u32, rt: u32) -> u32 {
        r(0x18, rs, rt, 0, 0)
    }
    pub const fn div(rs: u32, rt: u32) -> u32 {
        r(0x1A, rs, rt, 0, 0)
    }
    pub const fn addu(rd: u32, rs: u32, rt: u32) -> u32 {
        r(0x21, rs, rt, rd, 0)
    }
    pub const fn subu(rd: u32, rs: u32, rt: u32) -> u32 {
        r(0x23, rs, rt, rd, 0)
    }
    pub const fn or(rd: u32, rs: u32, rt: u32) -> u32 {
        r(0x25, rs, rt, rd, 0)
    }
    pub const fn slt(rd: u32, rs: u32, rt: u32) -> u32 {
        r(0x2A, rs, rt, rd, 0)
    }
    pub const fn daddu(rd: u32, rs: u32, rt: u32) -> u32 {
        r(0x2D, rs, rt, rd, 0)
    }
    pub const fn beq(rs: u32, rt: u32, off: i32) -> u32 {
        i(0x04, rs, rt, off)
    }
    pub const fn bne(rs: u32, rt: u32, off: i32) -> u32 {
        i(0x05, rs, rt, off)
    }
    pub const fn bltz(rs: u32, off: i32) -> u32 {
        regimm(0x00, rs, off)
    }
    pub const fn bgezal(rs: u32, off: i32) -> u32 {
        regimm(0x11, rs, off)
    }
    pub const fn j_(target: u64) -> u32 {
        j(0x02, target)
    }
    pub const fn jal(target: u64) -> u32 {
        j(0x03, target)
    }
    pub const fn addiu(rt: u32, rs: u32, imm: i32) -> u32 {
        i(0x09, rs, rt, imm)
    }
    pub const fn ori(rt: u32, rs: u32, imm: i32) -> u32 {
        i(0x0D, rs, rt, imm)
    }
    pub const fn lui(rt: u32, imm: i32) -> u32 {
        i(0x0F, 0, rt, imm)
    }
    pub const fn daddiu(rt: u32, rs: u32, imm: i32) -> u32 {
        i(0x19, rs, rt, imm)
    }
    pub const fn lw(rt: u32, off: i32, base: u32) -> u32 {
        i(0x23, base, rt, off)
    }
    pub const fn sw(rt: u32, off: i32, base: u32) -> u32 {
        i(0x2B, base, rt, off)
    }
    pub const fn ll(rt: u32, off: i32, base: u32) -> u32 {
        i(0x30, base, rt, off)
    }
    pub const fn sc(rt: u32, off: i32, base: u32) -> u32 {
        i(0x38, base, rt, off)
    }
    pub const fn ld(rt: u32, off: i32, base: u32) -> u32 {
        i(0x37, base, rt, off)
    }
    pub const fn sd(rt: u32, off: i32, base: u32) -> u32 {
        i(0x3F, base, rt, off)
    }
    pub const fn mul(rd: u32, rs: u32, rt: u32) -> u32 {
        special2(0x02, rs, rt, rd)
    }
    pub const fn clz(rd: u32, rs: u32) -> u32 {
        special2(0x20, rs, rd, rd)
    }
}

// ------------------------------------------------------------------------------------------------
// Harness
// ------------------------------------------------------------------------------------------------

/// A one-thread starting state: code, registers, memory words, HI/LO and (cannon64) reservation.
#[derive(Debug, Clone)]
pub struct Setup {
    pub version: VmVersion,
    /// Address of the first code word; PC = base, NextPC = base + 4 unless `pc` is set.
    pub base: u64,
    pub code: Vec<u32>,
    pub regs: Vec<(usize, u64)>,
    /// Word-sized memory (8 bytes on cannon64, 4 on the 32-bit VM), aligned addresses.
    pub mem: Vec<(u64, u64)>,
    pub hi: u64,
    pub lo: u64,
    /// Overrides (PC, NextPC).
    pub pc: Option<(u64, u64)>,
    /// Initial step counter.
    pub step: u64,
    /// cannon64 LL reservation (status, address, owner).
    pub ll: Option<(u8, u64, u64)>,
}

impl Setup {
    pub fn new(version: VmVersion, code: &[u32]) -> Self {
        Setup {
            version,
            base: CODE_BASE,
            code: code.to_vec(),
            regs: Vec::new(),
            mem: Vec::new(),
            hi: 0,
            lo: 0,
            pc: None,
            step: 0,
            ll: None,
        }
    }
    pub fn at(mut self, base: u64) -> Self {
        self.base = base;
        self
    }
    pub fn reg(mut self, r: usize, v: u64) -> Self {
        self.regs.push((r, v));
        self
    }
    pub fn mem(mut self, addr: u64, v: u64) -> Self {
        self.mem.push((addr, v));
        self
    }
    pub fn hilo(mut self, hi: u64, lo: u64) -> Self {
        self.hi = hi;
        self.lo = lo;
        self
    }
    pub fn pc(mut self, pc: u64, next_pc: u64) -> Self {
        self.pc = Some((pc, next_pc));
        self
    }
    pub fn step(mut self, step: u64) -> Self {
        self.step = step;
        self
    }
    pub fn ll(mut self, status: u8, addr: u64, owner: u64) -> Self {
        self.ll = Some((status, addr, owner));
        self
    }

    /// The initial state.
    pub fn state(&self) -> State {
        let mut state = if self.version.is_multithreaded64() {
            let mut s = MtState::new(self.version, self.base);
            if let Some((status, addr, owner)) = self.ll {
                s.ll = Reservation {
                    status,
                    addr,
                    owner,
                };
            }
            s.step = self.step;
            State::Mt(s)
        } else {
            let mut s = StState::new(self.base);
            s.step = self.step;
            State::St(s)
        };
        let is64 = self.version.is_multithreaded64();
        let mem = state.memory_mut();
        for (k, w) in self.code.iter().enumerate() {
            mem.write_u32(self.base + 4 * k as u64, *w);
        }
        for &(addr, v) in &self.mem {
            if is64 {
                mem.write_u64(addr, v);
            } else {
                mem.write_u32(addr, v as u32);
            }
        }
        let cpu = cpu_mut(&mut state);
        for &(r, v) in &self.regs {
            cpu.regs[r] = v;
        }
        cpu.hi = self.hi;
        cpu.lo = self.lo;
        if let Some((pc, next_pc)) = self.pc {
            cpu.pc = pc;
            cpu.next_pc = next_pc;
        }
        state
    }

    /// A VM over the initial state, with no preimages and guest output discarded.
    pub fn vm(&self) -> Vm {
        Vm::new(self.state(), Oracle::none(), Io::sink())
    }

    /// Runs `n` steps with [`Vm::step`]; the state after the last one, or the first error.
    pub fn run(&self, n: u64) -> Result<State, Error> {
        self.run_traced(n).map(|(s, _)| s)
    }

    /// Runs `n` steps through the interpreter's batch path, [`Vm::run_until`].
    pub fn run_until(&self, n: u64) -> Result<State, Error> {
        let mut vm = self.vm();
        vm.run_until(self.step + n)?;
        Ok(vm.state)
    }

    /// Like [`Setup::run`], also returning (PC, NextPC, step) after every step.
    pub fn run_traced(&self, n: u64) -> Result<(State, Vec<Trace>), Error> {
        let mut vm = self.vm();
        let mut trace = Vec::new();
        for _ in 0..n {
            vm.step()?;
            let c = cpu(&vm.state);
            trace.push((c.pc, c.next_pc, vm.state.step()));
        }
        Ok((vm.state, trace))
    }
}

/// Registers of the running thread.
pub fn cpu(state: &State) -> &Cpu {
    match state {
        State::St(s) => &s.cpu,
        State::Mt(s) => &s.current().expect("a running thread").cpu,
    }
}

/// Registers of the running thread, mutably.
pub fn cpu_mut(state: &mut State) -> &mut Cpu {
    match state {
        State::St(s) => &mut s.cpu,
        State::Mt(s) => &mut s.active_mut().last_mut().expect("a running thread").cpu,
    }
}

/// The aligned memory word (8 bytes on cannon64, 4 on the 32-bit VM) at `addr`.
pub fn word(state: &State, addr: u64) -> u64 {
    match state {
        State::St(s) => u64::from(s.memory.read_u32(addr)),
        State::Mt(s) => s.memory.read_u64(addr),
    }
}

/// The cannon64 LL reservation as (status, address, owner); None on the 32-bit VM.
pub fn ll(state: &State) -> Option<(u8, u64, u64)> {
    match state {
        State::St(_) => None,
        State::Mt(s) => Some((s.ll.status, s.ll.addr, s.ll.owner)),
    }
}
