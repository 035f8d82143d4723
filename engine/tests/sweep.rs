//! Random instruction sweeps: seeded random programs (every instruction family, branches into
//! delay slots, loads and stores of every width around a data page, jumps into data, invalid
//! words, syscalls, stores over the program's own code) executed by the interpreter and by the
//! JIT from the same state; the outcomes (full state hash, or the exact invalid-transition error)
//! must be identical at every cut point.

mod common;
use common::eager_jit;
use engine::diff::outcome;
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

fn r_type(funct: u32, rs: u32, rt: u32, rd: u32, sa: u32) -> u32 {
    (rs << 21) | (rt << 16) | (rd << 11) | (sa << 6) | funct
}
fn i_type(op: u32, rs: u32, rt: u32, imm: u32) -> u32 {
    (op << 26) | (rs << 21) | (rt << 16) | (imm & 0xFFFF)
}

fn random_insn(g: &mut Rng, is64: bool, len: u32, at: u32) -> u32 {
    let alu32 = [
        0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x2A, 0x2B, 0x0A, 0x0B, 0x0F, 0x04, 0x06,
        0x07,
    ];
    let alu64 = [0x2C, 0x2D, 0x2E, 0x2F, 0x14, 0x16, 0x17];
    let hilo = [0x10, 0x11, 0x12, 0x13, 0x18, 0x19, 0x1A, 0x1B];
    let hilo64 = [0x1C, 0x1D, 0x1E, 0x1F];
    let shifts = [0x00, 0x02, 0x03];
    let shifts64 = [0x38, 0x3A, 0x3B, 0x3C, 0x3E, 0x3F];
    let loads = [0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26];
    let loads64 = [0x27, 0x37, 0x1A, 0x1B];
    let stores = [0x28, 0x29, 0x2A, 0x2B, 0x2E];
    let stores64 = [0x3F, 0x2C, 0x2D];
    let pick = |g: &mut Rng, a: &[u32], b: &[u32]| -> u32 {
        if is64 && g.below(3) == 0 {
            b[g.below(b.len() as u64) as usize]
        } else {
            a[g.below(a.len() as u64) as usize]
        }
    };
    let (rs, rt, rd) = (g.reg(), g.reg(), g.reg());
    match g.below(100) {
        0..=29 => r_type(pick(g, &alu32, &alu64), rs, rt, rd, 0),
        30..=39 => {
            let ops = if is64 {
                &[8u32, 9, 0xA, 0xB, 0xC, 0xD, 0xE, 0xF, 0x18, 0x19][..]
            } else {
                &[8u32, 9, 0xA, 0xB, 0xC, 0xD, 0xE, 0xF][..]
            };
            i_type(
                ops[g.below(ops.len() as u64) as usize],
                rs,
                rt,
                g.next() as u32,
            )
        }
        40..=47 => r_type(pick(g, &shifts, &shifts64), rs, rt, rd, g.below(32) as u32),
        48..=53 => r_type(
            pick(g, &hilo, &hilo64),
            rs,
            rt,
            if g.below(4) == 0 { rd } else { 0 },
            0,
        ),
        54..=56 => {
            (0x1C << 26)
                | r_type(
                    [2, 0x20, 0x21, 0x24, 0x25][g.below(if is64 { 5 } else { 3 }) as usize],
                    rs,
                    rt,
                    rd,
                    0,
                )
        }
        57..=66 => i_type(
            pick(g, &loads, &loads64),
            20 + g.below(2) as u32,
            rt,
            (g.below(512) as u32).wrapping_sub(256),
        ),
        67..=76 => i_type(
            pick(g, &stores, &stores64),
            20 + g.below(2) as u32,
            rt,
            (g.below(512) as u32).wrapping_sub(256),
        ),
        77..=86 => {
            // conditional branch to a nearby instruction of the program
            let target = g.below(len as u64) as i64;
            let off = (target - at as i64 - 1) as u32;
            match g.below(4) {
                0 => i_type(4 + g.below(4) as u32, rs, rt, off),
                _ => i_type(1, rs, [0, 1, 0x10, 0x11, 0x05][g.below(5) as usize], off),
            }
        }
        87..=89 => {
            (2 + g.below(2) as u32) << 26 | ((CODE as u32 >> 2) + g.below(len as u64) as u32)
        }
        90..=91 => r_type(
            if g.below(2) == 0 { 8 } else { 9 },
            [20, 21, rs][g.below(3) as usize],
            0,
            rd,
            0,
        ),
        92..=93 => {
            // store over the program itself (self-modifying code)
            i_type(
                if is64 { 0x3F } else { 0x2B },
                22,
                rt,
                (g.below(len as u64) as u32 * 4) & !7,
            )
        }
        94..=95 => {
            (0x30
                | if is64 && g.below(2) == 0 { 4 } else { 0 }
                | if g.below(2) == 0 { 8 } else { 0 })
                << 26
                | (20 << 21)
                | (rt << 16)
                | (g.below(64) as u32 & !7)
        }
        96 => 0x0000_000C, // syscall with whatever $v0 holds
        97 => [0x4400_0000, 0x5000_0000, 0x0000_000D, 0x7C00_0000][g.below(4) as usize],
        _ => 0, // nop
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

fn sweep(version: VmVersion, seeds: std::ops::Range<u64>) {
    let mut faults = 0;
    let mut compiled = 0;
    let mut invalidations = 0;
    for seed in seeds {
        let state = random_state(seed, version);
        let mut g = Rng(seed ^ 0xABCD);
        let mut cuts: Vec<u64> = (0..12).map(|_| 1 + g.below(3000)).collect();
        cuts.push(5000);
        cuts.sort_unstable();
        let mut a = vm_of(&state);
        let mut b = vm_of(&state);
        let mut jit = eager_jit(&b);
        for &c in &cuts {
            let ra = a.run_until(c);
            let rb = jit.run_until(&mut b, c);
            let (oa, ob) = (outcome(&mut a, &ra), outcome(&mut b, &rb));
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
    }
    eprintln!(
        "{version}: {faults} runs ended in the same invalid transition; {compiled} steps ran compiled; {invalidations} translations dropped after code writes"
    );
    assert!(compiled > 0);
    assert!(invalidations > 0, "no self-modifying code was exercised");
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
