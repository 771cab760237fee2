//! All symbol naming, from `kiln_abi::symbols` constants, and the ids of
//! every function the object declares. Index-based names only; wasm names go
//! into the descriptor.
//!
//! A core module's own definitions (functions, trampolines, descriptor parts,
//! images, its `ModuleDescriptor`) are named within a [`Namespace`]: a core
//! program keeps the plain `__kiln_` names; core module `N` of a component
//! gets `__kiln_m<N>_` instead (`__kiln_m2_func_7`, `__kiln_m2_module`), so
//! several modules share one object. Imports (`__kiln_rt_*`, `__kiln_p1_*`,
//! the ABI anchor) and the program-wide roots (`__kiln_program`,
//! `__kiln_grants`, `__kiln_component`) are never namespaced.

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
/// `crate::component::emit`): the target of a direct call.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LinkedCode {
    /// Defined function `func` of the component's core module `module`
    /// (`__kiln_m<module>_func_<func>`).
    Func {
        /// Static module index.
        module: u32,
        /// Function index (a defined function) in that module.
        func: u32,
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
    Wasm(u32),
    /// The array-call trampoline of a function, by function index.
    ArrayCall(u32),
    /// A runtime libcall, by index into `kiln_abi::libcalls::LIBCALLS`.
    Libcall(usize),
    /// A WASI P1 host function, by index into
    /// `kiln_abi::wasi_p1::WASI_P1_FUNCS`.
    WasiP1(usize),
    /// Code of another module or a trampoline of the same component object
    /// (wasm-call convention), called directly by the linked imports bound
    /// to it ([`DeclaredFuncs::linked_code`]).
    Linked(LinkedCode),
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
            FuncKey::Wasm(_) | FuncKey::ArrayCall(_) => {
                ns.qualify(self.plain_symbol(num_imported_funcs))
            }
            FuncKey::Libcall(_) | FuncKey::WasiP1(_) => self.plain_symbol(num_imported_funcs),
            FuncKey::Linked(code) => code.symbol(),
        }
    }

    fn plain_symbol(self, num_imported_funcs: u32) -> String {
        match self {
            FuncKey::Wasm(i) if i < num_imported_funcs => format!("{}{i}", sym::HOST_CALL_PREFIX),
            FuncKey::Wasm(i) => format!("{}{i}", sym::FUNC_PREFIX),
            FuncKey::ArrayCall(i) => format!("{}{i}", sym::ARRAY_CALL_PREFIX),
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
        }
    }
}

/// Prefix of the object-local data arrays the descriptors point to:
/// `__kiln_desc_<part>`.
const DESC_PART_PREFIX: &str = "__kiln_desc_";
/// Prefix of the initial image of memory `i`: `__kiln_image_<i>`.
const IMAGE_PREFIX: &str = "__kiln_image_";

/// Every data object the object defines or references.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DataKey {
    /// The exported `ModuleDescriptor`.
    Module,
    /// The exported `GrantsDescriptor`.
    Grants,
    /// The runtime's ABI version anchor (imported).
    AbiAnchor,
    /// A local array or pool of the descriptors, by part name.
    Part(&'static str),
    /// The initial image of memory `i` (by memory index).
    Image(u32),
    /// The exported `ProgramDescriptor` (one per object).
    Program,
    /// The `ComponentDescriptor` of a compiled component.
    Component,
}

impl DataKey {
    /// The symbol name of this data object in a core program (or of a
    /// component's own data).
    pub fn symbol(self) -> String {
        self.symbol_in(Namespace::Program)
    }

    /// The symbol name of this data object of a module in namespace `ns`.
    pub fn symbol_in(self, ns: Namespace) -> String {
        match self {
            DataKey::Module => ns.qualify(sym::MODULE.to_string()),
            DataKey::Grants => sym::GRANTS.to_string(),
            DataKey::AbiAnchor => sym::abi_version_symbol().to_string(),
            DataKey::Part(part) => ns.qualify(format!("{DESC_PART_PREFIX}{part}")),
            DataKey::Image(i) => ns.qualify(format!("{IMAGE_PREFIX}{i}")),
            DataKey::Program => sym::PROGRAM.to_string(),
            DataKey::Component => sym::COMPONENT.to_string(),
        }
    }
}

/// The cranelift-module id of every declared function, filled by phase 3
/// before any function is translated, read by phase 2 to name call targets
/// (`UserExternalName { namespace: 0, index: id }`, the convention of
/// cranelift-module).
#[derive(Debug, Default)]
pub struct DeclaredFuncs {
    ids: std::collections::BTreeMap<FuncKey, FuncId>,
    /// Linked imports (by function index) whose code is known statically.
    linked: std::collections::BTreeMap<u32, LinkedCode>,
}

impl DeclaredFuncs {
    /// Records the id of `key`.
    pub fn insert(&mut self, key: FuncKey, id: FuncId) {
        self.ids.insert(key, id);
    }

    /// The id of `key`. Every key phase 2 may ask for is declared by phase 3
    /// up front (all wasm functions, all libcalls, all used host functions).
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
    pub fn insert_linked(&mut self, func: u32, code: LinkedCode) {
        self.linked.insert(func, code);
    }

    /// The code linked import `func` is known to call, if the plan fixes it.
    pub fn linked_code(&self, func: u32) -> Option<FuncKey> {
        self.linked.get(&func).map(|c| FuncKey::Linked(*c))
    }

    /// The user external name for `key`.
    pub fn external_name(&self, key: FuncKey) -> cranelift_codegen::ir::UserExternalName {
        cranelift_codegen::ir::UserExternalName::new(0, self.id(key).as_u32())
    }
}
