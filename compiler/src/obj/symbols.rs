//! Names of the data objects an object defines or references
//! ([`DataKey`]), from `kiln_abi::symbols` constants. Index-based names
//! only. A core module's own data (descriptor parts, images, its
//! `ModuleDescriptor`) is named within its [`Namespace`] (see
//! [`crate::key`], which names the functions the same way); the ABI anchor
//! and the program-wide roots (`__kiln_program`, `__kiln_grants`,
//! `__kiln_component`) are never namespaced.

use crate::key::Namespace;
use kiln_abi::symbols as sym;

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
    /// The exported pointer to the runtime's runner of the program's kind
    /// (`__kiln_program_runner`).
    ProgramRunner,
    /// A runner the runtime defines (imported): `__kiln_run_module` or
    /// `__kiln_run_component`.
    Runner(&'static str),
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
            DataKey::ProgramRunner => sym::PROGRAM_RUNNER.to_string(),
            DataKey::Runner(name) => name.to_string(),
        }
    }
}
