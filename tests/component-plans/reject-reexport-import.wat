(component (import "f" (func $f)) (export "f" (func $f)))

;; error: unsupported feature: component-model re-export of an import (at offset 0x19)
