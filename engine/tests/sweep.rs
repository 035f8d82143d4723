//! Random instruction sweeps: seeded random programs (every instruction family, branches into
//! delay slots, loads and stores of every width around a data page, jumps into data, invalid
//! words, syscalls, stores over the program's own code) executed by the interpreter and by the
//! JIT from the same state; the outcomes (full state hash, or the exact invalid-transition error)
//! must be identical at every cut point.

mod common;
use common::diff::outcome;
use common::eager_jit;
use interp::asm::encode;
use interp::decode::Op;
use interp::oracle::Oracle;
use interp::state::{MtState, StState, State};
use interp::vm::splitmix64;
use interp::{Io, Vm, VmVersion};

const CODE: u64 = 0x10000;
const DATA: u64 = 0x20000;

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        splitmix64(self.0)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn reg(&mut self) -> u32 {
        // mostly not the base registers r20/r21, so memory accesses stay near the data page
        loop {
            let r = self.below(32) as u32;
            if (r != 20 && r != 21) || self.below(8) == 0 {
                return r;
            }
        }
    }
}

fn pick(g: &mut Rng, is64: bool, a: &[Op], b: &[Op]) -> Op {
    if is64 && !b.is_empty() && g.below(3) == 0 {
        b[g.below(b.len() as u64) as usize]
    } else {
        a[g.below(a.len() as u64) as usize]
    }
}

/// `op` with register fields and a 16-bit immediate (or jump index), through the shared encoder.
fn enc(op: Op, rs: u32, rt: u32, rd: u32, sa: u32, imm: u32) -> u32 {
    encode(op, rs, rt, rd, sa, imm)
}

fn random_insn(g: &mut Rng, is64: bool, len: u32, at: u32) -> u32 {
    use Op::*;
    let alu32 = [
        Add, Addu, Sub, Subu, And, Or, Xor, Nor, Slt, Sltu, Movz, Movn, Sync, Sllv, Srlv, Srav,
    ];
    let alu64 = [Dadd, Daddu, Dsub, Dsubu, Dsllv, Dsrlv, Dsrav];
    let hilo = [Mfhi, Mthi, Mflo, Mtlo, Mult, Multu, Div, Divu];
    let hilo64 = [Dmult, Dmultu, Ddiv, Ddivu];
    let shifts = [Sll, Srl, Sra];
    let shifts64 = [Dsll, Dsrl, Dsra, Dsll32, Dsrl32, Dsra32];
    let loads = [Lb, Lh, Lwl, Lw, Lbu, Lhu, Lwr];
    let loads64 = [Lwu, Ld, Ldl, Ldr];
    let stores = [Sb, Sh, Swl, Sw, Swr];
    let stores64 = [Sd, Sdl, Sdr];
    let imms = [Addi, Addiu, Slti, Sltiu, Andi, Ori, Xori, Lui];
    let imms64 = [Daddi, Daddiu];
    let special2 = [Mul, Clz, Clo, Dclz, Dclo];
    let (rs, rt, rd) = (g.reg(), g.reg(), g.reg());
    match g.below(100) {
        0..=29 => enc(pick(g, is64, &alu32, &alu64), rs, rt, rd, 0, 0),
        30..=39 => enc(pick(g, is64, &imms, &imms64), rs, rt, 0, 0, g.next() as u32),
        40..=47 => {
            let op = pick(g, is64, &shifts, &shifts64);
            enc(op, rs, rt, rd, g.below(32) as u32, 0)
        }
        48..=53 => {
            let op = pick(g, is64, &hilo, &hilo64);
            enc(op, rs, rt, if g.below(4) == 0 { rd } else { 0 }, 0, 0)
        }
        54..=56 => {
            let op = special2[g.below(if is64 { 5 } else { 3 }) as usize];
            enc(op, rs, rt, rd, 0, 0)
        }
        57..=66 => {
            let op = pick(g, is64, &loads, &loads64);
            let off = (g.below(512) as u32).wrapping_sub(256);
            enc(op, 20 + g.below(2) as u32, rt, 0, 0, off)
        }
        67..=76 => {
            let op = pick(g, is64, &stores, &stores64);
            let off = (g.below(512) as u32).wrapping_sub(256);
            enc(op, 20 + g.below(2) as u32, rt, 0, 0, off)
        }
        77..=86 => {
            // conditional branch to a nearby instruction of the program
            let target = g.below(len as u64) as i64;
            let off = (target - at as i64 - 1) as u32;
            match g.below(4) {
                0 => enc(
                    [Beq, Bne, Blez, Bgtz][g.below(4) as usize],
                    rs,
                    rt,
                    0,
                    0,
                    off,
                ),
                _ => {
                    let op = [Bltz, Bgez, Bltzal, Bgezal, RegimmNop][g.below(5) as usize];
                    enc(op, rs, 0, 0, 0, off)
                }
            }
        }
        87..=89 => {
            let op = [J, Jal][g.below(2) as usize];
            enc(
                op,
                0,
                0,
                0,
                0,
                (CODE as u32 >> 2) + g.below(len as u64) as u32,
            )
        }
        90..=91 => {
            let op = [Jr, Jalr][g.below(2) as usize];
            enc(op, [20, 21, rs][g.below(3) as usize], 0, rd, 0, 0)
        }
        92..=93 => {
            // store over the program itself (self-modifying code)
            let op = if is64 { Sd } else { Sw };
            enc(op, 22, rt, 0, 0, (g.below(len as u64) as u32 * 4) & !7)
        }
        94..=95 => {
            let op = match (is64 && g.below(2) == 0, g.below(2) == 0) {
                (false, false) => Ll,
                (false, true) => Sc,
                (true, false) => Lld,
                (true, true) => Scd,
            };
            enc(op, 20, rt, 0, 0, g.below(64) as u32 & !7)
        }
        96 => interp::asm::SYSCALL, // with whatever $v0 holds
        // undecodable words (COP1, a reserved opcode, BREAK, SPECIAL3)
        97 => [0x4400_0000, 0x5000_0000, 0x0000_000D, 0x7C00_0000][g.below(4) as usize],
        _ => interp::asm::NOP,
    }
}

fn random_state(seed: u64, version: VmVersion) -> State {
    let mut g = Rng(seed);
    let is64 = version.is_multithreaded64();
    let len = 64 + g.below(160) as u32;
    let words: Vec<u32> = (0..len)
        .map(|i| random_insn(&mut g, is64, len, i))
        .collect();
    let mask = if is64 { u64::MAX } else { 0xFFFF_FFFF };
    let mut regs = [0u64; 32];
    for r in regs.iter_mut().skip(1) {
        *r = match g.below(4) {
            0 => g.below(16),
            1 => g.next() & 0xFFFF_FFFF,
            _ => g.next(),
        } & mask;
        if !is64 {
            *r &= 0xFFFF_FFFF;
        }
    }
    regs[20] = DATA + 0x400 + g.below(64) * 8;
    regs[21] = DATA + 0x800;
    regs[22] = CODE;
    // sometimes a syscall number the VM knows
    if g.below(2) == 0 {
        regs[2] = if is64 {
            [5038, 5178, 5023, 5222, 5194, 5009][g.below(6) as usize]
        } else {
            [4045, 4090, 4055][g.below(3) as usize]
        };
    }
    let mut state = if is64 {
        let mut s = MtState::new(version, CODE);
        s.left[0].cpu.regs = regs;
        State::Mt(s)
    } else {
        let mut s = StState::new(CODE);
        s.cpu.regs = regs;
        State::St(s)
    };
    let mem = state.memory_mut();
    for (i, w) in words.iter().enumerate() {
        mem.write_u32(CODE + 4 * i as u64, *w);
    }
    for k in 0..512 {
        mem.write_u64(DATA + 8 * k, g.next());
    }
    state
}

fn vm_of(state: &State) -> Vm {
    Vm::new(state.clone(), Oracle::none(), Io::sink())
}

/// The plainest reference: one full step at a time (every fetch from memory).
fn step_until(vm: &mut Vm, stop: u64) -> interp::Result<()> {
    while !vm.state.exited() && vm.state.step() < stop {
        vm.step()?;
    }
    Ok(())
}

fn sweep(version: VmVersion, seeds: std::ops::Range<u64>) {
    let mut faults = 0;
    let mut compiled = 0;
    let mut invalidations = 0;
    let mut decoded_dropped = 0;
    for seed in seeds {
        let state = random_state(seed, version);
        let mut g = Rng(seed ^ 0xABCD);
        let mut cuts: Vec<u64> = (0..12).map(|_| 1 + g.below(3000)).collect();
        cuts.push(5000);
        cuts.sort_unstable();
        let mut r = vm_of(&state);
        let mut a = vm_of(&state);
        let mut b = vm_of(&state);
        let mut jit = eager_jit(&b);
        for &c in &cuts {
            let rr = step_until(&mut r, c);
            let ra = a.run_until(c);
            let rb = jit.run_until(&mut b, c);
            let or = outcome(&mut r, &rr);
            let (oa, ob) = (outcome(&mut a, &ra), outcome(&mut b, &rb));
            assert_eq!(
                or, oa,
                "{version} seed {seed}: single steps and the interpreter's blocks differ at cut {c}"
            );
            assert_eq!(
                oa, ob,
                "{version} seed {seed}: interpreter and JIT differ at cut {c}"
            );
            if ra.is_err() {
                faults += 1;
                break;
            }
        }
        compiled += jit.stats.jit_steps;
        invalidations += jit.stats.invalidations;
        decoded_dropped += a.code.stats.invalidated;
    }
    eprintln!(
        "{version}: {faults} runs ended in the same invalid transition; {compiled} steps ran compiled; {invalidations} translations and {decoded_dropped} decoded blocks dropped after code writes"
    );
    assert!(compiled > 0);
    assert!(invalidations > 0, "no self-modifying code was exercised");
    assert!(decoded_dropped > 0, "no decoded block was rewritten");
}

#[test]
fn sweep_cannon64_v8() {
    sweep(VmVersion::MultiThreaded64V5, 0..300);
}

#[test]
fn sweep_cannon64_v7() {
    sweep(VmVersion::MultiThreaded64V4, 1000..1100);
}

#[test]
fn sweep_mips32() {
    sweep(VmVersion::SingleThreaded2, 2000..2300);
}
