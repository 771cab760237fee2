;; An `enum` returned through memory with an invalid discriminant (the
;; callee overwrites the 300-case enum with 0xffff): the adapter traps
;; `invalid variant discriminant` after copying the string before it, as
;; Wasmtime 49's does. From a random type (`adapter_diff`'s kind).
;; kiln-test: invoke = "echo(((ok(ok(1)),{f0:{f0:1.5},f1:(1,2,1.5,\"s\"),f2:{f0:1,f1:2,f2:1.5,f3:1.5},f3:-1},ok((1,2,\"t\")),({g1},e5)),7),(0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0))"
;; kiln-test: trap = "invalid variant discriminant"
;; kiln-test: stderr-like-wasmtime
(component
  (component $callee
    (type $n0 (flags "g0")) (export $n0' "n0" (type $n0))
    (type $n1 (record (field "f0" f64))) (export $n1' "n1" (type $n1))
    (type $n2 (record (field "f0" u64) (field "f1" u16) (field "f2" f64) (field "f3" f32))) (export $n2' "n2" (type $n2))
    (type $n3 (record (field "f0" $n1') (field "f1" (tuple u16 s64 f32 string)) (field "f2" $n2') (field "f3" s16))) (export $n3' "n3" (type $n3))
    (type $n4 (flags "g0" "g1" "g2" "g3" "g4" "g5" "g6" "g7" "g8" "g9" "g10" "g11" "g12" "g13" "g14" "g15" "g16")) (export $n4' "n4" (type $n4))
    (type $n5 (enum "e0" "e1" "e2" "e3" "e4" "e5" "e6" "e7" "e8" "e9" "e10" "e11" "e12" "e13" "e14" "e15" "e16" "e17" "e18" "e19" "e20" "e21" "e22" "e23" "e24" "e25" "e26" "e27" "e28" "e29" "e30" "e31" "e32" "e33" "e34" "e35" "e36" "e37" "e38" "e39" "e40" "e41" "e42" "e43" "e44" "e45" "e46" "e47" "e48" "e49" "e50" "e51" "e52" "e53" "e54" "e55" "e56" "e57" "e58" "e59" "e60" "e61" "e62" "e63" "e64" "e65" "e66" "e67" "e68" "e69" "e70" "e71" "e72" "e73" "e74" "e75" "e76" "e77" "e78" "e79" "e80" "e81" "e82" "e83" "e84" "e85" "e86" "e87" "e88" "e89" "e90" "e91" "e92" "e93" "e94" "e95" "e96" "e97" "e98" "e99" "e100" "e101" "e102" "e103" "e104" "e105" "e106" "e107" "e108" "e109" "e110" "e111" "e112" "e113" "e114" "e115" "e116" "e117" "e118" "e119" "e120" "e121" "e122" "e123" "e124" "e125" "e126" "e127" "e128" "e129" "e130" "e131" "e132" "e133" "e134" "e135" "e136" "e137" "e138" "e139" "e140" "e141" "e142" "e143" "e144" "e145" "e146" "e147" "e148" "e149" "e150" "e151" "e152" "e153" "e154" "e155" "e156" "e157" "e158" "e159" "e160" "e161" "e162" "e163" "e164" "e165" "e166" "e167" "e168" "e169" "e170" "e171" "e172" "e173" "e174" "e175" "e176" "e177" "e178" "e179" "e180" "e181" "e182" "e183" "e184" "e185" "e186" "e187" "e188" "e189" "e190" "e191" "e192" "e193" "e194" "e195" "e196" "e197" "e198" "e199" "e200" "e201" "e202" "e203" "e204" "e205" "e206" "e207" "e208" "e209" "e210" "e211" "e212" "e213" "e214" "e215" "e216" "e217" "e218" "e219" "e220" "e221" "e222" "e223" "e224" "e225" "e226" "e227" "e228" "e229" "e230" "e231" "e232" "e233" "e234" "e235" "e236" "e237" "e238" "e239" "e240" "e241" "e242" "e243" "e244" "e245" "e246" "e247" "e248" "e249" "e250" "e251" "e252" "e253" "e254" "e255" "e256" "e257" "e258" "e259" "e260" "e261" "e262" "e263" "e264" "e265" "e266" "e267" "e268" "e269" "e270" "e271" "e272" "e273" "e274" "e275" "e276" "e277" "e278" "e279" "e280" "e281" "e282" "e283" "e284" "e285" "e286" "e287" "e288" "e289" "e290" "e291" "e292" "e293" "e294" "e295" "e296" "e297" "e298" "e299")) (export $n5' "n5" (type $n5))
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
      (func (export "echo") (param i32) (result i32) (i32.store16 offset=124 (local.get 0) (i32.const 0xffff)) (local.get 0)))
    (core instance $i (instantiate $m))
    (func (export "echo") (param "x" (tuple (tuple (result (result u8 (error u16)) (error $n0')) $n3' (result (tuple s16 u64 string)) (tuple $n4' $n5')) u64)) (param "pad" (tuple u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8)) (result (tuple (tuple (result (result u8 (error u16)) (error $n0')) $n3' (result (tuple s16 u64 string)) (tuple $n4' $n5')) u64))
      (canon lift (core func $i "echo") (memory (core memory $i "memory")) (realloc (core func $i "realloc")) string-encoding=utf8)))
  (instance $c (instantiate $callee))
  (type $n0 (flags "g0")) (export $n0' "n0" (type $n0))
  (type $n1 (record (field "f0" f64))) (export $n1' "n1" (type $n1))
  (type $n2 (record (field "f0" u64) (field "f1" u16) (field "f2" f64) (field "f3" f32))) (export $n2' "n2" (type $n2))
  (type $n3 (record (field "f0" $n1') (field "f1" (tuple u16 s64 f32 string)) (field "f2" $n2') (field "f3" s16))) (export $n3' "n3" (type $n3))
  (type $n4 (flags "g0" "g1" "g2" "g3" "g4" "g5" "g6" "g7" "g8" "g9" "g10" "g11" "g12" "g13" "g14" "g15" "g16")) (export $n4' "n4" (type $n4))
  (type $n5 (enum "e0" "e1" "e2" "e3" "e4" "e5" "e6" "e7" "e8" "e9" "e10" "e11" "e12" "e13" "e14" "e15" "e16" "e17" "e18" "e19" "e20" "e21" "e22" "e23" "e24" "e25" "e26" "e27" "e28" "e29" "e30" "e31" "e32" "e33" "e34" "e35" "e36" "e37" "e38" "e39" "e40" "e41" "e42" "e43" "e44" "e45" "e46" "e47" "e48" "e49" "e50" "e51" "e52" "e53" "e54" "e55" "e56" "e57" "e58" "e59" "e60" "e61" "e62" "e63" "e64" "e65" "e66" "e67" "e68" "e69" "e70" "e71" "e72" "e73" "e74" "e75" "e76" "e77" "e78" "e79" "e80" "e81" "e82" "e83" "e84" "e85" "e86" "e87" "e88" "e89" "e90" "e91" "e92" "e93" "e94" "e95" "e96" "e97" "e98" "e99" "e100" "e101" "e102" "e103" "e104" "e105" "e106" "e107" "e108" "e109" "e110" "e111" "e112" "e113" "e114" "e115" "e116" "e117" "e118" "e119" "e120" "e121" "e122" "e123" "e124" "e125" "e126" "e127" "e128" "e129" "e130" "e131" "e132" "e133" "e134" "e135" "e136" "e137" "e138" "e139" "e140" "e141" "e142" "e143" "e144" "e145" "e146" "e147" "e148" "e149" "e150" "e151" "e152" "e153" "e154" "e155" "e156" "e157" "e158" "e159" "e160" "e161" "e162" "e163" "e164" "e165" "e166" "e167" "e168" "e169" "e170" "e171" "e172" "e173" "e174" "e175" "e176" "e177" "e178" "e179" "e180" "e181" "e182" "e183" "e184" "e185" "e186" "e187" "e188" "e189" "e190" "e191" "e192" "e193" "e194" "e195" "e196" "e197" "e198" "e199" "e200" "e201" "e202" "e203" "e204" "e205" "e206" "e207" "e208" "e209" "e210" "e211" "e212" "e213" "e214" "e215" "e216" "e217" "e218" "e219" "e220" "e221" "e222" "e223" "e224" "e225" "e226" "e227" "e228" "e229" "e230" "e231" "e232" "e233" "e234" "e235" "e236" "e237" "e238" "e239" "e240" "e241" "e242" "e243" "e244" "e245" "e246" "e247" "e248" "e249" "e250" "e251" "e252" "e253" "e254" "e255" "e256" "e257" "e258" "e259" "e260" "e261" "e262" "e263" "e264" "e265" "e266" "e267" "e268" "e269" "e270" "e271" "e272" "e273" "e274" "e275" "e276" "e277" "e278" "e279" "e280" "e281" "e282" "e283" "e284" "e285" "e286" "e287" "e288" "e289" "e290" "e291" "e292" "e293" "e294" "e295" "e296" "e297" "e298" "e299")) (export $n5' "n5" (type $n5))
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
  (core func $echo (canon lower (func $c "echo") (memory $memory) (realloc $realloc) string-encoding=utf8))
  (core module $fwd
    (import "" "echo" (func $echo (param i32 i32)))
    (func (export "echo") (param i32) (result i32) (call $echo (local.get 0) (i32.const 0x100)) (i32.const 0x100)))
  (core instance $f (instantiate $fwd (with "" (instance (export "echo" (func $echo))))))
  (func (export "echo") (param "x" (tuple (tuple (result (result u8 (error u16)) (error $n0')) $n3' (result (tuple s16 u64 string)) (tuple $n4' $n5')) u64)) (param "pad" (tuple u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8 u8)) (result (tuple (tuple (result (result u8 (error u16)) (error $n0')) $n3' (result (tuple s16 u64 string)) (tuple $n4' $n5')) u64))
    (canon lift (core func $f "echo") (memory $memory) (realloc $realloc) string-encoding=utf8))
)
