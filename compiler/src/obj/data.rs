//! Byte-level building of the data objects (descriptor records, pools,
//! memory images) and their definition in the object.
//!
//! Phase 3. Input: records written field by field at `offset_of!` offsets of
//! the `kiln_abi` types, plus absolute address relocations and self-relative
//! ones ([`kiln_abi::descriptor::RelAddr`]). Output: defined data objects in a
//! [`ObjectModule`], and the self-relative relocations as [`RelRelocs`] (the
//! module's data descriptions carry only absolute ones: they are added to
//! the object by [`super::finish_object`]). Invariants: objects are declared and
//! defined in [`DataKey`] order (deterministic output); an empty object is
//! never defined (an address to it is written as `0`, "none"). Scalar
//! fields ([`DataBuilder::put_u32`], [`DataBuilder::put_u64`],
//! [`DataBuilder::append_u32`]) are built little-endian and turned into the
//! target's byte order when defined (the runtime reads its records with
//! native loads: big-endian on s390x); raw bytes (`put_bytes`, `append`:
//! memory images, wasm values, strings, byte-encoded tables) are left as
//! they are. One
//! [`DataObjects`] holds the data of one [`Namespace`]; several can be
//! defined into the same object (a component's modules), referring to each
//! other's objects by [`Target::Defined`] ids.

use super::symbols::DataKey;
use crate::CompileError;
use crate::key::Namespace;
use cranelift_module::{DataDescription, DataId, FuncId, Linkage, Module};
use cranelift_object::ObjectModule;
use std::collections::BTreeMap;

/// What an address field points to.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Target {
    /// A function symbol.
    Func(FuncId),
    /// A data object of the same [`DataObjects`] (plus an addend).
    Data(DataKey),
    /// A data object already defined in the module (by another
    /// [`DataObjects`], e.g. a component module's descriptor), plus an
    /// addend.
    Defined(DataId),
}

/// The bytes and relocations of one data object.
#[derive(Debug)]
pub struct DataBuilder {
    bytes: Vec<u8>,
    relocs: Vec<(u32, Target, i64)>,
    /// Self-relative address fields ([`DataBuilder::put_rel`]).
    rel_relocs: Vec<(u32, Target, i64)>,
    /// Offset -> width of every scalar field (a later write at the same
    /// offset replaces the earlier one, so no field is swapped twice).
    scalars: BTreeMap<u32, u8>,
    align: u64,
    section: Option<&'static str>,
    writable: bool,
}

impl DataBuilder {
    /// An empty object aligned to `align`.
    pub fn new(align: u64) -> Self {
        DataBuilder {
            bytes: Vec::new(),
            relocs: Vec::new(),
            rel_relocs: Vec::new(),
            scalars: BTreeMap::new(),
            align,
            section: None,
            writable: false,
        }
    }

    /// Makes the object writable data (e.g. records the runtime fills in).
    pub fn writable(mut self) -> Self {
        self.writable = true;
        self
    }

    /// Places the object in a custom section (ELF section name).
    pub fn in_section(mut self, section: &'static str) -> Self {
        self.section = Some(section);
        self
    }

    /// Current length in bytes.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether nothing was written.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// Appends `size` zero bytes (a record to fill), returning its offset.
    pub fn append_zeroed(&mut self, size: usize) -> u32 {
        let at = self.offset();
        self.bytes.resize(self.bytes.len() + size, 0);
        at
    }

    /// Appends `bytes`, returning their offset.
    pub fn append(&mut self, bytes: &[u8]) -> u32 {
        let at = self.offset();
        self.bytes.extend_from_slice(bytes);
        at
    }

    /// Replaces the contents with `bytes` (no relocations allowed).
    pub fn set_bytes(&mut self, bytes: Vec<u8>) {
        debug_assert!(
            self.relocs.is_empty() && self.rel_relocs.is_empty() && self.scalars.is_empty()
        );
        self.bytes = bytes;
    }

    fn offset(&self) -> u32 {
        // NB: descriptor objects are far below 4 GiB (their size is bounded
        // by wasmparser's limits on the input); images are never appended to.
        u32::try_from(self.bytes.len()).expect("data object below 4 GiB")
    }

    /// Writes a `u32` field at `at` (in the target's byte order once
    /// defined).
    pub fn put_u32(&mut self, at: u32, v: u32) {
        self.put_bytes(at, &v.to_le_bytes());
        self.scalars.insert(at, 4);
    }

    /// Writes a `u64` field at `at` (in the target's byte order once
    /// defined).
    pub fn put_u64(&mut self, at: u32, v: u64) {
        self.put_bytes(at, &v.to_le_bytes());
        self.scalars.insert(at, 8);
    }

    /// Appends a `u32` field, returning its offset.
    pub fn append_u32(&mut self, v: u32) -> u32 {
        let at = self.append_zeroed(4);
        self.put_u32(at, v);
        at
    }

    /// The contents with every scalar field in the byte order `big`
    /// (big-endian) or little-endian.
    fn into_target_bytes(self, big: bool) -> Vec<u8> {
        let mut bytes = self.bytes;
        if big {
            for (&at, &width) in &self.scalars {
                let at = at as usize;
                bytes[at..at + usize::from(width)].reverse();
            }
        }
        bytes
    }

    /// Writes `bytes` at `at` (inside what was appended).
    pub fn put_bytes(&mut self, at: u32, bytes: &[u8]) {
        let at = at as usize;
        self.bytes[at..at + bytes.len()].copy_from_slice(bytes);
    }

    /// Makes the 8-byte field at `at` the absolute address of `target` plus
    /// `addend`.
    pub fn put_addr(&mut self, at: u32, target: Target, addend: u64) {
        self.put_u64(at, 0);
        let addend = i64::try_from(addend).expect("addend below 2^63");
        self.relocs.push((at, target, addend));
    }

    /// Makes the 8-byte field at `at` a [`kiln_abi::descriptor::RelAddr`]:
    /// the address of `target` plus `addend`, minus the field's own.
    pub fn put_rel(&mut self, at: u32, target: Target, addend: u64) {
        self.put_u64(at, 0);
        let addend = i64::try_from(addend).expect("addend below 2^63");
        self.rel_relocs.push((at, target, addend));
    }
}

/// What a self-relative field points to, once every object is declared.
#[derive(Copy, Clone, Debug)]
pub enum RelTarget {
    /// A function symbol.
    Func(FuncId),
    /// A data object.
    Data(DataId),
}

/// One self-relative field: in data object `from` at byte `at`, the address
/// of `to` plus `addend` minus the field's own.
#[derive(Copy, Clone, Debug)]
pub struct RelReloc {
    /// The object holding the field.
    pub from: DataId,
    /// The field's offset in it.
    pub at: u32,
    /// The target.
    pub to: RelTarget,
    /// Added to the target's address.
    pub addend: i64,
}

/// The self-relative fields of every data object defined into one
/// [`ObjectModule`], in definition order, for [`super::finish_object`].
pub type RelRelocs = Vec<RelReloc>;

/// The data objects of one [`Namespace`], by key.
#[derive(Debug, Default)]
pub struct DataObjects {
    ns: Namespace,
    objects: BTreeMap<DataKey, DataBuilder>,
}

impl DataObjects {
    /// No objects yet; their symbols will be in `ns`.
    pub fn new(ns: Namespace) -> Self {
        DataObjects {
            ns,
            objects: BTreeMap::new(),
        }
    }

    /// The builder of `key`, created with `align` if new.
    pub fn get(&mut self, key: DataKey, align: u64) -> &mut DataBuilder {
        self.objects
            .entry(key)
            .or_insert_with(|| DataBuilder::new(align))
    }

    /// Adds a finished builder.
    pub fn insert(&mut self, key: DataKey, builder: DataBuilder) {
        self.objects.insert(key, builder);
    }

    /// Whether `key` has contents (so an address of it may be written).
    pub fn has(&self, key: DataKey) -> bool {
        self.objects.get(&key).is_some_and(|b| !b.is_empty())
    }

    /// Declares and defines every non-empty object, and imports the ABI
    /// anchor (declaring it again in a later call gives the same symbol).
    /// Exported: the program, grants and a core program's module
    /// descriptor; everything else is local. Returns the id of every
    /// defined object; the self-relative fields go to `rel`.
    pub fn define_all(
        self,
        module: &mut ObjectModule,
        rel: &mut RelRelocs,
    ) -> Result<BTreeMap<DataKey, DataId>, CompileError> {
        let ns = self.ns;
        let big = module.isa().endianness() == cranelift_codegen::ir::Endianness::Big;
        let mut ids: BTreeMap<DataKey, DataId> = BTreeMap::new();
        let anchor = DataKey::AbiAnchor;
        ids.insert(
            anchor,
            module
                .declare_data(&anchor.symbol(), Linkage::Import, false, false)
                .map_err(object_error)?,
        );
        // The runtime's runners that a program runner refers to.
        for builder in self.objects.values() {
            for &(_, target, _) in builder.relocs.iter().chain(&builder.rel_relocs) {
                if let Target::Data(key @ DataKey::Runner(_)) = target
                    && !ids.contains_key(&key)
                {
                    let id = module
                        .declare_data(&key.symbol(), Linkage::Import, false, false)
                        .map_err(object_error)?;
                    ids.insert(key, id);
                }
            }
        }
        for (key, builder) in &self.objects {
            if builder.is_empty() {
                continue;
            }
            let linkage = match key {
                DataKey::Module if ns == Namespace::Program => Linkage::Export,
                DataKey::Grants | DataKey::Program | DataKey::ProgramRunner => Linkage::Export,
                DataKey::AbiAnchor | DataKey::Runner(_) => continue,
                DataKey::Module | DataKey::Part(_) | DataKey::Image(_) | DataKey::Component => {
                    Linkage::Local
                }
            };
            let id = module
                .declare_data(&key.symbol_in(ns), linkage, builder.writable, false)
                .map_err(object_error)?;
            ids.insert(*key, id);
        }
        for (key, builder) in self.objects {
            let Some(&id) = ids.get(&key) else { continue };
            if builder.is_empty() {
                continue;
            }
            let mut desc = DataDescription::new();
            desc.set_align(builder.align);
            if let Some(section) = builder.section {
                desc.set_custom_section(section);
            }
            let mut func_refs = BTreeMap::new();
            let mut data_refs = BTreeMap::new();
            for &(at, target, addend) in &builder.rel_relocs {
                let to = match target {
                    Target::Func(f) => RelTarget::Func(f),
                    Target::Data(k) => RelTarget::Data(*ids.get(&k).ok_or_else(|| {
                        CompileError::Object(format!(
                            "internal: {} refers to empty or missing {}",
                            key.symbol_in(ns),
                            k.symbol_in(ns)
                        ))
                    })?),
                    Target::Defined(d) => RelTarget::Data(d),
                };
                rel.push(RelReloc {
                    from: id,
                    at,
                    to,
                    addend,
                });
            }
            for &(at, target, addend) in &builder.relocs {
                match target {
                    Target::Func(f) => {
                        let r = *func_refs
                            .entry(f)
                            .or_insert_with(|| module.declare_func_in_data(f, &mut desc));
                        desc.write_function_addr(at, r);
                        debug_assert_eq!(addend, 0, "function addresses carry no addend");
                    }
                    Target::Data(k) => {
                        let Some(&target_id) = ids.get(&k) else {
                            return Err(CompileError::Object(format!(
                                "internal: {} refers to empty or missing {}",
                                key.symbol_in(ns),
                                k.symbol_in(ns)
                            )));
                        };
                        let gv = *data_refs
                            .entry(target_id)
                            .or_insert_with(|| module.declare_data_in_data(target_id, &mut desc));
                        desc.write_data_addr(at, gv, addend);
                    }
                    Target::Defined(target_id) => {
                        let gv = *data_refs
                            .entry(target_id)
                            .or_insert_with(|| module.declare_data_in_data(target_id, &mut desc));
                        desc.write_data_addr(at, gv, addend);
                    }
                }
            }
            desc.define(builder.into_target_bytes(big).into_boxed_slice());
            module.define_data(id, &desc).map_err(object_error)?;
        }
        Ok(ids)
    }
}

/// A cranelift-module error while writing the object.
pub fn object_error(e: cranelift_module::ModuleError) -> CompileError {
    CompileError::Object(e.to_string())
}

/// A pool of byte strings in one data object, deduplicated.
#[derive(Debug)]
pub struct StringPool {
    key: DataKey,
    builder: DataBuilder,
    seen: BTreeMap<Vec<u8>, u32>,
}

impl StringPool {
    /// An empty pool to be stored as `key`.
    pub fn new(key: DataKey) -> Self {
        StringPool {
            key,
            builder: DataBuilder::new(1),
            seen: BTreeMap::new(),
        }
    }

    /// Adds `bytes`, returning their offset in the pool (`None` if empty:
    /// empty strings are written as a null address).
    pub fn add(&mut self, bytes: &[u8]) -> Option<u32> {
        if bytes.is_empty() {
            return None;
        }
        if let Some(&at) = self.seen.get(bytes) {
            return Some(at);
        }
        let at = self.builder.append(bytes);
        self.seen.insert(bytes.to_vec(), at);
        Some(at)
    }

    /// Writes a `kiln_abi::descriptor::Str` for `bytes` at `at` in `into`.
    pub fn put_str(&mut self, into: &mut DataBuilder, at: u32, bytes: &[u8]) {
        self.put(into, at, bytes, DataBuilder::put_addr);
    }

    /// Writes a `kiln_abi::descriptor::RelStr` for `bytes` at `at` in `into`.
    pub fn put_rel_str(&mut self, into: &mut DataBuilder, at: u32, bytes: &[u8]) {
        self.put(into, at, bytes, DataBuilder::put_rel);
    }

    /// A string record written with `put_ptr` (absolute or self-relative):
    /// `Str` and `RelStr` both hold the address at 0 and the length at 8.
    fn put(
        &mut self,
        into: &mut DataBuilder,
        at: u32,
        bytes: &[u8],
        put_ptr: fn(&mut DataBuilder, u32, Target, u64),
    ) {
        use core::mem::offset_of;
        // NB: `kiln_abi` asserts the two layouts equal.
        use kiln_abi::descriptor::Str;
        if let Some(pos) = self.add(bytes) {
            put_ptr(
                into,
                at + offset_of!(Str, ptr) as u32,
                Target::Data(self.key),
                u64::from(pos),
            );
            into.put_u64(at + offset_of!(Str, len) as u32, bytes.len() as u64);
        }
    }

    /// Stores the pool.
    pub fn finish(self, objects: &mut DataObjects) {
        objects.insert(self.key, self.builder);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalar_fields_take_the_target_byte_order() {
        let mut b = DataBuilder::new(8);
        b.append_zeroed(16);
        b.put_u32(0, 0x0102_0304);
        b.put_bytes(4, &[0xaa, 0xbb]);
        // Written twice at one offset: swapped once.
        b.put_u64(8, 0);
        b.put_u64(8, 0x1122_3344_5566_7788);
        let at = b.append_u32(0x0a0b_0c0d);
        assert_eq!(at, 16);
        let mut little = DataBuilder::new(8);
        little.bytes = b.bytes.clone();
        assert_eq!(
            b.into_target_bytes(true),
            [
                1, 2, 3, 4, 0xaa, 0xbb, 0, 0, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88, 0x0a,
                0x0b, 0x0c, 0x0d
            ]
        );
        assert_eq!(
            little.into_target_bytes(true)[..8],
            [4, 3, 2, 1, 0xaa, 0xbb, 0, 0],
            "raw bytes stay as written"
        );
    }
}
