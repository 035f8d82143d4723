//! Program loading (cannon-spec §6): ELF segments into memory, the initial stack, Go runtime
//! patches for the single-threaded VM, and the symbol table for `meta.json`.

use crate::arch::{Arch, Mips32, Mips64};
use crate::error::{Error, Result};
use crate::memory::{Memory, PAGE_SIZE};
use crate::state::{MtState, StState, State};
use crate::version::VmVersion;
use goblin::elf::{header, program_header, Elf};
use serde::{Deserialize, Serialize};

/// `PT_MIPS_ABIFLAGS`, skipped by the loader.
const PT_MIPS_ABIFLAGS: u32 = 0x7000_0003;

/// One symbol of `meta.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Symbol {
    /// Name.
    pub name: String,
    /// Start address.
    pub start: u64,
    /// Size in bytes.
    pub size: u64,
}

/// `meta.json`: the program's symbols sorted by start address.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Metadata {
    /// Symbols.
    pub symbols: Vec<Symbol>,
}

impl Metadata {
    /// The symbol containing `addr`, if any.
    pub fn lookup(&self, addr: u64) -> Option<&Symbol> {
        let i = self.symbols.partition_point(|s| s.start <= addr);
        self.symbols[..i]
            .iter()
            .rev()
            .find(|s| addr < s.start.saturating_add(s.size.max(1)))
    }
}

/// A parsed program: its initial state and metadata.
#[derive(Debug)]
pub struct Program {
    /// Initial state (before any step).
    pub state: State,
    /// Symbols.
    pub meta: Metadata,
}

/// Loads an ELF file's bytes as the initial state of `version`, with the stack patched (and, for
/// the single-threaded VM, Go's GC disabled) exactly as `cannon load-elf` does.
pub fn load_elf(bytes: &[u8], version: VmVersion) -> Result<Program> {
    let elf =
        Elf::parse(bytes).map_err(|e| Error::invalid(format!("not a valid ELF file: {e}")))?;
    if elf.header.e_machine != header::EM_MIPS {
        return Err(Error::invalid(format!(
            "ELF is not big-endian MIPS R3000, but got machine {} ({})",
            elf.header.e_machine,
            header::machine_to_str(elf.header.e_machine)
        )));
    }
    if elf.little_endian {
        return Err(Error::invalid(
            "ELF is little-endian MIPS; Cannon runs big-endian MIPS only",
        ));
    }
    let want64 = version.is_multithreaded64();
    if elf.is_64 != want64 {
        return Err(Error::invalid(format!(
            "ELF is {}-bit but --type {} needs a {}-bit program",
            if elf.is_64 { 64 } else { 32 },
            version,
            if want64 { 64 } else { 32 }
        )));
    }
    let meta = metadata(&elf);
    let state = if want64 {
        let mut s = MtState::new(version, elf.entry);
        load_segments::<Mips64>(&elf, bytes, &mut s.memory)?;
        let sp = patch_stack::<Mips64>(&mut s.memory);
        s.left[0].cpu.regs[29] = sp;
        State::Mt(s)
    } else {
        if elf.entry > u64::from(u32::MAX) {
            return Err(Error::invalid(format!(
                "entry point 0x{:x} is not a 32-bit address",
                elf.entry
            )));
        }
        let mut s = StState::new(elf.entry);
        load_segments::<Mips32>(&elf, bytes, &mut s.memory)?;
        patch_go_gc(&meta, &mut s.memory);
        let sp = patch_stack::<Mips32>(&mut s.memory);
        s.cpu.regs[29] = sp;
        State::St(s)
    };
    Ok(Program { state, meta })
}

/// Most guest memory the loadable segments of an ELF may ask for in all (their `p_memsz`
/// summed): 1 GiB, far above any real client (op-program and kona load well under 100 MiB),
/// and checked before anything is allocated, so a crafted ELF cannot make `load-elf` allocate
/// and zero-fill gigabytes.
pub const MAX_LOAD_BYTES: u64 = 1 << 30;

fn load_segments<A: Arch>(elf: &Elf<'_>, bytes: &[u8], mem: &mut Memory) -> Result<()> {
    let total = elf
        .program_headers
        .iter()
        .filter(|ph| ph.p_type != PT_MIPS_ABIFLAGS)
        .fold(0u64, |t, ph| t.saturating_add(ph.p_memsz));
    if total > MAX_LOAD_BYTES {
        return Err(Error::invalid(format!(
            "the ELF's segments ask for {total} bytes of guest memory in all, more than the limit of {MAX_LOAD_BYTES} bytes (1 GiB)"
        )));
    }
    for (i, ph) in elf.program_headers.iter().enumerate() {
        if ph.p_type == PT_MIPS_ABIFLAGS {
            continue;
        }
        if ph.p_filesz != ph.p_memsz {
            if ph.p_type != program_header::PT_LOAD {
                return Err(Error::invalid(format!(
                    "program segment {i} has different file size ({}) than mem size ({}): filling for non PT_LOAD segments is not supported",
                    ph.p_filesz, ph.p_memsz
                )));
            }
            if ph.p_filesz > ph.p_memsz {
                return Err(Error::invalid(format!(
                    "invalid PT_LOAD program segment {i}, file size ({}) > mem size ({})",
                    ph.p_filesz, ph.p_memsz
                )));
            }
        }
        if ph.p_memsz == 0 {
            continue;
        }
        let last = ph.p_vaddr.checked_add(ph.p_memsz - 1);
        let limit = if A::ELF_ADDR_BITS >= 64 {
            u64::MAX
        } else {
            (1u64 << A::ELF_ADDR_BITS) - 1
        };
        match last {
            Some(l) if l <= limit => {
                if l >= A::HEAP_START {
                    return Err(Error::invalid(format!(
                        "program segment {i} overlaps with heap: 0x{:x} - 0x{:x} (heap starts at 0x{:x})",
                        ph.p_vaddr,
                        l + 1,
                        A::HEAP_START
                    )));
                }
            }
            _ => {
                return Err(Error::invalid(format!(
                    "program segment {i} out of {}-bit mem range: 0x{:x} (size 0x{:x})",
                    A::ELF_ADDR_BITS,
                    ph.p_vaddr,
                    ph.p_memsz
                )))
            }
        }
        let off = ph.p_offset as usize;
        let end = off
            .checked_add(ph.p_filesz as usize)
            .filter(|&e| e <= bytes.len());
        let Some(end) = end else {
            return Err(Error::invalid(format!(
                "program segment {i} extends past the end of the file (offset 0x{:x}, size 0x{:x}, file 0x{:x})",
                ph.p_offset,
                ph.p_filesz,
                bytes.len()
            )));
        };
        if ph.p_memsz > 1 << 32 {
            return Err(Error::invalid(format!(
                "program segment {i} is implausibly large (0x{:x} bytes)",
                ph.p_memsz
            )));
        }
        mem.set_range(ph.p_vaddr, &bytes[off..end]);
        // zero-fill the rest (allocating its pages, as Go's SetMemoryRange does)
        let tail = ph.p_memsz - ph.p_filesz;
        if tail > 0 {
            let start = ph.p_vaddr + ph.p_filesz;
            mem.alloc_range(start, tail);
            // pages may already hold bytes from another segment: zero the range explicitly
            let mut a = start;
            let end = start + tail;
            while a < end {
                let n = ((PAGE_SIZE as u64) - (a & (PAGE_SIZE as u64 - 1))).min(end - a);
                mem.set_range(a, &vec![0u8; n as usize]);
                a += n;
            }
        }
    }
    Ok(())
}

/// Sets up the initial stack (`PatchStack`, cannon-spec §6.3); returns the stack pointer.
pub fn patch_stack<A: Arch>(mem: &mut Memory) -> u64 {
    let sp = A::STACK_TOP;
    let w = A::BYTES;
    mem.set_range(sp - 4 * PAGE_SIZE as u64, &vec![0u8; 5 * PAGE_SIZE]);
    let put_word = |mem: &mut Memory, addr: u64, v: u64| {
        if w == 8 {
            mem.set_range(addr, &v.to_be_bytes());
        } else {
            mem.set_range(addr, &(v as u32).to_be_bytes());
        }
    };
    let pad = |n: u64| n.div_ceil(w) * w;
    let random = sp + 10 * w;
    mem.set_range(random, b"4;byfairdiceroll");
    let envp0 = random + 16;
    let env = b"GODEBUG=memprofilerate=0\0";
    mem.set_range(envp0, env);
    let argv0 = envp0 + pad(env.len() as u64);
    mem.set_range(argv0, b"op-program\0");
    for (i, v) in [1, argv0, 0, envp0, 0, 6, 4096, 25, random, 0]
        .into_iter()
        .enumerate()
    {
        put_word(mem, sp + i as u64 * w, v);
    }
    sp
}

/// Go runtime functions stubbed out (`jr $ra; nop`) for the single-threaded VM (`PatchGoGC`).
pub const GO_GC_PATCH_SYMBOLS: [&str; 14] = [
    "runtime.gcenable",
    "runtime.init.5",
    "runtime.main.func1",
    "runtime.deductSweepCredit",
    "runtime.(*gcControllerState).commit",
    "github.com/prometheus/client_golang/prometheus.init",
    "github.com/prometheus/client_golang/prometheus.init.0",
    "github.com/prometheus/procfs.init",
    "github.com/prometheus/common/model.init",
    "github.com/prometheus/client_model/go.init",
    "github.com/prometheus/client_model/go.init.0",
    "github.com/prometheus/client_model/go.init.1",
    "flag.init",
    "runtime.check",
];

fn patch_go_gc(meta: &Metadata, mem: &mut Memory) {
    for s in &meta.symbols {
        if GO_GC_PATCH_SYMBOLS.contains(&s.name.as_str()) {
            mem.set_range(s.start, &[0x03, 0xe0, 0x00, 0x08, 0, 0, 0, 0]);
        }
    }
}

fn metadata(elf: &Elf<'_>) -> Metadata {
    let mut symbols: Vec<Symbol> = elf
        .syms
        .iter()
        .skip(1)
        .map(|s| Symbol {
            name: elf.strtab.get_at(s.st_name).unwrap_or("").to_string(),
            start: s.st_value,
            size: s.st_size,
        })
        .collect();
    go_sort_slice(&mut symbols, |a, b| a.start < b.start);
    Metadata { symbols }
}

/// Go's `sort.Slice` (pattern-defeating quicksort, not stable), reproduced so that symbols with
/// equal start addresses come out in the same order as in Go Cannon's `meta.json`.
pub fn go_sort_slice<T>(v: &mut [T], less: impl Fn(&T, &T) -> bool) {
    crate::gosort::pdqsort(v, &less);
}
