//! A full step of either VM: the scheduler's work, instruction fetch, syscalls and LL/SC, and
//! core instructions through [`super::core::CoreOps`] (cannon-spec §9, §10.1).

use super::core::{apply_flow, fetch, CoreOps};
use super::sched::{current_cpu, pop_thread, preempt};
use super::syscall::{mt_syscall, st_syscall};
use super::{fault_at, Env, Stop};
use crate::arch::{Arch, Mips32, Mips64};
use crate::decode::{decode, Insn, Op};
use crate::error::{Fault, Result};
use crate::ops::{Flow, Ops, Un};
use crate::semantics::{execute, select_subword, update_subword};
use crate::state::{MtState, Reservation, StState};

/// One cannon64 step (`doMipsStep`, cannon-spec §10.1).
pub(crate) fn mt_step(s: &mut MtState, env: &mut Env<'_>) -> Result<()> {
    if s.exited {
        return Ok(());
    }
    let pre_step = s.step;
    if s.active().is_empty() {
        return Err(fault_at(Fault::EmptyThreadStack, pre_step, 0, 0));
    }
    s.step += 1;
    if s.current().is_some_and(|t| t.exited) {
        pop_thread(s);
        return Ok(());
    }
    if s.steps_left_in_quantum().is_none() {
        env.stats.forced_preemptions += 1;
        preempt(s);
        return Ok(());
    }
    s.steps_since_switch += 1;
    let pc = current_cpu(s).pc;
    if pc & 3 != 0 {
        return Err(fault_at(Fault::UnalignedPc, pre_step, pc, 0));
    }
    env.stats.count_fetch(pc, true);
    let word = fetch(&mut s.memory, pc);
    let insn = decode(word, true);
    let r = match insn.op {
        Op::Syscall => mt_syscall(s, env),
        Op::Ll | Op::Sc | Op::Lld | Op::Scd => {
            mt_rmw(s, env, insn);
            Ok(())
        }
        _ => {
            let (cpu, mem, ll) = s.running_parts().expect("checked non-empty");
            let ll = Some((ll, &mut env.stats.reservation_invalidations));
            let flow =
                execute::<Mips64, _>(&mut CoreOps::<Mips64>::new(cpu, mem, ll, env.tracker), insn);
            flow.map(|f| apply_flow::<Mips64>(cpu, f))
                .map_err(Stop::Fault)
        }
    };
    if let Err(stop) = r {
        return Err(stop.at(pre_step, pc, word));
    }
    if s.active().is_empty() {
        return Err(fault_at(Fault::EmptyThreadStack, pre_step, pc, word));
    }
    Ok(())
}

/// LL/SC/LLD/SCD (`handleRMWOps`, cannon-spec §9.6).
pub(crate) fn mt_rmw(s: &mut MtState, env: &mut Env<'_>, insn: Insn) {
    let tid = s.current().expect("a running thread").id;
    let (len, status) = match insn.op {
        Op::Ll | Op::Sc => (4u64, 1u8),
        _ => (8, 2),
    };
    let step = s.step;
    let (cpu, mem, ll) = s.running_parts().expect("a running thread");
    let base = cpu.regs[insn.rs() as usize];
    let addr = base.wrapping_add(Mips64::sext(u64::from(insn.imm()), 16));
    let aligned = Mips64::align(addr);
    let rt = insn.rt();
    let ret = if matches!(insn.op, Op::Ll | Op::Lld) {
        env.tracker.track(mem, aligned);
        let word = mem.read_u64(aligned);
        let mut o = CoreOps::<Mips64>::new(cpu, mem, None, env.tracker);
        let v = select_subword::<Mips64, _>(&mut o, addr, word, len);
        let v = if len == 4 { o.un(Un::Sext32, v) } else { v };
        *ll = Reservation {
            status,
            addr,
            owner: tid,
        };
        env.stats.last_ll_step = step;
        v
    } else if ll.status == status && ll.owner == tid && ll.addr == addr {
        *ll = Reservation::default();
        env.tracker.track(mem, aligned);
        let word = mem.read_u64(aligned);
        let val = cpu.regs[rt as usize];
        let mut o = CoreOps::<Mips64>::new(cpu, mem, None, env.tracker);
        let new = update_subword::<Mips64, _>(&mut o, addr, word, len, val);
        mem.write_u64(aligned, new);
        env.stats.rmw_success += 1;
        env.stats.max_steps_between_ll_and_sc = env
            .stats
            .max_steps_between_ll_and_sc
            .max(step - env.stats.last_ll_step);
        1
    } else {
        env.stats.rmw_fail += 1;
        0
    };
    if rt != 0 {
        cpu.regs[rt as usize] = ret;
    }
    apply_flow::<Mips64>(cpu, Flow::Seq);
}

/// One single-threaded step.
pub(crate) fn st_step(s: &mut StState, env: &mut Env<'_>) -> Result<()> {
    if s.exited {
        return Ok(());
    }
    let pre_step = s.step;
    s.step += 1;
    let pc = s.cpu.pc;
    if pc & 3 != 0 {
        return Err(fault_at(Fault::UnalignedPc, pre_step, pc, 0));
    }
    let word = fetch(&mut s.memory, pc);
    let insn = decode(word, false);
    let r = match insn.op {
        Op::Syscall => st_syscall(s, env),
        Op::Ll | Op::Sc => {
            let addr = Mips32::mask(
                s.cpu.regs[insn.rs() as usize]
                    .wrapping_add(Mips32::sext(u64::from(insn.imm()), 16)),
            ) & !3;
            env.tracker.track(&mut s.memory, addr);
            let rt = insn.rt() as usize;
            let ret = if insn.op == Op::Ll {
                u64::from(s.memory.read_u32(addr))
            } else {
                s.memory.write_u32(addr, s.cpu.regs[rt] as u32);
                1
            };
            if rt != 0 {
                s.cpu.regs[rt] = ret;
            }
            apply_flow::<Mips32>(&mut s.cpu, Flow::Seq);
            Ok(())
        }
        _ => {
            let flow = {
                let mut o = CoreOps::<Mips32>::new(&mut s.cpu, &mut s.memory, None, env.tracker);
                execute::<Mips32, _>(&mut o, insn)
            };
            flow.map(|f| apply_flow::<Mips32>(&mut s.cpu, f))
                .map_err(Stop::Fault)
        }
    };
    r.map_err(|stop| stop.at(pre_step, pc, word))
}
