;; kiln-test: target = "x86_64"
;; kiln-test: optimize = true
;; kiln-test: compile = true
;; The x86-64-v2 baseline lowers SIMD to SSE instructions (no VEX
;; encodings): pshufb for swizzle, roundps for nearest, the NaN-correct
;; fmin sequence, and minps alone for pmin (the spec's `b < a ? b : a`
;; operand order is the shape the backend pattern-matches).
(module
  (func (param v128 v128) (result v128)
    (i8x16.swizzle (local.get 0) (local.get 1)))
  (func (param v128) (result v128)
    (f32x4.nearest (local.get 0)))
  (func (param v128 v128) (result v128)
    (f32x4.min (local.get 0) (local.get 1)))
  (func (param v128 v128) (result v128)
    (f32x4.pmin (local.get 0) (local.get 1))))

;;   pushq %rbp
;;   movq %rsp, %rbp
;; block0:
;;   jmp     label1
;; block1:
;;   jmp     label2
;; block2:
;;   paddusb (%rip), %xmm1
;;   pshufb %xmm1, %xmm0
;;   movq %rbp, %rsp
;;   popq %rbp
;;   retq
;;
;;   pushq %rbp
;;   movq %rsp, %rbp
;; block0:
;;   jmp     label1
;; block1:
;;   jmp     label2
;; block2:
;;   roundps $0x0, %xmm0, %xmm0
;;   movq %rbp, %rsp
;;   popq %rbp
;;   retq
;;
;;   pushq %rbp
;;   movq %rsp, %rbp
;; block0:
;;   jmp     label1
;; block1:
;;   jmp     label2
;; block2:
;;   movdqa %xmm0, %xmm2
;;   minps %xmm1, %xmm2
;;   minps %xmm0, %xmm1
;;   orps %xmm1, %xmm2
;;   movdqa %xmm2, %xmm0
;;   cmpunordps %xmm1, %xmm0
;;   orps %xmm0, %xmm2
;;   psrld $0xa, %xmm0
;;   andnps %xmm2, %xmm0
;;   movq %rbp, %rsp
;;   popq %rbp
;;   retq
;;
;;   pushq %rbp
;;   movq %rsp, %rbp
;; block0:
;;   jmp     label1
;; block1:
;;   jmp     label2
;; block2:
;;   movdqa %xmm0, %xmm6
;;   movdqa %xmm1, %xmm0
;;   minps %xmm6, %xmm0
;;   movq %rbp, %rsp
;;   popq %rbp
;;   retq
