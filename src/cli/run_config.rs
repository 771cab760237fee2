//! Encoder of the run configuration `kiln run` hands to a cached run-mode
//! executable in the environment variable
//! [`kiln_abi::grants::RUN_CONFIG_ENV`]; the format is documented there (the
//! runtime holds the decoder).
//!
//! Example: flags 4, program `a.wasm`, `--dir .::/` encode as
//! `F:4;P:612e7761736d;D:2e:2f`.

use std::fmt::Write;

/// One run's settings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RunConfig {
    /// `GRANT_FLAG_*` bits.
    pub flags: u32,
    /// Export to invoke instead of `_start`.
    pub invoke: Option<Vec<u8>>,
    /// The wasm file's name.
    pub program: Vec<u8>,
    /// Preopens: (host, guest).
    pub dirs: Vec<(Vec<u8>, Vec<u8>)>,
    /// Environment: (name, value or `None` to inherit the host's).
    pub envs: Vec<(Vec<u8>, Option<Vec<u8>>)>,
    /// `-W` limits.
    pub limits: kiln_compiler::Limits,
    /// The address a server listens on (`kiln serve --addr`).
    pub serve_addr: Option<String>,
}

impl RunConfig {
    /// The environment variable's value.
    pub fn encode(&self) -> String {
        let mut records = vec![format!("F:{}", self.flags)];
        if let Some(invoke) = &self.invoke {
            records.push(format!("I:{}", hex(invoke)));
        }
        records.push(format!("P:{}", hex(&self.program)));
        if let Some(addr) = &self.serve_addr {
            records.push(format!("A:{}", hex(addr.as_bytes())));
        }
        for (host, guest) in &self.dirs {
            records.push(format!("D:{}:{}", hex(host), hex(guest)));
        }
        for (name, value) in &self.envs {
            match value {
                Some(v) => records.push(format!("E:{}:{}", hex(name), hex(v))),
                None => records.push(format!("E:{}", hex(name))),
            }
        }
        let l = &self.limits;
        if let Some(n) = l.max_memory_size {
            records.push(format!("M:{n}"));
        }
        if let Some(n) = l.max_wasm_stack {
            records.push(format!("S:{n}"));
        }
        if let Some(d) = l.timeout {
            // Saturated: u64 nanoseconds are some 584 years.
            let ns = u64::try_from(d.as_nanos()).unwrap_or(u64::MAX);
            records.push(format!("T:{ns}"));
        }
        if let Some(n) = l.fuel {
            records.push(format!("U:{n}"));
        }
        records.join(";")
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            // Writing to a String cannot fail.
            let _ = write!(s, "{b:02x}");
            s
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abi_example() {
        let c = RunConfig {
            flags: 4,
            program: b"a.wasm".to_vec(),
            dirs: vec![(b".".to_vec(), b"/".to_vec())],
            ..Default::default()
        };
        assert_eq!(c.encode(), "F:4;P:612e7761736d;D:2e:2f");
    }

    #[test]
    fn all_records() {
        let c = RunConfig {
            flags: 12,
            invoke: Some(b"f".to_vec()),
            program: b"x".to_vec(),
            dirs: vec![],
            envs: vec![(b"A".to_vec(), Some(b"".to_vec())), (b"B".to_vec(), None)],
            limits: kiln_compiler::Limits {
                max_memory_size: Some(65536),
                max_wasm_stack: Some(4096),
                timeout: Some(std::time::Duration::from_millis(5)),
                fuel: Some(9),
            },
            serve_addr: Some("1:2".into()),
        };
        assert_eq!(
            c.encode(),
            "F:12;I:66;P:78;A:313a32;E:41:;E:42;M:65536;S:4096;T:5000000;U:9"
        );
    }
}
