//! A small JSON-ish tokenizer and parser over generated text: byte loads,
//! branches on characters, a recursive-descent parser building a tree and
//! summing it. `json <rounds>`.

enum Value {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
    Arr(Vec<Value>),
    Obj(Vec<(String, Value)>),
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl<'a> Parser<'a> {
    fn ws(&mut self) {
        while self.i < self.s.len() && matches!(self.s[self.i], b' ' | b'\n' | b'\t' | b'\r') {
            self.i += 1;
        }
    }
    fn value(&mut self) -> Value {
        self.ws();
        match self.s[self.i] {
            b'{' => {
                self.i += 1;
                let mut fields = Vec::new();
                loop {
                    self.ws();
                    if self.s[self.i] == b'}' {
                        self.i += 1;
                        break;
                    }
                    let k = self.string();
                    self.ws();
                    self.i += 1; // ':'
                    let v = self.value();
                    fields.push((k, v));
                    self.ws();
                    if self.s[self.i] == b',' {
                        self.i += 1;
                    }
                }
                Value::Obj(fields)
            }
            b'[' => {
                self.i += 1;
                let mut items = Vec::new();
                loop {
                    self.ws();
                    if self.s[self.i] == b']' {
                        self.i += 1;
                        break;
                    }
                    items.push(self.value());
                    self.ws();
                    if self.s[self.i] == b',' {
                        self.i += 1;
                    }
                }
                Value::Arr(items)
            }
            b'"' => Value::Str(self.string()),
            b't' => {
                self.i += 4;
                Value::Bool(true)
            }
            b'f' => {
                self.i += 5;
                Value::Bool(false)
            }
            b'n' => {
                self.i += 4;
                Value::Null
            }
            _ => self.number(),
        }
    }
    fn string(&mut self) -> String {
        self.i += 1;
        let start = self.i;
        while self.s[self.i] != b'"' {
            if self.s[self.i] == b'\\' {
                self.i += 1;
            }
            self.i += 1;
        }
        let out = String::from_utf8_lossy(&self.s[start..self.i]).into_owned();
        self.i += 1;
        out
    }
    fn number(&mut self) -> Value {
        let neg = self.s[self.i] == b'-';
        if neg {
            self.i += 1;
        }
        let mut v = 0f64;
        while self.i < self.s.len() && self.s[self.i].is_ascii_digit() {
            v = v * 10.0 + f64::from(self.s[self.i] - b'0');
            self.i += 1;
        }
        if self.i < self.s.len() && self.s[self.i] == b'.' {
            self.i += 1;
            let mut scale = 0.1;
            while self.i < self.s.len() && self.s[self.i].is_ascii_digit() {
                v += f64::from(self.s[self.i] - b'0') * scale;
                scale *= 0.1;
                self.i += 1;
            }
        }
        Value::Num(if neg { -v } else { v })
    }
}

fn sum(v: &Value) -> f64 {
    match v {
        Value::Null => 0.0,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::Num(n) => *n,
        Value::Str(s) => s.len() as f64,
        Value::Arr(a) => a.iter().map(sum).sum(),
        Value::Obj(o) => o.iter().map(|(k, v)| k.len() as f64 + sum(v)).sum(),
    }
}

fn generate(n: usize) -> String {
    let mut s = String::from("[");
    let mut x: u32 = 12345;
    for i in 0..n {
        x = x.wrapping_mul(1103515245).wrapping_add(12345);
        if i > 0 {
            s.push(',');
        }
        s.push_str(&format!(
            "{{\"id\": {i}, \"name\": \"item\\\"{}\", \"score\": {}.{}, \"ok\": {}, \"tags\": [\"a\", \"bb\", null, {}]}}\n",
            x % 1000,
            x % 97,
            x % 10,
            if x & 1 == 0 { "true" } else { "false" },
            x % 7
        ));
    }
    s.push(']');
    s
}

fn main() {
    let rounds: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(40);
    let text = generate(5000);
    let mut total = 0.0;
    for _ in 0..rounds {
        let mut p = Parser { s: text.as_bytes(), i: 0 };
        total += sum(&p.value());
    }
    println!("json: {} bytes x {rounds}, sum {total}", text.len());
}
