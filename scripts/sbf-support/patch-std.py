#!/usr/bin/env python3
"""Adjust a copy of the nightly's std sources so std builds for `target_os = "solana"`.

Usage: patch-std.py <library dir>   (the copy of `lib/rustlib/src/rust/library`)

std knows no `solana` OS. For an unknown OS it expects thread-local storage, a System allocator
and a random-key source, and SBPF has none of them (nor writable globals). Each edit below names
the anchor text it replaces and how many times it must occur, so a nightly whose std moved makes
this script fail with the file and the anchor instead of producing a broken std. Running it twice
is refused (the first edit's result is checked for).
"""

import pathlib
import sys

ALLOC_MODULE = '''    target_os = "solana" => {
        // Turbo's SBF build: programs install their own #[global_allocator] (the entrypoint's
        // bump allocator), so std's System allocator is never called on chain.
        mod solana {
            use crate::alloc::Layout;
            #[inline]
            pub unsafe fn alloc(_layout: Layout) -> *mut u8 {
                crate::ptr::null_mut()
            }
            #[inline]
            pub unsafe fn dealloc(_ptr: *mut u8, _layout: Layout) {}
            #[inline]
            pub unsafe fn realloc(_ptr: *mut u8, _layout: Layout, _new_size: usize) -> *mut u8 {
                crate::ptr::null_mut()
            }
        }
        use solana as imp;
    }
    target_os = "zkvm" => {
        mod zkvm;
        use zkvm as imp;
    }'''

RANDOM_STATE = '''    pub fn new() -> RandomState {
        // Turbo's SBF build: no thread-locals and no writable globals on solana, so fixed keys.
        #[cfg(target_os = "solana")]
        return RandomState { k0: 0, k1: 0 };
        #[cfg(not(target_os = "solana"))]
        return Self::from_thread_keys();
    }

    #[cfg_attr(target_os = "solana", allow(dead_code))]
    fn from_thread_keys() -> RandomState {'''

# (file under std/src, anchor, replacement, occurrences)
EDITS = [
    # 1. One thread: the thread-local macro stores its data in a plain static, as on zkvm.
    ("sys/thread_local/mod.rs", 'target_os = "zkvm",', 'target_os = "zkvm",\n        target_os = "solana",', 2),
    # 2. The generic I/O error table (no errno).
    (
        "sys/io/error/mod.rs",
        'any(target_os = "vexos", target_family = "wasm", target_os = "zkvm", target_os = "trusty")',
        'any(target_os = "vexos", target_family = "wasm", target_os = "zkvm", target_os = "trusty", target_os = "solana")',
        1,
    ),
    # 3. No random source: the unsupported fill_bytes and hashmap_random_keys, and not the generic
    #    hashmap_random_keys too (that would define it twice).
    ("sys/random/mod.rs", 'target_os = "l4re",', 'target_os = "l4re",\n    target_os = "solana",', 2),
    # 4. The System allocator: a 16-byte minimum alignment for bpf, and a module that returns null.
    ("sys/alloc/mod.rs", '    target_arch = "riscv64",\n    target_arch = "wasm64",', '    target_arch = "riscv64",\n    target_arch = "wasm64",\n    target_arch = "bpf",', 1),
    ("sys/alloc/mod.rs", '    target_os = "zkvm" => {\n        mod zkvm;\n        use zkvm as imp;\n    }', ALLOC_MODULE, 1),
    (
        "sys/alloc/mod.rs",
        'any(target_os = "hermit", target_os = "solid_asp3", target_os = "uefi", target_os = "zkvm")',
        'any(target_os = "hermit", target_os = "solid_asp3", target_os = "uefi", target_os = "zkvm", target_os = "solana")',
        1,
    ),
    # 5. RandomState::new keeps its keys in a thread-local, which would be a writable global.
    ("hash/random.rs", "    pub fn new() -> RandomState {", RANDOM_STATE, 1),
]


def main() -> int:
    if len(sys.argv) != 2:
        print("usage: patch-std.py <library dir>", file=sys.stderr)
        return 2
    src = pathlib.Path(sys.argv[1]) / "std" / "src"
    if 'target_os = "solana"' in (src / "sys/thread_local/mod.rs").read_text():
        print(f"patch-std.py: {src} is already patched", file=sys.stderr)
        return 2
    for rel, anchor, replacement, count in EDITS:
        path = src / rel
        text = path.read_text()
        found = text.count(anchor)
        if found != count:
            print(f"patch-std.py: {rel}: expected {count} of {anchor!r}, found {found}", file=sys.stderr)
            return 1
        path.write_text(text.replace(anchor, replacement))
    print(f"patch-std.py: {len(EDITS)} edits applied under {src}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
