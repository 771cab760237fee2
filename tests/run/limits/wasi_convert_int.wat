;; A WASI argument that does not fit its witx type's representation (rights
;; -1 is not a u64 from an i64): wiggle's conversion error is fatal, with
;; the `In func ... at convert <type>:` context and the TryFromIntError
;; chain (three lines). The kind names the end that overflowed: a
;; negative value is `NegOverflow` (`PosOverflow`: wasi_convert_enum.wat).
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (drop (call $path_open (i32.const 3) (i32.const 0) (i32.const 0) (i32.const 1)
      (i32.const 0) (i64.const -1) (i64.const 0) (i32.const 0) (i32.const 100)))))
;; kiln-test: exit = 1
;; kiln-test: stderr-contains = "    2: In func wasi_snapshot_preview1::path_open at convert Rights: Int conversion error: TryFromIntError(NegOverflow)\n    3: Int conversion error: TryFromIntError(NegOverflow)\n    4: out of range integral type conversion attempted\n\n"
