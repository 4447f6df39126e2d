//! The program's heap use, measured on the native bank. On SBF a program gets a 32 KiB heap from
//! a bump allocator that never frees, so what limits an instruction is the sum of every byte it
//! allocates. [`CountingAlloc`], installed as a binary's global allocator, adds up the bytes
//! allocated on the thread running the program's entrypoint, frees ignored, between
//! [`enter`] and [`exit`] (the bank's `entry` wrapper calls them); the syscall stubs pause it, so
//! the runtime's own work (CPIs, logging) is not counted.
//!
//! Two costs SBF has and the native path does not are added by hand, so the count is what the
//! bump allocator would hand out:
//! - the entrypoint's account list: per account an `AccountInfo` in a `Vec` and two `Rc`
//!   boxes (lamports, data) — [`ENTRYPOINT_BYTES_PER_ACCOUNT`];
//! - each CPI's copy of its instruction (`invoke_signed` clones the `Instruction` into a
//!   `StableInstruction` on SBF): its account metas and data ([`cpi_copy`]).
//!
//! `docs/performance.md` records the result per instruction; `tests/budget.toml` guards it.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use anchor_lang::solana_program::account_info::AccountInfo;
use anchor_lang::solana_program::instruction::{AccountMeta, Instruction};
use anchor_lang::solana_program::pubkey::Pubkey;

/// SBF's program heap.
pub const SBF_HEAP_BYTES: u64 = 32 * 1024;

/// What the SBF entrypoint allocates per account: its `AccountInfo` in the account vector, an
/// `Rc<RefCell<&mut u64>>` for the lamports and an `Rc<RefCell<&mut [u8]>>` for the data (an
/// `Rc` box is two counters and the value).
pub const ENTRYPOINT_BYTES_PER_ACCOUNT: u64 = (std::mem::size_of::<AccountInfo>()
    + 2 * std::mem::size_of::<usize>()
    + std::mem::size_of::<RefCell<&mut u64>>()
    + 2 * std::mem::size_of::<usize>()
    + std::mem::size_of::<RefCell<&mut [u8]>>()) as u64;

thread_local! {
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static BYTES: Cell<u64> = const { Cell::new(0) };
}

/// Bytes each completed top-level invocation allocated, by a hash of its account keys and data,
/// so a test reads its own instruction's count even while other tests' banks run the program
/// on other threads (one global "last" raced: a parallel test could finish in between).
static BY_INSTRUCTION: Mutex<Option<HashMap<u64, u64>>> = Mutex::new(None);
/// Set once any allocation was counted: proves the allocator is installed.
static INSTALLED: AtomicU64 = AtomicU64::new(0);

fn count(bytes: usize) {
    let on = COUNTING.try_with(Cell::get).unwrap_or(false);
    if on {
        let _ = BYTES.try_with(|b| b.set(b.get().saturating_add(bytes as u64)));
        INSTALLED.store(1, Ordering::Relaxed);
    }
}

/// A global allocator that counts the program's allocations (see the module docs) and
/// otherwise is the system allocator.
pub struct CountingAlloc;

// SAFETY: every call is forwarded to the system allocator unchanged; counting only reads and
// writes const-initialized thread-locals, which never allocate.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // A bump allocator's realloc is a new block of the new size.
        count(new_size);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// The key an invocation is recorded under: its account keys, in order, and its data.
fn key<'a>(accounts: impl Iterator<Item = &'a Pubkey>, data: &[u8]) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for k in accounts {
        k.hash(&mut h);
    }
    data.hash(&mut h);
    h.finish()
}

/// Start counting a top-level invocation with `accounts` accounts.
pub(crate) fn enter(accounts: usize) {
    BYTES.with(|b| b.set(ENTRYPOINT_BYTES_PER_ACCOUNT.saturating_mul(accounts as u64)));
    COUNTING.with(|c| c.set(true));
}

/// Stop counting and record the invocation's total under its accounts and data.
pub(crate) fn exit<'a>(accounts: impl Iterator<Item = &'a Pubkey>, data: &[u8]) {
    COUNTING.with(|c| c.set(false));
    let bytes = BYTES.with(Cell::get);
    let k = key(accounts, data);
    let mut map = BY_INSTRUCTION.lock().unwrap_or_else(|e| e.into_inner());
    map.get_or_insert_with(HashMap::new).insert(k, bytes);
}

/// Run `f` (a syscall's runtime side) without counting.
pub(crate) fn paused<T>(f: impl FnOnce() -> T) -> T {
    let was = COUNTING.with(|c| c.replace(false));
    let out = f();
    COUNTING.with(|c| c.set(was));
    out
}

/// The copy SBF's `invoke_signed` makes of a CPI's instruction, counted before the runtime
/// takes over.
pub(crate) fn cpi_copy(ix: &Instruction) {
    count(ix.accounts.len().saturating_mul(std::mem::size_of::<AccountMeta>()));
    count(ix.data.len());
}

/// The bytes the last top-level invocation of `ix` (the same accounts and data) allocated;
/// `None` until one ran with [`CountingAlloc`] installed.
pub fn instruction_bytes(ix: &Instruction) -> Option<u64> {
    let k = key(ix.accounts.iter().map(|a| &a.pubkey), &ix.data);
    BY_INSTRUCTION.lock().unwrap_or_else(|e| e.into_inner()).as_ref().and_then(|m| m.get(&k).copied())
}

/// Whether [`CountingAlloc`] is this binary's global allocator and has counted anything.
pub fn installed() -> bool {
    INSTALLED.load(Ordering::Relaxed) == 1
}
