//! Shared support for the instruction tables (run on the interpreter and the JIT): the encoder ([`interp::asm`]) and a
//! harness that runs a few instructions on a one-thread state of any version.
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

/// The workspace's one encoder, [`interp::asm`].
pub use interp::asm;

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

    /// Runs `n` steps through the JIT, compiling every block on first sight (IR verifier on).
    /// A `syscall` word after the code ends the block there, so that a block holding just the
    /// case's instructions fits the step budget and runs compiled (a block longer than the
    /// budget is left to the interpreter).
    pub fn run_jit(&self, n: u64) -> Result<State, Error> {
        let mut vm = self.vm();
        let end = self.base + 4 * self.code.len() as u64;
        if !self.mem.iter().any(|&(a, _)| a & !7 == end & !7) {
            vm.state.memory_mut().write_u32(end, interp::asm::SYSCALL);
        }
        let mut jit = engine::jit::Jit::with_verifier(self.version.is_multithreaded64(), true)
            .expect("the JIT runs on this host");
        jit.threshold = 1;
        jit.run_until(&mut vm, self.step + n)?;
        Ok(vm.state)
    }

    /// Runs `n` steps through the batch path named `engine` (`run_until` or `jit`).
    pub fn run_batch(&self, engine: &str, n: u64) -> Result<State, Error> {
        match engine {
            "jit" => self.run_jit(n),
            _ => self.run_until(n),
        }
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
