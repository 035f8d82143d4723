//! VM states, their witnesses and hashes, and the binary state-file format (cannon-spec §2).
//!
//! * [`StState`]: 32-bit single-threaded (version 2), 226-byte witness.
//! * [`MtState`]: cannon64 multithreaded (versions 7 and 8), 188-byte witness, threads in two
//!   stacks committed as hash onions.
//! * [`State`]: either, as read from a file whose first byte names the version.

use crate::arch::{Arch, Mips32, Mips64};
use crate::error::{Error, Result};
use crate::memory::{Memory, PAGE_SIZE};
use crate::version::VmVersion;
use alloy_primitives::{keccak256, B256};
use std::io::{Read, Write};

/// `keccak256(64 zero bytes)`: commitment of an empty thread stack.
pub const EMPTY_THREAD_ROOT: B256 = B256::new([
    0xad, 0x32, 0x28, 0xb6, 0x76, 0xf7, 0xd3, 0xcd, 0x42, 0x84, 0xa5, 0x44, 0x3f, 0x17, 0xf1, 0x96,
    0x2b, 0x36, 0xe4, 0x91, 0xb3, 0x0a, 0x40, 0xb2, 0x40, 0x58, 0x49, 0xe5, 0x97, 0xba, 0x5f, 0xb5,
]);

/// Serialized size of a cannon64 thread.
pub const THREAD_SIZE: usize = 298;
/// cannon64 witness size.
pub const MT_WITNESS_SIZE: usize = 188;
/// Single-threaded witness size.
pub const ST_WITNESS_SIZE: usize = 226;
/// Forced preemption after this many instruction steps (`SchedQuantum`).
pub const SCHED_QUANTUM: u64 = 100_000;

/// VM status byte of a state hash (`VmStatus`).
pub fn vm_status(exited: bool, exit_code: u8) -> u8 {
    match (exited, exit_code) {
        (false, _) => 3,
        (true, 0) => 0,
        (true, 1) => 1,
        (true, _) => 2,
    }
}

/// `keccak256(witness)` with its first byte replaced by the VM status.
pub fn state_hash(witness: &[u8], exited: bool, exit_code: u8) -> B256 {
    let mut h = keccak256(witness);
    h.0[0] = vm_status(exited, exit_code);
    h
}

/// Registers and PCs of one hardware thread.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Cpu {
    /// Current instruction.
    pub pc: u64,
    /// Next instruction (the delay slot target when a branch is pending).
    pub next_pc: u64,
    /// LO.
    pub lo: u64,
    /// HI.
    pub hi: u64,
    /// r0..r31.
    pub regs: [u64; 32],
}

/// True when a basic block of straight code can start at `pc` with `next_pc`: the PC is
/// word-aligned and NextPC is PC + 4 at the word width (not in a delay slot).
#[inline(always)]
pub fn can_start_block(pc: u64, next_pc: u64, is64: bool) -> bool {
    pc & 3 == 0 && sequential(pc, next_pc, is64)
}

/// True when `next_pc` is `pc + 4` at the word width (no branch pending).
#[inline(always)]
fn sequential(pc: u64, next_pc: u64, is64: bool) -> bool {
    next_pc == crate::arch::next_insn(pc, is64)
}

impl Cpu {
    /// True when NextPC is not PC + 4 (at the word width): the instruction at PC runs in the
    /// delay slot of a branch or jump, so straight-line code cannot start here.
    #[inline(always)]
    pub fn in_delay_slot(&self, is64: bool) -> bool {
        !sequential(self.pc, self.next_pc, is64)
    }
}

/// A cannon64 thread.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Thread {
    /// Thread ID.
    pub id: u64,
    /// Exit code (set by `exit`).
    pub exit_code: u8,
    /// Exited flag.
    pub exited: bool,
    /// Registers.
    pub cpu: Cpu,
}

impl Thread {
    /// The 298-byte serialization (`serializeThread`).
    pub fn encode(&self) -> [u8; THREAD_SIZE] {
        let mut b = [0u8; THREAD_SIZE];
        b[0..8].copy_from_slice(&self.id.to_be_bytes());
        b[8] = self.exit_code;
        b[9] = self.exited as u8;
        b[10..18].copy_from_slice(&self.cpu.pc.to_be_bytes());
        b[18..26].copy_from_slice(&self.cpu.next_pc.to_be_bytes());
        b[26..34].copy_from_slice(&self.cpu.lo.to_be_bytes());
        b[34..42].copy_from_slice(&self.cpu.hi.to_be_bytes());
        for (i, r) in self.cpu.regs.iter().enumerate() {
            b[42 + 8 * i..50 + 8 * i].copy_from_slice(&r.to_be_bytes());
        }
        b
    }

    /// Parses a serialized thread (a non-zero `exited` byte means true, as in Go).
    pub fn decode(b: &[u8; THREAD_SIZE]) -> Self {
        let u = |o: usize| u64::from_be_bytes(b[o..o + 8].try_into().expect("8 bytes"));
        let mut regs = [0u64; 32];
        for (i, r) in regs.iter_mut().enumerate() {
            *r = u(42 + 8 * i);
        }
        Thread {
            id: u(0),
            exit_code: b[8],
            exited: b[9] != 0,
            cpu: Cpu {
                pc: u(10),
                next_pc: u(18),
                lo: u(26),
                hi: u(34),
                regs,
            },
        }
    }
}

/// Commitment of a thread stack, folded from the bottom (index 0) to the top.
pub fn thread_stack_root(stack: &[Thread]) -> B256 {
    stack.iter().fold(EMPTY_THREAD_ROOT, |c, t| {
        crate::memory::hash_pair(&c, &keccak256(t.encode()))
    })
}

/// LL/SC reservation of cannon64.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reservation {
    /// 0 none, 1 `ll` (32-bit), 2 `lld` (64-bit).
    pub status: u8,
    /// The (unaligned) reserved address.
    pub addr: u64,
    /// Owning thread.
    pub owner: u64,
}

impl Reservation {
    /// What a memory update's aligned address is compared with: `addr & ADDR_MASK`
    /// (`arch.AddressMask & LLAddress`).
    pub const ADDR_MASK: u64 = !7;

    /// True if a memory update of the aligned doubleword at `aligned` hits the reservation.
    #[inline(always)]
    pub fn hit_by(&self, aligned: u64) -> bool {
        aligned == self.addr & Self::ADDR_MASK
    }

    /// The one reservation rule for memory updates (Cannon's `handleMemoryUpdate`, cannon-spec
    /// §9.6): an update of the aligned doubleword the reservation's address falls in clears the
    /// reservation and counts one invalidation in `invalidations`, whatever its status.
    #[inline(always)]
    pub fn on_write(&mut self, aligned: u64, invalidations: &mut u64) {
        if self.hit_by(aligned) {
            *self = Reservation::default();
            *invalidations += 1;
        }
    }
}

/// cannon64 multithreaded state (versions 7 and 8).
#[derive(Debug, Clone)]
pub struct MtState {
    /// Version (7 or 8).
    pub version: VmVersion,
    /// Memory.
    pub memory: Memory,
    /// Current preimage key.
    pub preimage_key: B256,
    /// Offset into the current preimage (counts the 8-byte length prefix).
    pub preimage_offset: u64,
    /// mmap heap pointer.
    pub heap: u64,
    /// LL/SC reservation.
    pub ll: Reservation,
    /// VM exit code.
    pub exit_code: u8,
    /// VM exited.
    pub exited: bool,
    /// Step counter.
    pub step: u64,
    /// Instruction steps since the last context switch.
    pub steps_since_switch: u64,
    /// True when the right stack is active.
    pub traverse_right: bool,
    /// Left thread stack, bottom first.
    pub left: Vec<Thread>,
    /// Right thread stack, bottom first.
    pub right: Vec<Thread>,
    /// Next thread ID.
    pub next_thread_id: u64,
    /// Incomplete hint bytes (not part of the witness).
    pub last_hint: Vec<u8>,
}

impl MtState {
    /// Initial state for a program entered at `entry` (cannon-spec §2.5).
    pub fn new(version: VmVersion, entry: u64) -> Self {
        MtState {
            version,
            memory: Memory::new(Mips64::TREE_DEPTH),
            preimage_key: B256::ZERO,
            preimage_offset: 0,
            heap: Mips64::HEAP_START,
            ll: Reservation::default(),
            exit_code: 0,
            exited: false,
            step: 0,
            steps_since_switch: 0,
            traverse_right: false,
            left: vec![Thread {
                id: 0,
                cpu: Cpu {
                    pc: entry,
                    next_pc: entry.wrapping_add(4),
                    ..Cpu::default()
                },
                ..Thread::default()
            }],
            right: Vec::new(),
            next_thread_id: 1,
            last_hint: Vec::new(),
        }
    }

    /// The active stack.
    pub fn active(&self) -> &Vec<Thread> {
        if self.traverse_right {
            &self.right
        } else {
            &self.left
        }
    }

    /// The active stack, mutably.
    pub fn active_mut(&mut self) -> &mut Vec<Thread> {
        if self.traverse_right {
            &mut self.right
        } else {
            &mut self.left
        }
    }

    /// The running thread (top of the active stack).
    pub fn current(&self) -> Option<&Thread> {
        self.active().last()
    }

    /// Steps the running thread may still take before the scheduler must act, or `None` when
    /// the next step is a scheduler step (no running thread, it exited, or its quantum of
    /// [`SCHED_QUANTUM`] steps is used up).
    #[inline]
    pub fn steps_left_in_quantum(&self) -> Option<u64> {
        let t = self.current()?;
        if t.exited || self.steps_since_switch >= SCHED_QUANTUM {
            None
        } else {
            Some(SCHED_QUANTUM - self.steps_since_switch)
        }
    }

    /// The running thread's registers with the memory and the reservation (borrowed apart).
    #[inline]
    pub fn running_parts(&mut self) -> Option<(&mut Cpu, &mut Memory, &mut Reservation)> {
        let stack = if self.traverse_right {
            &mut self.right
        } else {
            &mut self.left
        };
        let t = stack.last_mut()?;
        Some((&mut t.cpu, &mut self.memory, &mut self.ll))
    }

    /// The running thread, mutably.
    #[inline]
    pub fn current_mut(&mut self) -> Option<&mut Thread> {
        self.active_mut().last_mut()
    }

    /// Number of threads.
    pub fn thread_count(&self) -> usize {
        self.left.len() + self.right.len()
    }

    /// The 188-byte witness.
    pub fn witness(&mut self) -> Vec<u8> {
        let mut w = Vec::with_capacity(MT_WITNESS_SIZE);
        w.extend_from_slice(self.memory.root().as_slice());
        w.extend_from_slice(self.preimage_key.as_slice());
        w.extend_from_slice(&self.preimage_offset.to_be_bytes());
        w.extend_from_slice(&self.heap.to_be_bytes());
        w.push(self.ll.status);
        w.extend_from_slice(&self.ll.addr.to_be_bytes());
        w.extend_from_slice(&self.ll.owner.to_be_bytes());
        w.push(self.exit_code);
        w.push(self.exited as u8);
        w.extend_from_slice(&self.step.to_be_bytes());
        w.extend_from_slice(&self.steps_since_switch.to_be_bytes());
        w.push(self.traverse_right as u8);
        w.extend_from_slice(thread_stack_root(&self.left).as_slice());
        w.extend_from_slice(thread_stack_root(&self.right).as_slice());
        w.extend_from_slice(&self.next_thread_id.to_be_bytes());
        debug_assert_eq!(w.len(), MT_WITNESS_SIZE);
        w
    }

    /// The thread witness of a proof: the active thread and the commitment of the rest of its stack.
    pub fn thread_proof(&self) -> Vec<u8> {
        let active = self.active();
        let mut out = Vec::with_capacity(THREAD_SIZE + 32);
        match active.split_last() {
            Some((top, rest)) => {
                out.extend_from_slice(&top.encode());
                out.extend_from_slice(thread_stack_root(rest).as_slice());
            }
            None => {
                out.extend_from_slice(&[0u8; THREAD_SIZE]);
                out.extend_from_slice(EMPTY_THREAD_ROOT.as_slice());
            }
        }
        out
    }
}

/// 32-bit single-threaded state (version 2).
#[derive(Debug, Clone)]
pub struct StState {
    /// Memory.
    pub memory: Memory,
    /// Current preimage key.
    pub preimage_key: B256,
    /// Offset into the current preimage.
    pub preimage_offset: u64,
    /// Registers.
    pub cpu: Cpu,
    /// mmap heap pointer.
    pub heap: u64,
    /// VM exit code.
    pub exit_code: u8,
    /// VM exited.
    pub exited: bool,
    /// Step counter.
    pub step: u64,
    /// Incomplete hint bytes (not part of the witness).
    pub last_hint: Vec<u8>,
}

impl StState {
    /// Initial state for a program entered at `entry`.
    pub fn new(entry: u64) -> Self {
        StState {
            memory: Memory::new(Mips32::TREE_DEPTH),
            preimage_key: B256::ZERO,
            preimage_offset: 0,
            cpu: Cpu {
                pc: entry,
                next_pc: Mips32::mask(entry.wrapping_add(4)),
                ..Cpu::default()
            },
            heap: Mips32::HEAP_START,
            exit_code: 0,
            exited: false,
            step: 0,
            last_hint: Vec::new(),
        }
    }

    /// The 226-byte witness.
    pub fn witness(&mut self) -> Vec<u8> {
        let mut w = Vec::with_capacity(ST_WITNESS_SIZE);
        w.extend_from_slice(self.memory.root().as_slice());
        w.extend_from_slice(self.preimage_key.as_slice());
        for v in [
            self.preimage_offset,
            self.cpu.pc,
            self.cpu.next_pc,
            self.cpu.lo,
            self.cpu.hi,
            self.heap,
        ] {
            w.extend_from_slice(&(v as u32).to_be_bytes());
        }
        w.push(self.exit_code);
        w.push(self.exited as u8);
        w.extend_from_slice(&self.step.to_be_bytes());
        for r in &self.cpu.regs {
            w.extend_from_slice(&(*r as u32).to_be_bytes());
        }
        debug_assert_eq!(w.len(), ST_WITNESS_SIZE);
        w
    }
}

/// A state of any supported version.
#[derive(Debug, Clone)]
pub enum State {
    /// singlethreaded-2.
    St(StState),
    /// multithreaded64-4 / -5.
    Mt(MtState),
}

impl State {
    /// The version.
    pub fn version(&self) -> VmVersion {
        match self {
            State::St(_) => VmVersion::SingleThreaded2,
            State::Mt(s) => s.version,
        }
    }
    /// Step counter.
    pub fn step(&self) -> u64 {
        match self {
            State::St(s) => s.step,
            State::Mt(s) => s.step,
        }
    }
    /// Exited flag.
    pub fn exited(&self) -> bool {
        match self {
            State::St(s) => s.exited,
            State::Mt(s) => s.exited,
        }
    }
    /// Exit code.
    pub fn exit_code(&self) -> u8 {
        match self {
            State::St(s) => s.exit_code,
            State::Mt(s) => s.exit_code,
        }
    }
    /// Memory.
    pub fn memory(&self) -> &Memory {
        match self {
            State::St(s) => &s.memory,
            State::Mt(s) => &s.memory,
        }
    }
    /// Memory, mutably.
    pub fn memory_mut(&mut self) -> &mut Memory {
        match self {
            State::St(s) => &mut s.memory,
            State::Mt(s) => &mut s.memory,
        }
    }
    /// PC of the running thread.
    pub fn pc(&self) -> u64 {
        match self {
            State::St(s) => s.cpu.pc,
            State::Mt(s) => s.current().map(|t| t.cpu.pc).unwrap_or(0),
        }
    }
    /// Steps from here to `stop` that can run as straight code on the running thread (no
    /// scheduler step among them), or `None` when the next step is a scheduler step.
    #[inline]
    pub fn core_budget(&self, stop: u64) -> Option<u64> {
        let left = stop.saturating_sub(self.step());
        match self {
            State::St(_) => Some(left),
            State::Mt(s) => s.steps_left_in_quantum().map(|q| q.min(left)),
        }
    }

    /// The running thread's registers with the memory and (cannon64) the reservation.
    #[inline]
    pub fn core_parts(&mut self) -> Option<(&mut Cpu, &mut Memory, Option<&mut Reservation>)> {
        match self {
            State::St(s) => Some((&mut s.cpu, &mut s.memory, None)),
            State::Mt(s) => s.running_parts().map(|(c, m, l)| (c, m, Some(l))),
        }
    }

    /// Accounts for `n` steps of straight code run on the running thread (within
    /// [`State::core_budget`]).
    #[inline]
    pub fn advance(&mut self, n: u64) {
        match self {
            State::St(s) => s.step += n,
            State::Mt(s) => {
                s.step += n;
                s.steps_since_switch += n;
            }
        }
    }

    /// Id of the running thread (0 on the single-threaded VM), if there is one.
    pub fn current_thread_id(&self) -> Option<u64> {
        match self {
            State::St(_) => Some(0),
            State::Mt(s) => s.current().map(|t| t.id),
        }
    }

    /// The registers of thread `tid`, wherever it is on the stacks.
    pub fn thread_cpu(&self, tid: u64) -> Option<&Cpu> {
        match self {
            State::St(s) => Some(&s.cpu),
            State::Mt(s) => s
                .left
                .iter()
                .chain(s.right.iter())
                .find(|t| t.id == tid)
                .map(|t| &t.cpu),
        }
    }

    /// A checkpoint: a copy that shares its memory's pages with `self` (see
    /// [`Memory::checkpoint`]), so it costs only the page index until either side writes.
    pub fn checkpoint(&mut self) -> State {
        self.memory_mut().update_hashes();
        let mut c = self.clone();
        c.memory_mut().unwatch_all();
        c
    }

    /// The witness.
    pub fn witness(&mut self) -> Vec<u8> {
        match self {
            State::St(s) => s.witness(),
            State::Mt(s) => s.witness(),
        }
    }
    /// The state hash (witness hash with the status byte).
    pub fn hash(&mut self) -> B256 {
        let w = self.witness();
        state_hash(&w, self.exited(), self.exit_code())
    }

    /// Writes the binary state file encoding (version byte, then `Serialize`) to `w`.
    pub fn serialize(&self, w: &mut dyn Write) -> std::io::Result<()> {
        let mut w = std::io::BufWriter::with_capacity(1 << 16, w);
        w.write_all(&[self.version().byte()])?;
        match self {
            State::St(s) => {
                write_memory(&mut w, &s.memory, 4)?;
                w.write_all(s.preimage_key.as_slice())?;
                for v in [
                    s.preimage_offset,
                    s.cpu.pc,
                    s.cpu.next_pc,
                    s.cpu.lo,
                    s.cpu.hi,
                    s.heap,
                ] {
                    w.write_all(&(v as u32).to_be_bytes())?;
                }
                w.write_all(&[s.exit_code, s.exited as u8])?;
                w.write_all(&s.step.to_be_bytes())?;
                for r in &s.cpu.regs {
                    w.write_all(&(*r as u32).to_be_bytes())?;
                }
                w.write_all(&(s.last_hint.len() as u32).to_be_bytes())?;
                w.write_all(&s.last_hint)?;
            }
            State::Mt(s) => {
                write_memory(&mut w, &s.memory, 8)?;
                w.write_all(s.preimage_key.as_slice())?;
                w.write_all(&s.preimage_offset.to_be_bytes())?;
                w.write_all(&s.heap.to_be_bytes())?;
                w.write_all(&[s.ll.status])?;
                w.write_all(&s.ll.addr.to_be_bytes())?;
                w.write_all(&s.ll.owner.to_be_bytes())?;
                w.write_all(&[s.exit_code, s.exited as u8])?;
                w.write_all(&s.step.to_be_bytes())?;
                w.write_all(&s.steps_since_switch.to_be_bytes())?;
                w.write_all(&[s.traverse_right as u8])?;
                w.write_all(&s.next_thread_id.to_be_bytes())?;
                for stack in [&s.left, &s.right] {
                    w.write_all(&(stack.len() as u64).to_be_bytes())?;
                    for t in stack {
                        w.write_all(&t.encode())?;
                    }
                }
                w.write_all(&(s.last_hint.len() as u32).to_be_bytes())?;
                w.write_all(&s.last_hint)?;
            }
        }
        w.flush()
    }

    /// Reads a binary state (version byte first) from `r`.
    pub fn deserialize(r: &mut dyn Read) -> Result<State> {
        let mut r = Reader {
            r: std::io::BufReader::with_capacity(1 << 16, r),
        };
        let vb = r.u8("version byte")?;
        let Some(version) = VmVersion::from_byte(vb) else {
            // an ELF given where a state belongs: say so instead of "version 127"
            let mut magic = [0u8; 3];
            if vb == 0x7F && r.r.read_exact(&mut magic).is_ok() && &magic == b"ELF" {
                return Err(Error::invalid(
                    "this is an ELF file, not a VM state: make a state from it with `cannonball load-elf --path ELF --out STATE` first",
                ));
            }
            return Err(Error::invalid(format!(
                "unsupported state version {vb} (supported: 2 singlethreaded-2, 7 multithreaded64-4, 8 multithreaded64-5)"
            )));
        };
        let state = if version.is_multithreaded64() {
            let memory = read_memory(&mut r, 8, Mips64::TREE_DEPTH)?;
            let preimage_key = B256::from(r.bytes32("preimage key")?);
            let preimage_offset = r.u64("preimage offset")?;
            let heap = r.u64("heap")?;
            let ll = Reservation {
                status: r.u8("LL reservation status")?,
                addr: r.u64("LL address")?,
                owner: r.u64("LL owner thread")?,
            };
            if ll.status > 2 {
                return Err(Error::invalid(format!(
                    "invalid LL reservation status {}",
                    ll.status
                )));
            }
            let exit_code = r.u8("exit code")?;
            let exited = r.bool("exited")?;
            let step = r.u64("step")?;
            let steps_since_switch = r.u64("steps since last context switch")?;
            let traverse_right = r.bool("traverse right")?;
            let next_thread_id = r.u64("next thread id")?;
            let mut stacks = [Vec::new(), Vec::new()];
            for (k, stack) in stacks.iter_mut().enumerate() {
                let what = if k == 0 { "left" } else { "right" };
                let n = r.u64(&format!("{what} thread count"))?;
                if n > 1 << 20 {
                    return Err(Error::invalid(format!(
                        "implausible {what} thread count {n}"
                    )));
                }
                for _ in 0..n {
                    let mut b = [0u8; THREAD_SIZE];
                    r.exact(&mut b, "thread")?;
                    stack.push(Thread::decode(&b));
                }
            }
            let last_hint = r.byte_string("last hint")?;
            let [left, right] = stacks;
            State::Mt(MtState {
                version,
                memory,
                preimage_key,
                preimage_offset,
                heap,
                ll,
                exit_code,
                exited,
                step,
                steps_since_switch,
                traverse_right,
                left,
                right,
                next_thread_id,
                last_hint,
            })
        } else {
            let memory = read_memory(&mut r, 4, Mips32::TREE_DEPTH)?;
            let preimage_key = B256::from(r.bytes32("preimage key")?);
            let preimage_offset = u64::from(r.u32("preimage offset")?);
            let pc = u64::from(r.u32("pc")?);
            let next_pc = u64::from(r.u32("next pc")?);
            let lo = u64::from(r.u32("lo")?);
            let hi = u64::from(r.u32("hi")?);
            let heap = u64::from(r.u32("heap")?);
            let exit_code = r.u8("exit code")?;
            let exited = r.bool("exited")?;
            let step = r.u64("step")?;
            let mut regs = [0u64; 32];
            for reg in regs.iter_mut() {
                *reg = u64::from(r.u32("registers")?);
            }
            let last_hint = r.byte_string("last hint")?;
            State::St(StState {
                memory,
                preimage_key,
                preimage_offset,
                cpu: Cpu {
                    pc,
                    next_pc,
                    lo,
                    hi,
                    regs,
                },
                heap,
                exit_code,
                exited,
                step,
                last_hint,
            })
        };
        let mut extra = [0u8; 1];
        match r.r.read(&mut extra) {
            Ok(0) => Ok(state),
            Ok(_) => Err(Error::invalid("trailing bytes after the state")),
            Err(e) => Err(Error::invalid(format!("corrupt state file: {e}"))),
        }
    }
}

fn write_memory(w: &mut dyn Write, m: &Memory, word: usize) -> std::io::Result<()> {
    let idx = m.page_indices();
    let put = |w: &mut dyn Write, v: u64| -> std::io::Result<()> {
        if word == 8 {
            w.write_all(&v.to_be_bytes())
        } else {
            w.write_all(&(v as u32).to_be_bytes())
        }
    };
    put(w, idx.len() as u64)?;
    for i in idx {
        put(w, i)?;
        w.write_all(m.page(i).expect("listed page"))?;
    }
    Ok(())
}

fn read_memory<R: Read>(r: &mut Reader<R>, word: usize, depth: u32) -> Result<Memory> {
    let word_read = |r: &mut Reader<R>, what: &str| -> Result<u64> {
        if word == 8 {
            r.u64(what)
        } else {
            r.u32(what).map(u64::from)
        }
    };
    let n = word_read(r, "page count")?;
    let max_pages = if word == 8 { 1u64 << 52 } else { 1u64 << 20 };
    if n > max_pages {
        return Err(Error::invalid(format!("implausible page count {n}")));
    }
    let mut m = Memory::new(depth);
    let mut buf = vec![0u8; PAGE_SIZE];
    let mut prev: Option<u64> = None;
    for _ in 0..n {
        let idx = word_read(r, "page index")?;
        if idx >= max_pages {
            return Err(Error::invalid(format!("page index 0x{idx:x} out of range")));
        }
        if prev.is_some_and(|p| p >= idx) {
            return Err(Error::invalid(format!(
                "page index 0x{idx:x} is duplicated or out of order"
            )));
        }
        prev = Some(idx);
        r.exact(&mut buf, "page data")?;
        m.insert_page(idx, &buf);
    }
    Ok(m)
}

struct Reader<R: Read> {
    r: std::io::BufReader<R>,
}

impl<R: Read> Reader<R> {
    fn exact(&mut self, b: &mut [u8], what: &str) -> Result<()> {
        self.r.read_exact(b).map_err(|e| {
            if e.kind() == std::io::ErrorKind::UnexpectedEof {
                Error::invalid(format!("state file truncated while reading {what}"))
            } else {
                Error::invalid(format!("corrupt state file while reading {what}: {e}"))
            }
        })
    }
    fn u8(&mut self, what: &str) -> Result<u8> {
        let mut b = [0u8; 1];
        self.exact(&mut b, what)?;
        Ok(b[0])
    }
    fn bool(&mut self, what: &str) -> Result<bool> {
        match self.u8(what)? {
            0 => Ok(false),
            1 => Ok(true),
            v => Err(Error::invalid(format!("invalid boolean {v} for {what}"))),
        }
    }
    fn u32(&mut self, what: &str) -> Result<u32> {
        let mut b = [0u8; 4];
        self.exact(&mut b, what)?;
        Ok(u32::from_be_bytes(b))
    }
    fn u64(&mut self, what: &str) -> Result<u64> {
        let mut b = [0u8; 8];
        self.exact(&mut b, what)?;
        Ok(u64::from_be_bytes(b))
    }
    fn bytes32(&mut self, what: &str) -> Result<[u8; 32]> {
        let mut b = [0u8; 32];
        self.exact(&mut b, what)?;
        Ok(b)
    }
    fn byte_string(&mut self, what: &str) -> Result<Vec<u8>> {
        let n = self.u32(what)? as usize;
        if n > 1 << 30 {
            return Err(Error::invalid(format!("implausible length {n} for {what}")));
        }
        let mut v = vec![0u8; n];
        self.exact(&mut v, what)?;
        Ok(v)
    }
}
