(component
  (type $s (stream u8))
  (type $f (future u32))
  (type $r (result))
  (core module $mem (memory (export "m") 1))
  (core instance $mi (instantiate $mem))
  (alias core export $mi "m" (core memory $m))
  (core func (canon waitable-set.new))
  (core func (canon waitable-set.wait (memory $m)))
  (core func (canon context.get i32 0))
  (core func (canon task.return (result $r)))
  (core func (canon stream.read $s async (memory $m)))
  (core func (canon future.cancel-write $f))
  (core func (canon subtask.cancel))
  (core func (canon thread.yield)))

;; component instances: 1
;; module 0: 0x16..0x37 (0 imports)
;; instance 0: module 0 in component 0
;; trampoline 0: waitable-set.new [component 0, utf8]
;; trampoline 1: waitable-set.wait [component 0, utf8, memory instance 0 "m"]
;; trampoline 2: context.get 0 [component 0, utf8]
;; trampoline 3: task.return func(: result) [component 0, utf8]
;; trampoline 4: stream.read stream<u8> [component 0, utf8, memory instance 0 "m", async]
;; trampoline 5: future.cancel-write future<u32> [component 0, utf8]
;; trampoline 6: subtask.cancel [component 0, utf8]
;; trampoline 7: thread.yield [component 0, utf8]
