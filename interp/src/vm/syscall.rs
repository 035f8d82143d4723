//! Syscalls (cannon-spec §7): the cannon64 and 32-bit tables, and the oracle channels on
//! fds 3-6 (hints, preimage keys and reads).

use super::sched::{current_cpu, preempt, push_thread};
use super::{Env, Stop};
use crate::arch::{Arch, Mips32, Mips64};
use crate::error::{Error, Fault};
use crate::memory::Memory;
use crate::oracle::PreimageRead;
use crate::state::{Cpu, MtState, Reservation, StState, Thread};
use crate::version::VmVersion;
use alloy_primitives::B256;

/// Syscall numbers (cannon-spec §7.3, §7.4).
pub mod sys {
    #![allow(missing_docs)]
    pub const MMAP: u64 = 5009;
    pub const BRK: u64 = 5012;
    pub const CLONE: u64 = 5055;
    pub const EXIT_GROUP: u64 = 5205;
    pub const READ: u64 = 5000;
    pub const WRITE: u64 = 5001;
    pub const FCNTL: u64 = 5070;
    pub const GETTID: u64 = 5178;
    pub const EXIT: u64 = 5058;
    pub const FUTEX: u64 = 5194;
    pub const SCHED_YIELD: u64 = 5023;
    pub const NANOSLEEP: u64 = 5034;
    pub const OPEN: u64 = 5002;
    pub const CLOCK_GETTIME: u64 = 5222;
    pub const GETPID: u64 = 5038;
    pub const GETRANDOM: u64 = 5313;
    pub const EVENTFD2: u64 = 5284;
    /// cannon64 syscalls that do nothing but return 0.
    pub const NOOPS: [u64; 31] = [
        5011, 5010, 5196, 5027, 5014, 5129, 5013, 5297, 5003, 5016, 5004, 5005, 5247, 5087, 5257,
        5015, 5285, 5287, 5208, 5272, 5061, 5100, 5102, 5026, 5225, 5095, 5008, 5036, 5216, 5217,
        5220,
    ];
    pub const ST_MMAP: u64 = 4090;
    pub const ST_BRK: u64 = 4045;
    pub const ST_CLONE: u64 = 4120;
    pub const ST_EXIT_GROUP: u64 = 4246;
    pub const ST_READ: u64 = 4003;
    pub const ST_WRITE: u64 = 4004;
    pub const ST_FCNTL: u64 = 4055;
}

const EBADF: u64 = 9;
const EINVAL: u64 = 0x16;
const EAGAIN: u64 = 0xB;
const FD_EVENTFD: u64 = 100;
const CLONE_FLAGS: u64 = 0x50F00;
const FUTEX_WAIT_PRIVATE: u64 = 128;
const FUTEX_WAKE_PRIVATE: u64 = 129;
const HZ: u64 = 10_000_000;
/// Largest single write to stdout/stderr/hints we copy (a hostile count would exhaust the host).
const MAX_IO_WRITE: u64 = 1 << 28;

/// Sets the syscall results and advances the PC.
#[inline(always)]
fn syscall_return<A: Arch>(cpu: &mut Cpu, v0: u64, v1: u64) {
    cpu.regs[2] = A::mask(v0);
    cpu.regs[7] = A::mask(v1);
    cpu.pc = cpu.next_pc;
    cpu.next_pc = A::mask(cpu.next_pc.wrapping_add(4));
}

/// Error return values in the version's convention.
#[inline(always)]
fn sys_err(v: VmVersion, errno: u64) -> (u64, u64) {
    if v.syscall_errno_in_v0() {
        (errno, u64::MAX)
    } else {
        (u64::MAX, errno)
    }
}

pub(crate) fn mt_syscall(s: &mut MtState, env: &mut Env<'_>) -> Result<(), Stop> {
    let tid = s.current().expect("a running thread").id;
    let v = s.version;
    let (num, a0, a1, a2) = {
        let r = &s.current().expect("a running thread").cpu.regs;
        (r[2], r[4], r[5], r[6])
    };
    let (mut v0, mut v1) = (0u64, 0u64);
    match num {
        sys::MMAP => {
            let (r0, r1, heap) = mmap::<Mips64>(v, a0, a1, s.heap);
            (v0, v1, s.heap) = (r0, r1, heap);
        }
        sys::BRK => v0 = Mips64::PROGRAM_BREAK,
        sys::CLONE => {
            if a0 != CLONE_FLAGS {
                s.exited = true;
                s.exit_code = 2;
                return Ok(());
            }
            let parent = &mut current_cpu(s).clone();
            let id = s.next_thread_id;
            let mut child = Thread {
                id,
                exit_code: 0,
                exited: false,
                cpu: Cpu {
                    pc: parent.next_pc,
                    next_pc: parent.next_pc.wrapping_add(4),
                    hi: parent.hi,
                    lo: parent.lo,
                    regs: parent.regs,
                },
            };
            child.cpu.regs[29] = a1;
            child.cpu.regs[2] = 0;
            child.cpu.regs[7] = 0;
            s.next_thread_id += 1;
            syscall_return::<Mips64>(current_cpu(s), id, 0);
            push_thread(s, child);
            return Ok(());
        }
        sys::EXIT_GROUP => {
            s.exited = true;
            s.exit_code = a0 as u8;
            return Ok(());
        }
        sys::READ => {
            let (r0, r1) = sys_read::<Mips64>(
                v,
                &mut s.memory,
                &mut s.preimage_offset,
                s.preimage_key,
                Some(&mut s.ll),
                env,
                a0,
                a1,
                a2,
            )?;
            (v0, v1) = (r0, r1);
        }
        sys::WRITE => {
            let (r0, r1) = sys_write::<Mips64>(
                v,
                &mut s.memory,
                &mut s.preimage_key,
                &mut s.preimage_offset,
                &mut s.last_hint,
                env,
                a0,
                a1,
                a2,
            )?;
            (v0, v1) = (r0, r1);
        }
        sys::FCNTL => (v0, v1) = fcntl(v, a0, a1),
        sys::GETTID => v0 = tid,
        sys::EXIT => {
            let last = s.thread_count() == 1;
            let t = s.current_mut().expect("a running thread");
            t.exited = true;
            t.exit_code = a0 as u8;
            if last {
                s.exited = true;
                s.exit_code = a0 as u8;
            }
            return Ok(());
        }
        sys::FUTEX => {
            let addr = a0 & !3;
            match a1 {
                FUTEX_WAIT_PRIVATE => {
                    env.tracker.track(&mut s.memory, addr & !7);
                    let cur = s.memory.read_u32(addr);
                    if cur != a2 as u32 {
                        (v0, v1) = sys_err(v, EAGAIN);
                    } else {
                        if tid == 0 {
                            env.stats.idle_steps_thread0 += 1;
                        }
                        syscall_return::<Mips64>(current_cpu(s), 0, 0);
                        preempt(s);
                        return Ok(());
                    }
                }
                FUTEX_WAKE_PRIVATE => {
                    syscall_return::<Mips64>(current_cpu(s), 0, 0);
                    preempt(s);
                    return Ok(());
                }
                _ => (v0, v1) = sys_err(v, EINVAL),
            }
        }
        sys::SCHED_YIELD | sys::NANOSLEEP => {
            if tid == 0 {
                env.stats.idle_steps_thread0 += 1;
            }
            syscall_return::<Mips64>(current_cpu(s), 0, 0);
            preempt(s);
            return Ok(());
        }
        sys::OPEN => (v0, v1) = sys_err(v, EBADF),
        sys::CLOCK_GETTIME => {
            if a0 == 0 || a0 == 1 {
                let (secs, nsecs) = if a0 == 1 {
                    (s.step / HZ, (s.step % HZ) * (1_000_000_000 / HZ))
                } else {
                    (0, 0)
                };
                let e = a1 & !7;
                env.tracker.track(&mut s.memory, e);
                s.memory.write_u64(e, secs);
                s.ll.on_write(e, &mut env.stats.reservation_invalidations);
                env.tracker.track2(&mut s.memory, e.wrapping_add(8));
                s.memory.write_u64(e.wrapping_add(8), nsecs);
                s.ll.on_write(e.wrapping_add(8), &mut env.stats.reservation_invalidations);
            } else {
                (v0, v1) = sys_err(v, EINVAL);
            }
        }
        sys::GETPID => {}
        sys::GETRANDOM => {
            if v.working_getrandom() {
                let e = a0 & !7;
                let t = a0 - e;
                let n = a1.min(8 - t);
                let r = splitmix64(s.step);
                env.tracker.track(&mut s.memory, e);
                let mem = s.memory.read_u64(e);
                let mut mask = 0u64;
                for b in t..t + n {
                    mask |= 0xFFu64 << (56 - 8 * b);
                }
                s.memory.write_u64(e, (mem & !mask) | (r & mask));
                s.ll.on_write(e, &mut env.stats.reservation_invalidations);
                v0 = n;
            }
        }
        sys::EVENTFD2 => {
            if a1 & 0x80 == 0 {
                (v0, v1) = sys_err(v, EINVAL);
            } else {
                v0 = FD_EVENTFD;
            }
        }
        n if sys::NOOPS.contains(&n) => {}
        n => return Err(Fault::UnknownSyscall(n).into()),
    }
    syscall_return::<Mips64>(current_cpu(s), v0, v1);
    Ok(())
}

/// splitmix64 (v8 getrandom).
pub fn splitmix64(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// mmap (cannon-spec §7.5): returns (v0, v1, new heap).
fn mmap<A: Arch>(v: VmVersion, a0: u64, a1: u64, heap: u64) -> (u64, u64, u64) {
    let mut sz = a1;
    if sz & 0xFFF != 0 {
        sz = A::mask(sz.wrapping_add(4096 - (sz & 0xFFF)));
    }
    if a0 == 0 {
        let new_heap = A::mask(heap.wrapping_add(sz));
        if new_heap > A::HEAP_END || new_heap < heap || sz < a1 {
            let (e0, e1) = sys_err(v, EINVAL);
            return (e0, e1, heap);
        }
        (heap, 0, new_heap)
    } else {
        (a0, 0, heap)
    }
}

fn fcntl(v: VmVersion, fd: u64, cmd: u64) -> (u64, u64) {
    match cmd {
        1 if v.fcntl_getfd() => match fd {
            0..=6 => (0, 0),
            _ => sys_err(v, EBADF),
        },
        3 => match fd {
            0 | 3 | 5 => (0, 0),
            1 | 2 | 4 | 6 => (1, 0),
            _ => sys_err(v, EBADF),
        },
        _ => sys_err(v, EINVAL),
    }
}

#[allow(clippy::too_many_arguments)]
fn sys_read<A: Arch>(
    v: VmVersion,
    mem: &mut Memory,
    offset: &mut u64,
    key: B256,
    ll: Option<&mut Reservation>,
    env: &mut Env<'_>,
    fd: u64,
    addr: u64,
    count: u64,
) -> Result<(u64, u64), Stop> {
    match fd {
        0 => Ok((0, 0)),
        5 => {
            let eff = A::align(addr);
            env.tracker.track(mem, eff);
            let word = mem.read_word(eff, A::BYTES);
            let data = match env.oracle.prefixed(&key) {
                Ok(d) => d,
                Err(e) => return Err(Stop::Host(e)),
            };
            if *offset >= data.len() as u64 {
                return Err(Fault::PreimageOutOfBounds.into());
            }
            let avail = (data.len() as u64 - *offset).min(32);
            let al = addr & (A::BYTES - 1);
            let n = avail.min(A::BYTES - al).min(count);
            let mut bytes = word.to_be_bytes();
            let shift = 8 - A::BYTES as usize; // word bytes live at the end of the u64
            let src = &data[*offset as usize..(*offset + n) as usize];
            bytes[shift + al as usize..shift + (al + n) as usize].copy_from_slice(src);
            let new = u64::from_be_bytes(bytes);
            if env.record_reads {
                *env.last_read = Some(PreimageRead {
                    key,
                    value: data.to_vec(),
                    offset: *offset,
                });
            }
            mem.write_word(eff, A::BYTES, new);
            if let Some(ll) = ll {
                ll.on_write(eff, &mut env.stats.reservation_invalidations);
            }
            *offset += n;
            Ok((n, 0))
        }
        3 => Ok((count, 0)),
        FD_EVENTFD if v.go123_support() => Ok(sys_err(v, EAGAIN)),
        _ => Ok(sys_err(v, EBADF)),
    }
}

#[allow(clippy::too_many_arguments)]
fn sys_write<A: Arch>(
    v: VmVersion,
    mem: &mut Memory,
    key: &mut B256,
    offset: &mut u64,
    last_hint: &mut Vec<u8>,
    env: &mut Env<'_>,
    fd: u64,
    addr: u64,
    count: u64,
) -> Result<(u64, u64), Stop> {
    let amask = A::mask(u64::MAX);
    match fd {
        1 | 2 | 4 if count > MAX_IO_WRITE => Err(Stop::Host(Error::invalid(format!(
            "guest wrote {count} bytes to fd {fd} in one call (limit {MAX_IO_WRITE})"
        )))),
        1 | 2 => {
            let bytes = mem.read_range(addr, count, amask);
            let out = if fd == 1 {
                &mut env.io.stdout
            } else {
                &mut env.io.stderr
            };
            let _ = out.write_all(&bytes);
            Ok((count, 0))
        }
        4 => {
            last_hint.extend_from_slice(&mem.read_range(addr, count, amask));
            while last_hint.len() >= 4 {
                let n = u32::from_be_bytes(last_hint[..4].try_into().expect("4 bytes")) as usize;
                if n > last_hint.len() - 4 {
                    break;
                }
                let hint: Vec<u8> = last_hint[4..4 + n].to_vec();
                last_hint.drain(..4 + n);
                if let Err(e) = env.oracle.hint(&hint) {
                    return Err(Stop::Host(e));
                }
            }
            Ok((count, 0))
        }
        6 => {
            let eff = A::align(addr);
            env.tracker.track(mem, eff);
            let word = mem.read_word(eff, A::BYTES);
            let al = addr & (A::BYTES - 1);
            let n = count.min(A::BYTES - al);
            let bytes = word.to_be_bytes();
            let shift = 8 - A::BYTES as usize;
            let mut k = [0u8; 32];
            let n_us = n as usize;
            k[..32 - n_us].copy_from_slice(&key.as_slice()[n_us..]);
            k[32 - n_us..].copy_from_slice(&bytes[shift + al as usize..shift + al as usize + n_us]);
            *key = B256::from(k);
            *offset = 0;
            Ok((n, 0))
        }
        FD_EVENTFD if v.go123_support() => Ok(sys_err(v, EAGAIN)),
        _ => Ok(sys_err(v, EBADF)),
    }
}

pub(crate) fn st_syscall(s: &mut StState, env: &mut Env<'_>) -> Result<(), Stop> {
    let v = VmVersion::SingleThreaded2;
    let r = &s.cpu.regs;
    let (num, a0, a1, a2) = (r[2], r[4], r[5], r[6]);
    let (mut v0, mut v1) = (0u64, 0u64);
    match num {
        sys::ST_MMAP => {
            let (r0, r1, heap) = mmap::<Mips32>(v, a0, a1, s.heap);
            (v0, v1, s.heap) = (r0, r1, heap);
        }
        sys::ST_BRK => v0 = Mips32::PROGRAM_BREAK,
        sys::ST_CLONE => v0 = 1,
        sys::ST_EXIT_GROUP => {
            s.exited = true;
            s.exit_code = a0 as u8;
            return Ok(());
        }
        sys::ST_READ => {
            (v0, v1) = sys_read::<Mips32>(
                v,
                &mut s.memory,
                &mut s.preimage_offset,
                s.preimage_key,
                None,
                env,
                a0,
                a1,
                a2,
            )?
        }
        sys::ST_WRITE => {
            (v0, v1) = sys_write::<Mips32>(
                v,
                &mut s.memory,
                &mut s.preimage_key,
                &mut s.preimage_offset,
                &mut s.last_hint,
                env,
                a0,
                a1,
                a2,
            )?
        }
        sys::ST_FCNTL => (v0, v1) = fcntl(v, a0, a1),
        _ => {}
    }
    syscall_return::<Mips32>(&mut s.cpu, v0, v1);
    Ok(())
}
