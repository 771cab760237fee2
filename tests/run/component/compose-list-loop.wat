;; A list whose elements need checks is copied in a loop shaped as
;; Wasmtime's: the count tested once before the loop and counted down at
;; its end. The callee overwrites the first element's `enum`, of 200
;; cases, with 255, which the loop's first check catches. From a random
;; type (`adapter_diff`'s kind).
;; kiln-test: invoke = "echo(([(e1),(e199)],7),(0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0))"
;; kiln-test: trap = "invalid variant discriminant"
;; kiln-test: stderr-like-wasmtime
(component
  (component $callee
    (type $n0 (enum "e0" "e1" "e2" "e3" "e4" "e5" "e6" "e7" "e8" "e9" "e10" "e11" "e12" "e13" "e14" "e15" "e16" "e17" "e18" "e19" "e20" "e21" "e22" "e23" "e24" "e25" "e26" "e27" "e28" "e29" "e30" "e31" "e32" "e33" "e34" "e35" "e36" "e37" "e38" "e39" "e40" "e41" "e42" "e43" "e44" "e45" "e46" "e47" "e48" "e49" "e50" "e51" "e52" "e53" "e54" "e55" "e56" "e57" "e58" "e59" "e60" "e61" "e62" "e63" "e64" "e65" "e66" "e67" "e68" "e69" "e70" "e71" "e72" "e73" "e74" "e75" "e76" "e77" "e78" "e79" "e80" "e81" "e82" "e83" "e84" "e85" "e86" "e87" "e88" "e89" "e90" "e91" "e92" "e93" "e94" "e95" "e96" "e97" "e98" "e99" "e100" "e101" "e102" "e103" "e104" "e105" "e106" "e107" "e108" "e109" "e110" "e111" "e112" "e113" "e114" "e115" "e116" "e117" "e118" "e119" "e120" "e121" "e122" "e123" "e124" "e125" "e126" "e127" "e128" "e129" "e130" "e131" "e132" "e133" "e134" "e135" "e136" "e137" "e138" "e139" "e140" "e141" "e142" "e143" "e144" "e145" "e146" "e147" "e148" "e149" "e150" "e151" "e152" "e153" "e154" "e155" "e156" "e157" "e158" "e159" "e160" "e161" "e162" "e163" "e164" "e165" "e166" "e167" "e168" "e169" "e170" "e171" "e172" "e173" "e174" "e175" "e176" "e177" "e178" "e179" "e180" "e181" "e182" "e183" "e184" "e185" "e186" "e187" "e188" "e189" "e190" "e191" "e192" "e193" "e194" "e195" "e196" "e197" "e198" "e199")) (export $n0' "n0" (type $n0))
    (core module $m
      (memory (export "memory") 1)
      (global $bump (mut i32) (i32.const 0x1000))
      (func (export "realloc") (param i32 i32 i32 i32) (result i32)
        (local $p i32)
        (if (local.get 0) (then (if (i32.le_u (local.get 3) (local.get 1)) (then (return (local.get 0))))))
        (local.set $p (i32.and (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
                               (i32.sub (i32.const 0) (local.get 2))))
        (global.set $bump (i32.add (local.get $p) (local.get 3)))
        (if (i32.gt_u (global.get $bump) (i32.mul (memory.size) (i32.const 65536)))
          (then (drop (memory.grow (i32.add (i32.shr_u (local.get 3) (i32.const 16)) (i32.const 1))))))
        (if (local.get 0) (then (memory.copy (local.get $p) (local.get 0) (local.get 1))))
        (local.get $p))
      (func (export "echo") (param i32) (result i32) (i32.store8 (i32.load (local.get 0)) (i32.const 255)) (local.get 0)))
    (core instance $i (instantiate $m))
    (func (export "echo") (param "x" (tuple (list (tuple $n0')) u64)) (param "pad" (tuple u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8)) (result (tuple (list (tuple $n0')) u64))
      (canon lift (core func $i "echo") (memory (core memory $i "memory")) (realloc (core func $i "realloc")) string-encoding=utf8)))
  (instance $c (instantiate $callee))
  (type $n0 (enum "e0" "e1" "e2" "e3" "e4" "e5" "e6" "e7" "e8" "e9" "e10" "e11" "e12" "e13" "e14" "e15" "e16" "e17" "e18" "e19" "e20" "e21" "e22" "e23" "e24" "e25" "e26" "e27" "e28" "e29" "e30" "e31" "e32" "e33" "e34" "e35" "e36" "e37" "e38" "e39" "e40" "e41" "e42" "e43" "e44" "e45" "e46" "e47" "e48" "e49" "e50" "e51" "e52" "e53" "e54" "e55" "e56" "e57" "e58" "e59" "e60" "e61" "e62" "e63" "e64" "e65" "e66" "e67" "e68" "e69" "e70" "e71" "e72" "e73" "e74" "e75" "e76" "e77" "e78" "e79" "e80" "e81" "e82" "e83" "e84" "e85" "e86" "e87" "e88" "e89" "e90" "e91" "e92" "e93" "e94" "e95" "e96" "e97" "e98" "e99" "e100" "e101" "e102" "e103" "e104" "e105" "e106" "e107" "e108" "e109" "e110" "e111" "e112" "e113" "e114" "e115" "e116" "e117" "e118" "e119" "e120" "e121" "e122" "e123" "e124" "e125" "e126" "e127" "e128" "e129" "e130" "e131" "e132" "e133" "e134" "e135" "e136" "e137" "e138" "e139" "e140" "e141" "e142" "e143" "e144" "e145" "e146" "e147" "e148" "e149" "e150" "e151" "e152" "e153" "e154" "e155" "e156" "e157" "e158" "e159" "e160" "e161" "e162" "e163" "e164" "e165" "e166" "e167" "e168" "e169" "e170" "e171" "e172" "e173" "e174" "e175" "e176" "e177" "e178" "e179" "e180" "e181" "e182" "e183" "e184" "e185" "e186" "e187" "e188" "e189" "e190" "e191" "e192" "e193" "e194" "e195" "e196" "e197" "e198" "e199")) (export $n0' "n0" (type $n0))
  (core module $mem
    (memory (export "memory") 1)
    (global $bump (mut i32) (i32.const 0x1000))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      (if (local.get 0) (then (if (i32.le_u (local.get 3) (local.get 1)) (then (return (local.get 0))))))
      (local.set $p (i32.and (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
                             (i32.sub (i32.const 0) (local.get 2))))
      (global.set $bump (i32.add (local.get $p) (local.get 3)))
      (if (i32.gt_u (global.get $bump) (i32.mul (memory.size) (i32.const 65536)))
        (then (drop (memory.grow (i32.add (i32.shr_u (local.get 3) (i32.const 16)) (i32.const 1))))))
      (if (local.get 0) (then (memory.copy (local.get $p) (local.get 0) (local.get 1))))
      (local.get $p)))
  (core instance $m (instantiate $mem))
  (alias core export $m "memory" (core memory $memory))
  (alias core export $m "realloc" (core func $realloc))
  (core func $echo (canon lower (func $c "echo") (memory $memory) (realloc $realloc) string-encoding=latin1+utf16))
  (core module $fwd
    (import "" "echo" (func $echo (param i32 i32)))
    (func (export "echo") (param i32) (result i32) (call $echo (local.get 0) (i32.const 0x100)) (i32.const 0x100)))
  (core instance $f (instantiate $fwd (with "" (instance (export "echo" (func $echo))))))
  (func (export "echo") (param "x" (tuple (list (tuple $n0')) u64)) (param "pad" (tuple u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8)) (result (tuple (list (tuple $n0')) u64))
    (canon lift (core func $f "echo") (memory $memory) (realloc $realloc) string-encoding=latin1+utf16))
)
