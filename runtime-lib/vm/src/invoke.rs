//! Calling exported functions from the host: the array-call convention,
//! `--invoke` argument parsing and result printing.
//!
//! Phase: after instantiation. Inputs: the instance, a function index, the
//! guest arguments after argv[0]. Outputs: the call's effects, the results
//! on stdout, Wasmtime's warnings and errors.
//!
//! Behaviour of `wasmtime run` 48 (`invoke_func`), reproduced:
//! - with parameters, first the warning ``warning: using `--invoke` with a
//!   function that takes arguments is experimental and may break in the
//!   future`` on stderr;
//! - each parameter takes the next argument: `i32`/`i64` decimal, or hex
//!   after `0x`/`0X`; `f32`/`f64` as Rust parses them; a missing one fails
//!   with ``not enough arguments for `<name>` `` (or `for command default`),
//!   a bad one with Rust's parse error; extra arguments are ignored;
//! - the call runs with the context ``failed to invoke `<name>` `` (or
//!   `failed to invoke command default`) for trap reports;
//! - with results, the warning ``warning: using `--invoke` with a function
//!   that returns values is experimental and may break in the future``,
//!   then one line per result: integers in decimal, floats with Rust's
//!   `Display`, `v128` as a decimal `u128`, references as `<funcref>`,
//!   `<null funcref>`, `<externref>`, `<null externref>`.

use crate::errors::write_fd;
use crate::instance::Instance;
use kiln_abi::{ValRaw, ValType};

/// Calls function `func` of `instance` through its array-call trampoline
/// with `values` (arguments in, results out; sized for the larger).
///
/// `values` shorter than the function's parameters or results is an
/// error, never a call: the trampoline would read or write past it on
/// the native stack. Validation makes every caller's buffer fit (a
/// callback is `[i32 i32 i32] -> [i32]`, a post-return takes its lift's
/// results, ...); this check keeps a gap in it from becoming a memory
/// error.
///
/// # Safety
/// `instance` must be live and not otherwise borrowed during the call;
/// `values` must hold arguments of the function's parameter types.
pub unsafe fn call(
    instance: *mut Instance,
    func: u32,
    values: &mut [ValRaw],
) -> Result<(), String> {
    // SAFETY: `instance` is live; the shared borrow ends before the call.
    let (vmctx, array_call, ty) = unsafe {
        let inst = &*instance;
        let module = inst.module();
        let f = module
            .funcs
            .get(func as usize)
            .ok_or_else(|| format!("internal: no function {func}"))?;
        (
            inst.vmctx(),
            f.array_call.get(),
            module.func_type(f.type_index),
        )
    };
    if array_call == 0 {
        return Err(format!(
            "corrupt module descriptor: function {func} has no array-call trampoline"
        ));
    }
    let ty = ty.ok_or_else(|| format!("corrupt module descriptor: function {func} has no type"))?;
    let needed = ty.params.len().max(ty.results.len());
    if values.len() < needed {
        return Err(format!(
            "internal: function {func} takes {} values and returns {}, called with room for {}",
            ty.params.len(),
            ty.results.len(),
            values.len()
        ));
    }
    // SAFETY: the descriptor gives the array-call trampoline's address.
    let entry: unsafe extern "C" fn(*mut u8, *mut ValRaw) =
        unsafe { std::mem::transmute::<usize, _>(array_call as usize) };
    let _entry = crate::stack::enter_wasm(|limit| {
        // SAFETY: writing one header field of the live instance.
        unsafe { (*instance).set_stack_limit(limit) }
    });
    let _activation = crate::traps::backtrace::enter_activation();
    // SAFETY: the trampoline reads arguments from and writes results to
    // `values`, which is large enough.
    unsafe { entry(vmctx, values.as_mut_ptr()) };
    Ok(())
}

/// wasmtime's `Display` of an argument type it cannot parse.
fn type_name(t: Option<ValType>) -> &'static str {
    match t {
        Some(ValType::I32) => "i32",
        Some(ValType::I64) => "i64",
        Some(ValType::F32) => "f32",
        Some(ValType::F64) => "f64",
        Some(ValType::V128) => "v128",
        Some(ValType::FuncRef) => "(ref null func)",
        Some(ValType::ExternRef) => "(ref null extern)",
        Some(ValType::ExnRef) => "(ref null exn)",
        None => "<unknown>",
    }
}

fn parse_int<T>(
    s: &str,
    radix16: fn(&str) -> Result<T, std::num::ParseIntError>,
) -> Result<T, String>
where
    T: std::str::FromStr<Err = std::num::ParseIntError>,
{
    let r = match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        Some(hex) => radix16(hex),
        None => s.parse::<T>(),
    };
    r.map_err(|e| e.to_string())
}

/// Parses `args` as the parameters `params` (type bytes) of the function
/// `name` (`None`: the default export).
pub fn parse_args(
    params: &[u8],
    results: usize,
    args: &[Vec<u8>],
    name: Option<&str>,
) -> Result<Vec<ValRaw>, String> {
    let mut values = vec![ValRaw::default(); params.len().max(results)];
    let mut args = args.iter();
    for (slot, ty) in values.iter_mut().zip(params) {
        let Some(arg) = args.next() else {
            return Err(match name {
                Some(n) => format!("not enough arguments for `{n}`"),
                None => "not enough arguments for command default".to_string(),
            });
        };
        let arg = std::str::from_utf8(arg).map_err(|_| {
            format!(
                "argument is not valid utf-8: {}",
                kiln_platform::os_str::debug(arg)
            )
        })?;
        let ty = ValType::from_u8(*ty);
        let mut raw = [0u8; 16];
        match ty {
            Some(ValType::I32) => {
                let v: i32 = parse_int(arg, |h| i32::from_str_radix(h, 16))?;
                raw[..4].copy_from_slice(&v.to_le_bytes());
            }
            Some(ValType::I64) => {
                let v: i64 = parse_int(arg, |h| i64::from_str_radix(h, 16))?;
                raw[..8].copy_from_slice(&v.to_le_bytes());
            }
            Some(ValType::F32) => {
                let v: f32 = arg
                    .parse()
                    .map_err(|e: std::num::ParseFloatError| e.to_string())?;
                raw[..4].copy_from_slice(&v.to_bits().to_le_bytes());
            }
            Some(ValType::F64) => {
                let v: f64 = arg
                    .parse()
                    .map_err(|e: std::num::ParseFloatError| e.to_string())?;
                raw[..8].copy_from_slice(&v.to_bits().to_le_bytes());
            }
            other => return Err(format!("unsupported argument type {}", type_name(other))),
        }
        *slot = ValRaw(raw);
    }
    Ok(values)
}

/// One result line as `wasmtime run --invoke` prints it (without newline).
pub fn format_result(ty: u8, v: &ValRaw) -> String {
    let b = v.0;
    let u32v = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
    let u64v = u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]);
    match ValType::from_u8(ty) {
        Some(ValType::I32) => (u32v as i32).to_string(),
        Some(ValType::I64) => (u64v as i64).to_string(),
        Some(ValType::F32) => f32::from_bits(u32v).to_string(),
        Some(ValType::F64) => f64::from_bits(u64v).to_string(),
        Some(ValType::V128) => u128::from_le_bytes(b).to_string(),
        Some(ValType::FuncRef) if u64v == 0 => "<null funcref>".to_string(),
        Some(ValType::FuncRef) => "<funcref>".to_string(),
        Some(ValType::ExternRef) if u64v == 0 => "<null externref>".to_string(),
        Some(ValType::ExternRef) => "<externref>".to_string(),
        Some(ValType::ExnRef) if u64v == 0 => "<null exnref>".to_string(),
        Some(ValType::ExnRef) => "<exnref>".to_string(),
        None => format!("<unknown type {ty}>"),
    }
}

/// What `invoke_func` does: warn, parse `args`, call with the right trap
/// context, warn, print results. `main_context` is the outermost context
/// (``failed to run main module `...` ``). Errors are messages for
/// [`crate::errors::report`] below `main_context`.
///
/// # Safety
/// As [`call`].
pub unsafe fn invoke(
    instance: *mut Instance,
    func: u32,
    name: Option<&str>,
    args: &[Vec<u8>],
    main_context: &str,
) -> Result<(), String> {
    // SAFETY: `instance` is live; the borrow ends here.
    let module = unsafe { *(*instance).module() };
    let ty = module
        .type_of_func(func)
        .ok_or_else(|| format!("internal: no type for function {func}"))?;
    if !ty.params.is_empty() {
        write_fd(
            2,
            b"warning: using `--invoke` with a function that takes arguments is experimental and may break in the future\n",
        );
    }
    let mut values = parse_args(ty.params, ty.results.len(), args, name)?;
    let invoke_context = match name {
        Some(n) => format!("failed to invoke `{n}`"),
        None => "failed to invoke command default".to_string(),
    };
    crate::traps::set_context(vec![main_context.to_string(), invoke_context]);
    // SAFETY: forwarded; `values` is sized for params and results.
    unsafe { call(instance, func, &mut values)? };
    if !ty.results.is_empty() {
        write_fd(
            2,
            b"warning: using `--invoke` with a function that returns values is experimental and may break in the future\n",
        );
    }
    for (t, v) in ty.results.iter().zip(&values) {
        let mut line = format_result(*t, v);
        line.push('\n');
        write_fd(1, line.as_bytes());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ValType::*;

    fn raw_i64(v: &ValRaw) -> i64 {
        i64::from_le_bytes(v.0[..8].try_into().unwrap())
    }

    #[test]
    fn parses_ints_hex_and_floats() {
        let args: Vec<Vec<u8>> = ["-5", "0x10", "1.5", "0XfF", "x"]
            .iter()
            .map(|s| s.as_bytes().to_vec())
            .collect();
        let v = parse_args(
            &[I32 as u8, I64 as u8, F64 as u8, I32 as u8],
            1,
            &args,
            Some("f"),
        )
        .unwrap();
        assert_eq!(v.len(), 4);
        assert_eq!(raw_i64(&v[0]) as i32, -5);
        assert_eq!(raw_i64(&v[1]), 16);
        assert_eq!(f64::from_bits(raw_i64(&v[2]) as u64), 1.5);
        assert_eq!(raw_i64(&v[3]) as i32, 255);
    }

    #[test]
    fn reports_errors_like_wasmtime() {
        let a = |s: &[&str]| s.iter().map(|s| s.as_bytes().to_vec()).collect::<Vec<_>>();
        assert_eq!(
            parse_args(&[I32 as u8], 0, &[], Some("f")).unwrap_err(),
            "not enough arguments for `f`"
        );
        assert_eq!(
            parse_args(&[I32 as u8], 0, &[], None).unwrap_err(),
            "not enough arguments for command default"
        );
        assert_eq!(
            parse_args(&[I32 as u8], 0, &a(&["q"]), None).unwrap_err(),
            "invalid digit found in string"
        );
        assert_eq!(
            parse_args(&[I32 as u8], 0, &a(&[""]), None).unwrap_err(),
            "cannot parse integer from empty string"
        );
        assert_eq!(
            parse_args(&[I32 as u8], 0, &a(&["0xffffffff"]), None).unwrap_err(),
            "number too large to fit in target type"
        );
        assert_eq!(
            parse_args(&[F32 as u8], 0, &a(&["one"]), None).unwrap_err(),
            "invalid float literal"
        );
        assert_eq!(
            parse_args(&[V128 as u8], 0, &a(&["1"]), None).unwrap_err(),
            "unsupported argument type v128"
        );
        assert_eq!(
            parse_args(&[FuncRef as u8], 0, &a(&["1"]), None).unwrap_err(),
            "unsupported argument type (ref null func)"
        );
        // Linux: any bytes (Windows hands over WTF-8 of UTF-16).
        if cfg!(unix) {
            assert_eq!(
                parse_args(&[I32 as u8], 0, &[vec![0xff]], None).unwrap_err(),
                "argument is not valid utf-8: \"\\xFF\""
            );
        }
    }

    #[test]
    fn formats_results_like_wasmtime() {
        let v = |bytes: &[u8]| {
            let mut r = [0u8; 16];
            r[..bytes.len()].copy_from_slice(bytes);
            ValRaw(r)
        };
        assert_eq!(format_result(I32 as u8, &v(&(-3i32).to_le_bytes())), "-3");
        assert_eq!(
            format_result(I64 as u8, &v(&i64::MIN.to_le_bytes())),
            "-9223372036854775808"
        );
        assert_eq!(
            format_result(F32 as u8, &v(&1.0f32.to_bits().to_le_bytes())),
            "1"
        );
        assert_eq!(
            format_result(F32 as u8, &v(&0.1f32.to_bits().to_le_bytes())),
            "0.1"
        );
        assert_eq!(
            format_result(F64 as u8, &v(&f64::NAN.to_bits().to_le_bytes())),
            "NaN"
        );
        assert_eq!(
            format_result(F64 as u8, &v(&f64::NEG_INFINITY.to_bits().to_le_bytes())),
            "-inf"
        );
        assert_eq!(
            format_result(F64 as u8, &v(&(-0.0f64).to_bits().to_le_bytes())),
            "-0"
        );
        assert_eq!(format_result(V128 as u8, &v(&[1, 1])), "257");
        assert_eq!(format_result(FuncRef as u8, &v(&[])), "<null funcref>");
        assert_eq!(format_result(FuncRef as u8, &v(&[8])), "<funcref>");
        assert_eq!(format_result(ExternRef as u8, &v(&[])), "<null externref>");
        assert_eq!(format_result(ExternRef as u8, &v(&[1])), "<externref>");
    }
}
