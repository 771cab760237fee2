//! Function keys: the name of every function an object declares or calls,
//! and the table of their cranelift-module ids.
//!
//! Shared by translation ([`crate::func`], the trampolines) and object
//! emission ([`crate::obj`]), which never import each other: the driver
//! ([`crate::pipeline`]) declares every function up front and records its
//! id in a [`DeclaredFuncs`]; translation names call targets through it;
//! object emission defines the code under those ids.
//!
//! Names come from `kiln_abi::symbols` constants and are index-based only;
//! wasm names go into the descriptor. A core module's own functions are
//! named within a [`Namespace`]: a core program keeps the plain `__kiln_`
//! names; core module `N` of a component gets `__kiln_m<N>_` instead
//! (`__kiln_m2_func_7`, and `__kiln_m2_module` for its descriptor, see
//! `crate::obj::symbols`), so several modules share one object. Imports
//! (`__kiln_rt_*`, `__kiln_p1_*`, the ABI anchor) and the program-wide roots
//! (`__kiln_program`, `__kiln_grants`, `__kiln_component`) are never
//! namespaced.

use crate::module::FuncIndex;
use cranelift_module::FuncId;
use kiln_abi::symbols as sym;

/// Where a core module's own symbols live (see the module docs).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Namespace {
    /// A core program: the plain `__kiln_` names.
    #[default]
    Program,
    /// Core module `N` of a component: `__kiln_m<N>_` names.
    ComponentModule(u32),
}

impl Namespace {
    /// `name` (a `__kiln_` symbol) in this namespace.
    pub fn qualify(self, name: String) -> String {
        match self {
            Namespace::Program => name,
            Namespace::ComponentModule(n) => match name.strip_prefix("__kiln_") {
                Some(rest) => format!("{}{n}_{rest}", sym::COMPONENT_MODULE_PREFIX),
                None => name,
            },
        }
    }
}

/// The symbol of component trampoline `t`: `__kiln_cm_tramp_<t>`.
pub fn component_trampoline_symbol(t: u32) -> String {
    format!("{}{t}", sym::COMPONENT_TRAMPOLINE_PREFIX)
}

/// Code another part of a component's object defines, which a linked
/// import of a core module is statically known to call (see
/// `crate::component::linked`): the target of a direct call.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LinkedCode {
    /// Defined function `func` of the component's core module `module`
    /// (`__kiln_m<module>_func_<func>`).
    Func {
        /// Static module index.
        module: u32,
        /// A defined function of that module.
        func: FuncIndex,
    },
    /// Component trampoline `t` (`__kiln_cm_tramp_<t>`).
    Trampoline(u32),
}

impl LinkedCode {
    /// The symbol of the code.
    pub fn symbol(self) -> String {
        match self {
            // A defined function: not below the imports, so the count of
            // imported functions does not matter for its name.
            LinkedCode::Func { module, func } => {
                FuncKey::Wasm(func).symbol_in(Namespace::ComponentModule(module), 0)
            }
            LinkedCode::Trampoline(t) => component_trampoline_symbol(t),
        }
    }
}

/// Every kind of function the object declares or imports.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum FuncKey {
    /// A wasm function's body (wasm-call convention), by function index.
    /// For an imported host function this is its host-call trampoline.
    Wasm(FuncIndex),
    /// The array-call trampoline of a function, by function index.
    ArrayCall(FuncIndex),
    /// A runtime libcall, by index into `kiln_abi::libcalls::LIBCALLS`.
    Libcall(usize),
    /// A WASI P1 host function, by index into
    /// `kiln_abi::wasi_p1::WASI_P1_FUNCS`.
    WasiP1(usize),
    /// Code of another module or a trampoline of the same component object
    /// (wasm-call convention), called directly by the linked imports bound
    /// to it ([`DeclaredFuncs::linked_code`]).
    Linked(LinkedCode),
    /// The module's reference initializer
    /// (`kiln_abi::descriptor::ModuleDescriptor::init_refs`).
    InitRefs,
    /// The module's element initializer
    /// (`kiln_abi::descriptor::ModuleDescriptor::init_elems`).
    InitElems,
}

impl FuncKey {
    /// The symbol name of this function in a core program.
    pub fn symbol(self, num_imported_funcs: u32) -> String {
        self.symbol_in(Namespace::Program, num_imported_funcs)
    }

    /// The symbol name of this function of a module in namespace `ns`
    /// (libcalls and host functions are never namespaced).
    pub fn symbol_in(self, ns: Namespace, num_imported_funcs: u32) -> String {
        match self {
            FuncKey::Wasm(_) | FuncKey::ArrayCall(_) | FuncKey::InitRefs | FuncKey::InitElems => {
                ns.qualify(self.plain_symbol(num_imported_funcs))
            }
            FuncKey::Libcall(_) | FuncKey::WasiP1(_) => self.plain_symbol(num_imported_funcs),
            FuncKey::Linked(code) => code.symbol(),
        }
    }

    fn plain_symbol(self, num_imported_funcs: u32) -> String {
        match self {
            // NB: the bare number, not the index's `Display` (`func7`).
            FuncKey::Wasm(i) if i.as_u32() < num_imported_funcs => {
                format!("{}{}", sym::HOST_CALL_PREFIX, i.as_u32())
            }
            FuncKey::Wasm(i) => format!("{}{}", sym::FUNC_PREFIX, i.as_u32()),
            FuncKey::ArrayCall(i) => format!("{}{}", sym::ARRAY_CALL_PREFIX, i.as_u32()),
            FuncKey::Libcall(i) => format!(
                "{}{}",
                sym::LIBCALL_PREFIX,
                kiln_abi::libcalls::LIBCALLS[i].name
            ),
            FuncKey::WasiP1(i) => format!(
                "{}{}",
                sym::WASI_P1_PREFIX,
                kiln_abi::wasi_p1::WASI_P1_FUNCS[i].name
            ),
            FuncKey::Linked(code) => code.symbol(),
            FuncKey::InitRefs => sym::INIT_REFS.to_string(),
            FuncKey::InitElems => sym::INIT_ELEMS.to_string(),
        }
    }
}

/// The cranelift-module id of every declared function, filled by the driver
/// before any function is translated, read by phase 2 to name call targets
/// (`UserExternalName { namespace: 0, index: id }`, the convention of
/// cranelift-module).
#[derive(Debug, Default)]
pub struct DeclaredFuncs {
    ids: std::collections::BTreeMap<FuncKey, FuncId>,
    /// Linked imports (by function index) whose code is known statically.
    linked: std::collections::BTreeMap<FuncIndex, LinkedCode>,
}

impl DeclaredFuncs {
    /// Records the id of `key`.
    pub fn insert(&mut self, key: FuncKey, id: FuncId) {
        self.ids.insert(key, id);
    }

    /// The id of `key`. Every key phase 2 may ask for is declared by the
    /// driver up front (all wasm functions, all libcalls, all used host functions).
    pub fn id(&self, key: FuncKey) -> FuncId {
        *self
            .ids
            .get(&key)
            .unwrap_or_else(|| panic!("internal: function {key:?} was not declared"))
    }

    /// The id of `key`, if it was declared.
    pub fn get(&self, key: FuncKey) -> Option<FuncId> {
        self.ids.get(&key).copied()
    }

    /// Records that linked import `func` always calls `code` (whose
    /// [`FuncKey::Linked`] must be declared too).
    pub fn insert_linked(&mut self, func: FuncIndex, code: LinkedCode) {
        self.linked.insert(func, code);
    }

    /// The code linked import `func` is known to call, if the plan fixes it.
    pub fn linked_code(&self, func: FuncIndex) -> Option<FuncKey> {
        self.linked.get(&func).map(|c| FuncKey::Linked(*c))
    }

    /// The user external name for `key`.
    pub fn external_name(&self, key: FuncKey) -> cranelift_codegen::ir::UserExternalName {
        cranelift_codegen::ir::UserExternalName::new(0, self.id(key).as_u32())
    }
}

/// One function of a core module the object defines: what the driver
/// compiles, and which compiled code is which to object emission.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Job {
    /// A defined wasm function, by function index.
    Wasm(FuncIndex),
    /// The host-call trampoline of imported function `func`, a WASI P1
    /// function (index into `kiln_abi::wasi_p1::WASI_P1_FUNCS`).
    HostCall {
        /// Function index.
        func: FuncIndex,
        /// WASI P1 function.
        wasi: usize,
    },
    /// The array-call trampoline of a function.
    ArrayCall(FuncIndex),
    /// The module's reference initializer ([`crate::trampolines::init_refs`]).
    InitRefs,
    /// The module's element initializer ([`crate::trampolines::init_refs`]).
    InitElems,
}

impl Job {
    /// The symbol the job defines.
    pub fn key(self) -> FuncKey {
        match self {
            Job::Wasm(i) | Job::HostCall { func: i, .. } => FuncKey::Wasm(i),
            Job::ArrayCall(i) => FuncKey::ArrayCall(i),
            Job::InitRefs => FuncKey::InitRefs,
            Job::InitElems => FuncKey::InitElems,
        }
    }

    /// The function index the job belongs to (none for the module-wide
    /// initializers).
    pub fn func_index(self) -> Option<FuncIndex> {
        match self {
            Job::Wasm(i) | Job::HostCall { func: i, .. } | Job::ArrayCall(i) => Some(i),
            Job::InitRefs | Job::InitElems => None,
        }
    }

    /// How errors name the job, before the function: empty for a wasm
    /// function.
    pub fn what(self) -> &'static str {
        match self {
            Job::Wasm(_) => "",
            Job::HostCall { .. } => "(host-call trampoline) ",
            Job::ArrayCall(_) => "(array-call trampoline) ",
            Job::InitRefs => "(reference initializer) ",
            Job::InitElems => "(element initializer) ",
        }
    }
}

/// Declared ids of a component trampoline (`__kiln_cm_tramp_<t>`,
/// [`component_trampoline_symbol`]) and of the host function it calls.
#[derive(Copy, Clone, Debug)]
pub struct TrampolineIds {
    /// The trampoline (local).
    pub code: FuncId,
    /// The host function.
    pub host: HostRef,
}

/// The declared host callee of a component trampoline.
#[derive(Copy, Clone, Debug)]
pub enum HostRef {
    /// An imported function (a WASI host function or a resource built-in).
    Func(FuncId),
}
